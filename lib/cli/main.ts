/**
 * The `cnnlab` command. Each subcommand parses its own options with
 * node:util's parseArgs (strict: an unknown option is an error that lists the
 * accepted ones).
 */
import * as path from 'node:path';
import {parseArgs} from 'node:util';

import {BUDGETS, Budget, parseBudget} from '../notebook/budget';
import {formatChecks, labCanRun, runDoctor} from './doctor';
import {SetupError, UsageError} from './errors';
import {startLab} from './lab';
import {listNotebooks, runReport} from './report';
import {formatFailure, runNotebook} from './run';

const USAGE = `usage: cnnlab <command> [options]

commands:
  doctor                       what the lab needs and what is here
  run <notebook>... [--budget smoke|quick|full] [--out DIR] [--cell-timeout S]
                               execute notebooks, write .ipynb + .html reports
  report [--budget ...] [--out DIR] [--cell-timeout S]
                               every chapter, then reports/index.html
  lab [--port N]               JupyterLab on 127.0.0.1 with the lab's kernel
`;

type Options = Record<string, {type: 'string' | 'boolean'; short?: string; multiple?: boolean}>;

function parse(argv: string[], options: Options, allowPositionals: boolean) {
  try {
    return parseArgs({args: argv, options, allowPositionals, strict: true});
  } catch (error) {
    const accepted = Object.keys(options).map(o => `--${o}`).join(', ') || 'none';
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (accepted options: ${accepted})`);
  }
}

function budgetOption(value: string | undefined): Budget {
  try {
    return parseBudget(value ?? 'quick', '--budget');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function secondsOption(value: string | undefined, name: string): number | undefined {
  if (value == null) return undefined;
  const n = Number(value);
  if (!(n > 0)) throw new UsageError(`--${name} must be a number of seconds > 0, got '${value}'`);
  return n;
}

const RUN_OPTIONS: Options = {'budget': {type: 'string'}, 'out': {type: 'string'}, 'cell-timeout': {type: 'string'}};

async function commandRun(argv: string[]): Promise<number> {
  const {values, positionals} = parse(argv, RUN_OPTIONS, true);
  if (positionals.length === 0) throw new UsageError('cnnlab run needs at least one notebook path');
  const budget = budgetOption(values['budget'] as string | undefined);
  const cellTimeout = secondsOption(values['cell-timeout'] as string | undefined, 'cell-timeout');
  let failed = 0;
  for (const notebook of positionals) {
    const result = await runNotebook(notebook, {budget, outDir: values['out'] as string | undefined, cellTimeout});
    if (result.ok) {
      process.stderr.write(`ok: ${path.relative(process.cwd(), result.notebook)} in ${result.seconds?.toFixed(1)} s -> ` +
          `${path.relative(process.cwd(), result.html)}\n`);
    } else {
      failed++;
      process.stderr.write(formatFailure(result) + '\n');
      if (result.exitCode === 130) return 130;
    }
  }
  return failed === 0 ? 0 : 1;
}

async function commandReport(argv: string[]): Promise<number> {
  const {values} = parse(argv, RUN_OPTIONS, false);
  const budget = budgetOption(values['budget'] as string | undefined);
  const cellTimeout = secondsOption(values['cell-timeout'] as string | undefined, 'cell-timeout');
  if (listNotebooks().length === 0) throw new UsageError('no notebooks found under notebooks/');
  const results = await runReport({budget, outDir: values['out'] as string | undefined, cellTimeout});
  const failed = results.filter(r => !r.ok).length;
  const index = path.join(path.resolve((values['out'] as string | undefined) ?? 'reports'), 'index.html');
  process.stderr.write(`${results.length - failed} of ${results.length} chapters ran; index: ${path.relative(process.cwd(), index)}\n`);
  if (results.some(r => r.exitCode === 130)) return 130;
  return failed === 0 ? 0 : 1;
}

async function commandDoctor(argv: string[]): Promise<number> {
  parse(argv, {}, false);
  const checks = await runDoctor();
  process.stdout.write(formatChecks(checks) + '\n');
  const ok = labCanRun(checks);
  process.stdout.write(ok ? '\nThe lab can run.\n' : '\nThe lab cannot run yet: apply the fixes above.\n');
  return ok ? 0 : 1;
}

async function commandLab(argv: string[]): Promise<number> {
  const {values} = parse(argv, {port: {type: 'string'}}, false);
  const port = values['port'] == null ? undefined : Number(values['port']);
  const server = await startLab({port});
  process.stdout.write(`JupyterLab is running (Ctrl-C stops it):\n  ${server.url}\n`);
  const stop = () => server.process.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return await new Promise(resolve => server.process.on('exit', code => resolve(code ?? 0)));
}

export const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  doctor: commandDoctor,
  run: commandRun,
  report: commandReport,
  lab: commandLab,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command == null || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command == null ? 2 : 0;
  }
  const handler = COMMANDS[command];
  try {
    if (handler == null) throw new UsageError(`unknown command '${command}'; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return await handler(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`cnnlab ${command}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof SetupError) {
      process.stderr.write(`cnnlab ${command}: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`cnnlab ${command}: ${(error as Error).message}\n`);
    return 1;
  }
}

export {BUDGETS};
