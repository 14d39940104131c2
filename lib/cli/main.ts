/**
 * The `cnnlab` command. Each subcommand parses its own options with
 * node:util's parseArgs (strict: an unknown option is an error that lists the
 * accepted ones).
 */
import * as path from 'node:path';
import {parseArgs} from 'node:util';

import {inPack} from '../environment';
import {parseBackend, quietTfjs} from '../engine';
import {BUDGETS, Budget, parseBudget} from '../experiments/budget';
import {costReport, formatCostReport, parseConvention} from './cost';
import {variantRows} from './variants';
import {REGISTRY} from '../models';
import {formatCount} from '../display/format';
import {formatChecks, labCanRun, runDoctor} from './doctor';
import {checkEnvironment, unknownVariableNote} from './environment';
import {SetupError, UsageError, asUsage} from './errors';
import {startLab} from './lab';
import {MODEL_OPTIONS, resolveModel} from './model-options';
import {ANSWERS_OPTIONS, PLAN_OPTIONS, RUN_PLAN_OPTIONS, commandAnswers, commandPlan, commandRunPlan} from './plan';
import {listNotebooks, runReport} from './report';
import {SLURM_OPTIONS, SLURM_STATUS_OPTIONS, commandSlurm, commandSlurmStatus} from './slurm';
import {formatFailure, runNotebook} from './run';
import {TRAIN_OPTIONS, commandTrainWith} from './train';

const USAGE = `usage: cnnlab <command> [options]

commands:
  doctor                       what the lab needs and what is here
  run <notebook>... [--budget smoke|quick|course|full] [--out DIR] [--cell-timeout S]
                               execute notebooks, write .ipynb + .html reports
  report [--budget ...] [--out DIR] [--cell-timeout S]
                               every chapter, then reports/index.html
  lab [--port N]               JupyterLab on 127.0.0.1 with the lab's kernel
  variants [--json]            every registered variant: family, input, parameters, MACs
  bench gpu [--minutes M] [--python P] [--out FILE]
                               the GPU (webgpu) and every core (wasm) against PyTorch, in a few minutes
  pack [--out FILE] [--with-data] [--no-vulkan]
                               one archive that trains on an offline Linux x86-64 machine without Node.js
  cost <variant-or-family> [--width A] [--resolution N] [--classes K] [--channels C]
       [--set key=value]... [--convention macs|condensenet (default: the variant's own)] [--per-layer] [--json]
                               parameters, multiply-adds and memory of any configuration
  plan <chapter> [--budget smoke|quick|course|full] [--backend B] [--json]
                               a chapter's runs: key, network, recorded or not, estimated time
  answers <chapter> [--budget ...] [--backend B] [--json]
                               the chapter's exercises answered by the lab (trained ones from their records)
  run-plan <chapter> [--budget ...] [--shard i/n] [--only i,j,...] [--backend B] [--threads N] [--fresh]
                               train the chapter's missing runs (shard i of n takes every n-th)
  slurm <chapter> [--budget smoke|quick|course|full (default full)] [--results DIR] [--backend B] [--partition P]
        [--cpus-per-task N] [--gpus-per-task N] [--time HH:MM:SS] [--mem SIZE] [--max-parallel M] [--pack DIR] [--submit]
                               a Slurm job array, one task per run the records folder lacks
  slurm-status <chapter> [--budget ... (default full)] [--results DIR] [--backend B] [--json]
                               the plan's runs on the cluster: recorded, running, pending, failed, missing
  train <variant-or-family> [model options as for cost] [--dataset fashion-mnist|cifar10|synthetic]
       [--limit N|all] [--test-limit N|all] [--epochs N] [--batch N] [--optimizer adam|sgd|momentum|nesterov|rmsprop]
       [--lr X] [--seed N] [--backend auto|tensorflow|webgpu|wasm|cpu] [--threads N] [--fresh] [--json]
                               train for real; the record lands in results/
`;

type Options = Record<string, {type: 'string' | 'boolean'; short?: string; multiple?: boolean}>;

function parse(argv: string[], options: Options, allowPositionals: boolean) {
  try {
    return parseArgs({args: argv, options, allowPositionals, strict: true});
  } catch (error) {
    const accepted = Object.keys(options).map(o => `--${o}`).join(', ') || 'none';
    const message = (error as Error).message.split('\n')[0];
    // "--width -0.5" reads as two options; the value must be attached.
    const hint = /argument is ambiguous/.test(message) ? ' (write a negative value as --option=-0.5)' : '';
    throw new UsageError(`${message}${hint} (accepted options: ${accepted})`);
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

async function commandVariants(argv: string[]): Promise<number> {
  const {values} = parse(argv, {json: {type: 'boolean'}}, false);
  if (values['json']) {
    process.stdout.write(JSON.stringify(variantRows(), null, 1) + '\n');
    return 0;
  }
  // Rows print as each is known (the first run builds every network; later runs read .cache/).
  const widths = [Math.max(...REGISTRY.map(v => v.name.length)), Math.max(...REGISTRY.map(v => v.family.length)), 11, 12, 12, 15];
  const line = (cells: string[]) => cells.map((c, i) => i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ') + '\n';
  process.stdout.write(line(['variant', 'family', 'input', 'params', 'trainable', 'MACs']));
  variantRows(r => process.stdout.write(line([r.name, r.family, r.inputShape.join('x'), formatCount(r.params),
                                              formatCount(r.trainableParams), formatCount(r.macs)])));
  return 0;
}

async function commandCost(argv: string[]): Promise<number> {
  const {values, positionals} = parse(argv, {
    ...MODEL_OPTIONS, 'convention': {type: 'string'}, 'per-layer': {type: 'boolean'}, 'json': {type: 'boolean'},
  }, true);
  if (positionals.length > 1) throw new UsageError(`cnnlab cost takes one model, got ${positionals.length}`);
  const choice = resolveModel(positionals[0], values);
  const report = costReport(choice, parseConvention(values['convention'] as string | undefined, choice.name));
  process.stdout.write(values['json'] ? JSON.stringify(report, null, 1) + '\n' : formatCostReport(report, values['per-layer'] === true));
  return 0;
}

async function commandTrain(argv: string[]): Promise<number> {
  const {values, positionals} = parse(argv, {...MODEL_OPTIONS, ...TRAIN_OPTIONS}, true);
  if (positionals.length > 1) throw new UsageError(`cnnlab train takes one model, got ${positionals.length}`);
  const choice = resolveModel(positionals[0], values);
  const {config, result, reused, file} = await commandTrainWith(choice, values);
  if (values['json']) {
    process.stdout.write(JSON.stringify({config, result, reused, record: file}, null, 1) + '\n');
  } else {
    const t = result.timing;
    process.stdout.write([
      `${choice.name} on ${config.dataset} (${reused ? 'reused from results/' : 'trained now'})`,
      `  backend      ${result.backend}: ${result.device}`,
      `  parameters   ${result.trainableParams.toLocaleString('en-US')} trainable; MACs ${result.macs.toLocaleString('en-US')}`,
      `  accuracy     test ${result.testAccuracy?.toFixed(4) ?? '-'}, final train ${result.curves.at(-1)?.trainAccuracy.toFixed(4)}`,
      `  speed        ${t.trainImagesPerSecond.toFixed(1)} train images/s; ${t.latencyMsBatch1.toFixed(2)} ms/image at batch 1, ` +
          `${t.latencyMsBatch64.toFixed(2)} at batch 64; peak tensors ${(t.peakTensorBytes / 2 ** 20).toFixed(1)} MiB`,
      `  record       ${path.relative(process.cwd(), file) || file}`,
    ].join('\n') + '\n');
  }
  return 0;
}

async function commandPlanList(argv: string[]): Promise<number> {
  const {values, positionals} = parse(argv, PLAN_OPTIONS, true);
  return commandPlan(values, positionals, budgetOption(values['budget'] as string | undefined));
}

async function commandAnswersList(argv: string[]): Promise<number> {
  const {values, positionals} = parse(argv, ANSWERS_OPTIONS, true);
  return commandAnswers(values, positionals, budgetOption(values['budget'] as string | undefined));
}

async function commandPlanRun(argv: string[]): Promise<number> {
  const {values, positionals} = parse(argv, RUN_PLAN_OPTIONS, true);
  return commandRunPlan(values, positionals, budgetOption(values['budget'] as string | undefined));
}

async function commandSlurmSubmit(argv: string[]): Promise<number> {
  const {values, positionals} = parse(argv, SLURM_OPTIONS, true);
  return commandSlurm(values, positionals, budgetOption((values['budget'] as string | undefined) ?? 'full'));
}

async function commandSlurmFollow(argv: string[]): Promise<number> {
  const {values, positionals} = parse(argv, SLURM_STATUS_OPTIONS, true);
  return commandSlurmStatus(values, positionals, budgetOption((values['budget'] as string | undefined) ?? 'full'));
}

async function commandPack(argv: string[]): Promise<number> {
  const {values} = parse(argv, {'out': {type: 'string'}, 'no-vulkan': {type: 'boolean'}, 'with-data': {type: 'boolean'}}, false);
  if (inPack()) throw new UsageError('this is a pack already: build packs from the lab\'s checkout');
  const {buildPack} = require('../pack/build') as typeof import('../pack/build');
  const result = await buildPack({
    out: values['out'] as string | undefined, vulkanLoader: values['no-vulkan'] ? null : undefined, withData: values['with-data'] === true,
    say: line => process.stderr.write(`pack: ${line}\n`),
  });
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  process.stdout.write(`${path.relative(process.cwd(), result.archive) || result.archive}: ${mib(result.bytes)} ` +
      `(${result.files.length} files, ${mib(result.files.reduce((n, f) => n + f.bytes, 0))} unpacked)\n` +
      `Vulkan loader: ${result.vulkanLoader}\n` +
      'On the target: tar -xJf the archive, then cnnlab-pack/bin/cnnlab doctor (README.txt inside says more).\n');
  return 0;
}

function positiveNumber(value: string | undefined, name: string, fallback: number, whole = false): number {
  if (value == null) return fallback;
  const n = Number(value);
  if (!(n > 0) || (whole && !Number.isInteger(n))) throw new UsageError(`--${name} must be a ${whole ? 'whole ' : ''}number > 0, got '${value}'`);
  return n;
}

async function commandBench(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === 'gpu') {
    const {values} = parse(rest, {minutes: {type: 'string'}, python: {type: 'string'}, out: {type: 'string'}}, false);
    const {benchGpu, formatGpuBench} = require('../bench/gpu') as typeof import('../bench/gpu');
    const report = await benchGpu({
      minutes: positiveNumber(values['minutes'] as string | undefined, 'minutes', 7.5),
      python: (values['python'] as string | undefined) ?? 'python3', out: values['out'] as string | undefined,
      say: line => process.stderr.write(`bench gpu: ${line}\n`),
    });
    process.stdout.write(formatGpuBench(report));
    return 0;
  }
  if (what === 'one') {
    // One measurement in a process of its own (what `bench gpu` and `npm run bench` start).
    const {values} = parse(rest, {backend: {type: 'string'}, net: {type: 'string'}, images: {type: 'string'},
                                  epochs: {type: 'string'}, batch: {type: 'string'}}, false);
    const {measureOurs} = require('../bench/speed') as typeof import('../bench/speed');
    const backend = asUsage(() => parseBackend((values['backend'] as string | undefined) ?? 'wasm', '--backend'));
    if (backend === 'auto') throw new UsageError('--backend must name one backend for a measurement, got auto');
    const row = await measureOurs(backend, (values['net'] as string | undefined) ?? 'tiny', {
      images: positiveNumber(values['images'] as string | undefined, 'images', 512, true),
      epochs: positiveNumber(values['epochs'] as string | undefined, 'epochs', 3, true),
      batch: positiveNumber(values['batch'] as string | undefined, 'batch', 64, true),
    });
    process.stdout.write(JSON.stringify(row) + '\n');
    return 0;
  }
  throw new UsageError(`cnnlab bench takes gpu (the GPU and every core against PyTorch) or one (a single measurement), got '${what ?? ''}'`);
}

export const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  doctor: commandDoctor,
  run: commandRun,
  report: commandReport,
  lab: commandLab,
  variants: commandVariants,
  cost: commandCost,
  plan: commandPlanList,
  answers: commandAnswersList,
  'run-plan': commandPlanRun,
  'slurm': commandSlurmSubmit,
  'slurm-status': commandSlurmFollow,
  pack: commandPack,
  bench: commandBench,
  train: commandTrain,
};

/** Bad LAB_* values stop a command before it starts; unknown LAB_* names are warned about. */
function checkVariablesBeforeStart(): void {
  const checks = checkEnvironment();
  for (const c of checks.filter(c => c.unknown)) process.stderr.write(`cnnlab: warning: ${unknownVariableNote(c.name)}\n`);
  const problems = checks.filter(c => c.problem != null).map(c => c.problem);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
}

export async function main(argv: string[]): Promise<number> {
  quietTfjs();
  const [command, ...rest] = argv;
  if (command == null || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command == null ? 2 : 0;
  }
  const handler = COMMANDS[command];
  try {
    if (handler == null) throw new UsageError(`unknown command '${command}'; commands: ${Object.keys(COMMANDS).join(', ')}`);
    // doctor lists the variables instead (lib/cli/environment.ts); every other command starts only on good values.
    if (command !== 'doctor') checkVariablesBeforeStart();
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

/**
 * Ends the process with `code` once what was written has left. stdout into a
 * shell pipe is asynchronous, and exiting at once cut long output (a
 * CondenseNet record's --json) at 64 KiB.
 */
export function exitAfterOutput(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
