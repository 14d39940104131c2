/**
 * `cnnlab run`: executes notebooks through nbclient (tools/run_notebook.py
 * in the project's venv) and writes a signed .ipynb and an HTML report for
 * each.
 */
import {spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {BUDGET_ENV, Budget} from '../experiments/budget';
import {Headline} from '../display/headline';
import {SetupError, UsageError} from './errors';
import {REPORTS_DIR, ROOT, RUNNER_SCRIPT, VENV_PYTHON, jupyterEnv, kernelSpecFile, kernelSpecFix} from './paths';

/**
 * How long one cell may run unless --cell-timeout says: a chapter trains its
 * whole plan in one cell, so the limit grows with the budget. Quick takes up
 * to 10 minutes a chapter on 2 cores and course up to 30; three times that
 * leaves room for a slower machine (chapter 01's quick training cell, 7
 * minutes in the morning, passed 10 in a slow hour of the same machine on
 * 2026-12-05). Full takes hours to days on one machine.
 */
export const DEFAULT_CELL_TIMEOUT: Readonly<Record<Budget, number>> = {smoke: 600, quick: 1800, course: 5400, full: 7 * 24 * 3600};

/** How `cnnlab run` executes one notebook. */
export interface NotebookRunOptions {
  budget: Budget;
  /** Folder for the executed .ipynb and the .html report. */
  outDir?: string;
  /** Seconds one cell may run before it is interrupted and the run fails. */
  cellTimeout?: number;
  /** Extra environment for the kernel (tests use it). */
  env?: NodeJS.ProcessEnv;
  /** Called with each progress line the runner prints. */
  onProgress?: (line: string) => void;
  /** The report's neighbours in a course site (`cnnlab report`): the index page and the previous and next chapters. */
  neighbours?: ReportNeighbours;
}

/** Links a chapter report carries at its top and bottom, relative to its own folder. */
export interface ReportNeighbours {
  index?: string;
  previous?: {title: string; href: string};
  next?: {title: string; href: string};
}

/** A report's section (a ## heading): its anchor in the HTML and its title. */
export interface ReportSection {
  id: string;
  title: string;
}

export interface CellFailure {
  /** 1-based position among all cells of the notebook as written. */
  cell?: number;
  /** 1-based position among the code cells. */
  codeCell?: number;
  /** 1-based line in the cell's TypeScript, when the kernel said. */
  line?: number | null;
  sourceLine?: string | null;
  message: string;
  details?: string;
}

export interface RunResult {
  notebook: string;
  ok: boolean;
  html: string;
  ipynb: string;
  seconds?: number;
  failure?: CellFailure;
  headlines: Headline[];
  /** The engine the notebook reported it ran on, if it did. */
  engine?: {backend: string; device: string; threads: number; tfjsVersion: string};
  /** The report's sections, for the index page's contents. */
  sections: ReportSection[];
  exitCode: number;
}

/** Fails early, with the fix, when something the runner needs is missing. */
export function checkRunnable(): void {
  const spec = kernelSpecFile();
  if (!fs.existsSync(spec)) {
    throw new SetupError(`the tslab kernel spec is missing: no file ${spec}; ${kernelSpecFix()}`);
  }
  if (!fs.existsSync(path.join(ROOT, 'node_modules', 'tslab', 'bin', 'tslab'))) {
    throw new SetupError('the tslab kernel is not installed in node_modules. Run: npm run setup');
  }
  if (!fs.existsSync(VENV_PYTHON)) {
    throw new SetupError('the project-local Python environment (.venv) is missing. Run: npm run setup');
  }
}

export function resolveNotebook(notebook: string): string {
  const full = path.resolve(notebook);
  if (!fs.existsSync(full)) {
    throw new UsageError(`notebook '${notebook}' does not exist (looked at ${full})`);
  }
  if (!full.endsWith('.ipynb') || !fs.statSync(full).isFile()) {
    throw new UsageError(`notebook '${notebook}' is not an .ipynb file`);
  }
  return full;
}

export async function runNotebook(notebook: string, options: NotebookRunOptions): Promise<RunResult> {
  const file = resolveNotebook(notebook);
  checkRunnable();
  const outDir = path.resolve(options.outDir ?? REPORTS_DIR);
  fs.mkdirSync(outDir, {recursive: true});
  const stem = path.basename(file, '.ipynb');
  const html = path.join(outDir, `${stem}.html`);
  const ipynb = path.join(outDir, `${stem}.ipynb`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cnnlab-run-'));
  const summaryFile = path.join(scratch, 'summary.json');
  const cellTimeout = options.cellTimeout ?? DEFAULT_CELL_TIMEOUT[options.budget];
  if (!(cellTimeout > 0)) {
    throw new UsageError(`--cell-timeout must be a number of seconds > 0, got ${cellTimeout}`);
  }

  const env = {...jupyterEnv(), ...options.env, [BUDGET_ENV]: options.budget};
  // The runner's output reaches the user through us: tell it whether that is a terminal.
  const terminal = options.onProgress == null && process.stderr.isTTY ?
      ['--tty', '--columns', String(process.stderr.columns || 100)] : [];
  const child = spawn(VENV_PYTHON, [
    RUNNER_SCRIPT, file, '--html', html, '--ipynb', ipynb, '--summary', summaryFile,
    '--cell-timeout', String(cellTimeout), ...terminal,
    '--nav', JSON.stringify({budget: options.budget, ...options.neighbours}),
  ], {
    cwd: path.dirname(file), env, stdio: ['ignore', 'inherit', 'pipe'],
    // Own process group: a terminal's Ctrl-C reaches only us. The first one
    // becomes SIGUSR1, on which the runner interrupts its kernel, writes the
    // partial report and shuts the kernel down; a second one is SIGINT.
    detached: true,
  });
  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-8000);
    if (options.onProgress) {
      for (const line of chunk.split('\n').filter(Boolean)) options.onProgress(line);
    } else {
      // As written: progress lines rewrite themselves in place on a terminal.
      process.stderr.write(chunk);
    }
  });
  let stops = 0;
  const forward = () => { child.kill(stops++ === 0 ? 'SIGUSR1' : 'SIGINT'); };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const exitCode: number = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', code => resolve(code ?? 1));
  }).finally(() => {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }) as number;

  let summary: {ok?: boolean; seconds?: number; failure?: CellFailure; headlines?: Headline[]; engine?: RunResult['engine'];
                 sections?: ReportSection[]} = {};
  try {
    summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
  } catch {
    summary = {ok: false, failure: {message: `the notebook runner exited with ${exitCode} and wrote no summary:\n${stderrTail.trim()}`}};
  } finally {
    fs.rmSync(scratch, {recursive: true, force: true});
  }
  return {
    notebook: file, html, ipynb, exitCode,
    ok: exitCode === 0 && summary.ok === true,
    seconds: summary.seconds,
    failure: summary.failure,
    headlines: summary.headlines ?? [],
    sections: summary.sections ?? [],
    ...(summary.engine ? {engine: summary.engine} : {}),
  };
}

/** The failure as a person reads it: notebook, cell, TypeScript line, message. */
export function formatFailure(result: RunResult): string {
  const rel = path.relative(process.cwd(), result.notebook) || result.notebook;
  const f = result.failure;
  if (f == null) return `${rel}: failed (exit ${result.exitCode})`;
  const where = [
    f.cell != null ? `cell ${f.cell}` + (f.codeCell != null ? ` (code cell ${f.codeCell})` : '') : null,
    f.line != null ? `line ${f.line}` : null,
  ].filter(Boolean).join(', ');
  const lines = [`${rel} failed${where ? ` at ${where}` : ''}: ${f.message}`];
  if (f.sourceLine) lines.push(`    ${f.line} | ${f.sourceLine.trim()}`);
  if (f.details && f.details.trim() !== f.message.trim()) {
    lines.push(...f.details.trim().split('\n').slice(0, 12).map(l => `  ${l}`));
  }
  if (fs.existsSync(result.html)) {
    lines.push(`partial report (marked incomplete): ${path.relative(process.cwd(), result.html)}`);
  }
  return lines.join('\n');
}
