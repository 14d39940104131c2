/**
 * `cnnlab slurm` and `cnnlab slurm-status`: a chapter's plan on a Slurm
 * cluster as a job array, one task per run the records folder lacks, each
 * running `cnnlab run-plan --only <position>` on a node against that
 * folder (on the shared file system). Slurm schedules; the records say
 * what is done; re-submitting sends only what is still missing.
 */
import {execFileSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {ArrayTaskRun, arrayScript, formatSlurmMemory, formatSlurmTime, parseSlurmMemory, parseSlurmTime, resourceRequest,
        shellQuote} from '../cluster/slurm-script';
import {RunState, RunStatus, Submission, observeCluster, readSubmissions, runStates, submissionsDir,
        writeSubmission} from '../cluster/slurm-jobs';
import {costOf} from '../cost';
import {BACKEND_NAMES, BackendName} from '../engine';
import {plural} from '../display/format';
import {tableBundle} from '../display/table';
import {Budget} from '../experiments/budget';
import {formatDuration} from '../experiments/estimate';
import {expandPlan} from '../experiments/plan';
import {buildModel} from '../models';
import {ResultsStore} from '../results/store';
import {REPO_ROOT} from '../root';
import {inPack} from '../environment';
import {estimateTrainingBytes} from '../train/memory';
import {Chapter} from '../chapters/common/chapter';
import {UsageError, asUsage} from './errors';
import {chapterArgument, planRows} from './plan';

const COMMON_OPTIONS = {
  budget: {type: 'string'},
  results: {type: 'string'},
  backend: {type: 'string'},
} as const;

export const SLURM_OPTIONS = {
  ...COMMON_OPTIONS,
  'partition': {type: 'string'},
  'gpus-per-task': {type: 'string'},
  'cpus-per-task': {type: 'string'},
  'time': {type: 'string'},
  'mem': {type: 'string'},
  'max-parallel': {type: 'string'},
  'pack': {type: 'string'},
  'submit': {type: 'boolean'},
} as const;

export const SLURM_STATUS_OPTIONS = {...COMMON_OPTIONS, json: {type: 'boolean'}} as const;

function wholeOption(values: Record<string, unknown>, name: string, min: number): number | undefined {
  const text = values[name] as string | undefined;
  if (text == null) return undefined;
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= min)) throw new UsageError(`--${name} must be a whole number >= ${min}, got '${text}'`);
  return n;
}

/**
 * The engine the array's runs train on (part of each record's key): --backend,
 * else webgpu when the tasks get GPUs, else wasm. Not started here: the
 * login node that writes the script need not have the nodes' hardware.
 */
function backendOption(values: Record<string, unknown>, gpus: number | undefined): BackendName {
  const given = values['backend'] as string | undefined;
  if (given == null) return gpus ? 'webgpu' : 'wasm';
  if (!(BACKEND_NAMES as readonly string[]).includes(given)) {
    throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')} (the nodes' engine, named: 'auto' would key records by whatever each node finds), got '${given}'`);
  }
  return given as BackendName;
}

/** How a node starts cnnlab: this checkout's Node and bin/cnnlab.cjs, or a pack's launcher (nodes without Node.js). */
function cnnlabCommand(pack: string | undefined): string[] {
  if (pack != null) {
    const launcher = path.join(path.resolve(pack), 'bin', 'cnnlab');
    if (!fs.existsSync(launcher)) throw new UsageError(`--pack must be an unpacked lab pack (with bin/cnnlab), got '${pack}': ${launcher} does not exist`);
    return [launcher];
  }
  if (inPack()) return [path.join(REPO_ROOT, 'bin', 'cnnlab')];
  return [process.execPath, path.join(REPO_ROOT, 'bin', 'cnnlab.cjs')];
}

interface PlanStates {
  chapter: Chapter;
  budget: Budget;
  backend: BackendName;
  resultsDir: string;
  states: RunStatus[];
  rows: ReturnType<typeof planRows>;
  problems: string[];
}

function planStates(positionals: string[], command: string, values: Record<string, unknown>, budget: Budget, backend: BackendName): PlanStates {
  const chapter = chapterArgument(positionals, command);
  // --results, else $LAB_RESULTS_DIR, else the lab's results/ (the store's own default).
  const store = new ResultsStore(values['results'] as string | undefined);
  const resultsDir = store.dir;
  const rows = planRows(chapter, budget, backend, store);
  const problems: string[] = [];
  const submissions = readSubmissions(resultsDir, {chapter: chapter.id, budget, backend}, problems);
  const states = runStates(rows, submissions, observeCluster(submissions));
  problems.push(...store.problems.map(p => `${p.file}: ${p.problem}`));
  return {chapter, budget, backend, resultsDir, states, rows, problems};
}

function countsLine(states: readonly RunStatus[]): string {
  const order: RunState[] = ['recorded', 'running', 'pending', 'submitted', 'failed', 'missing'];
  return order.map(state => [state, states.filter(s => s.state === state).length] as const)
      .filter(([state, n]) => n > 0 || ['recorded', 'missing', 'failed'].includes(state))
      .map(([state, n]) => `${n} ${state}`).join(', ');
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1Z');
}

export async function commandSlurm(values: Record<string, unknown>, positionals: string[], budget: Budget): Promise<number> {
  const gpus = wholeOption(values, 'gpus-per-task', 1);
  const cpus = wholeOption(values, 'cpus-per-task', 1) ?? 2;
  const maxParallel = wholeOption(values, 'max-parallel', 1);
  const seconds = values['time'] == null ? undefined : asUsage(() => parseSlurmTime(values['time'] as string));
  const memoryBytes = values['mem'] == null ? undefined : asUsage(() => parseSlurmMemory(values['mem'] as string));
  const backend = backendOption(values, gpus);
  const cnnlab = cnnlabCommand(values['pack'] as string | undefined);
  const {chapter, resultsDir, states, rows, problems} = planStates(positionals, 'slurm', values, budget, backend);
  for (const problem of problems) process.stderr.write(`warning: ${problem}\n`);

  const toSubmit = states.filter(s => s.state === 'failed' || s.state === 'missing');
  const head = `chapter ${chapter.id}, ${budget} budget on ${backend}: ${plural(states.length, 'run')} (${countsLine(states)})`;
  if (toSubmit.length === 0) {
    process.stdout.write(`${head}\nnothing to submit: every run is recorded or in Slurm's queue (cnnlab slurm-status ${chapter.id} --budget ${budget} follows them)\n`);
    return 0;
  }
  const configs = expandPlan(chapter.plan(budget), backend).runs;
  const runs: ArrayTaskRun[] = toSubmit.map(s => {
    const config = configs[s.index].config;
    const model = buildModel(config.model, config.options);
    const trainingBytes = estimateTrainingBytes(costOf(model).totals, config.batch);
    model.dispose();
    return {index: s.index, key: s.key, seconds: rows[s.index].seconds, trainingBytes};
  });
  const request = asUsage(() => resourceRequest(runs, {seconds, memoryBytes}));

  const written = new Date();
  const jobDir = path.join(submissionsDir(resultsDir), `${chapter.id}-${budget}-${backend}-${stamp(written)}`);
  fs.mkdirSync(jobDir, {recursive: true});
  const script = path.join(jobDir, 'job.sbatch');
  const environment: Record<string, string> = {};
  if (process.env['LAB_DATA_DIR']) environment['LAB_DATA_DIR'] = path.resolve(process.env['LAB_DATA_DIR']);
  fs.writeFileSync(script, arrayScript({
    chapter: chapter.id, budget, backend, runs, request, resultsDir, jobDir, cnnlab, maxParallel, cpusPerTask: cpus,
    gpusPerTask: gpus, partition: values['partition'] as string | undefined, environment,
  }), {mode: 0o755});
  const submission: Submission = {
    format: 1, chapter: chapter.id, budget, backend, jobId: null, writtenAt: written.toISOString(), script,
    runs: runs.map((r, task) => ({task, index: r.index, key: r.key})),
  };
  writeSubmission(jobDir, submission);

  const requestText = `${formatSlurmTime(request.seconds)} and ${formatSlurmMemory(request.memoryBytes)} per task` +
      (seconds == null ? ` (the longest run's estimate, ${formatDuration(Math.max(...runs.map(r => r.seconds ?? 0)))}, with a margin)` : '');
  process.stdout.write(`${head}\n` +
      `job array of ${plural(runs.length, 'task')}, one per run to train (runs ${runs.map(r => r.index).join(', ')}), ${requestText}\n` +
      `script: ${script}\n`);
  if (!values['submit']) {
    process.stdout.write(`submit it with:\n  sbatch ${shellQuote(script)}\n` +
        `then follow it with: cnnlab slurm-status ${chapter.id} --budget ${budget} --results ${shellQuote(resultsDir)}\n`);
    return 0;
  }
  let output: string;
  try {
    output = execFileSync('sbatch', ['--parsable', script], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
  } catch (error) {
    const e = error as {stderr?: string; message: string};
    throw new UsageError(`sbatch refused ${script}: ${(e.stderr || e.message).trim()}`);
  }
  // --parsable prints "jobid" or "jobid;cluster".
  submission.jobId = output.trim().split(';')[0];
  writeSubmission(jobDir, submission);
  process.stdout.write(`submitted: job ${submission.jobId}\n` +
      `follow it with: cnnlab slurm-status ${chapter.id} --budget ${budget} --results ${shellQuote(resultsDir)}\n`);
  return 0;
}

export async function commandSlurmStatus(values: Record<string, unknown>, positionals: string[], budget: Budget): Promise<number> {
  const backend = backendOption(values, undefined);
  const {chapter, resultsDir, states, problems} = planStates(positionals, 'slurm-status', values, budget, backend);
  if (values['json']) {
    process.stdout.write(JSON.stringify({chapter: chapter.id, budget, backend, results: resultsDir, runs: states, problems}, null, 1) + '\n');
    return 0;
  }
  for (const problem of problems) process.stderr.write(`warning: ${problem}\n`);
  process.stdout.write(`chapter ${chapter.id}, ${budget} budget on ${backend}, records in ${resultsDir}: ` +
      `${plural(states.length, 'run')}: ${countsLine(states)}\n`);
  const open = states.filter(s => s.state !== 'recorded');
  if (open.length > 0) {
    process.stdout.write('\n' + tableBundle(open, [
      {header: '#', value: s => s.index},
      {header: 'key', value: s => s.key},
      {header: 'state', value: s => s.state},
      {header: 'detail', value: s => s.detail},
      {header: 'log', value: s => s.log ?? ''},
    ])['text/plain'] + '\n');
  }
  if (states.some(s => s.state === 'failed' || s.state === 'missing')) {
    process.stdout.write(`\ncnnlab slurm ${chapter.id} --budget ${budget} --results ${shellQuote(resultsDir)} --submit sends the failed and missing runs again\n`);
  } else if (open.length === 0) {
    process.stdout.write(`\nevery run is recorded: LAB_RESULTS_DIR=${shellQuote(resultsDir)} LAB_RECORDS_BACKEND=${backend} ` +
        `cnnlab report --budget ${budget} renders the chapter without training\n`);
  }
  return 0;
}
