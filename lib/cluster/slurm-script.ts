/**
 * A chapter's missing runs as one Slurm job array: one array task per run,
 * each running `cnnlab run-plan <chapter> --only <position>` against a
 * results folder on the cluster's shared file system. The scheduler is
 * Slurm's own; the lab only writes the script, with a resource request
 * taken from the plan's own estimates (time, memory) and a margin.
 */
import {BackendName} from '../engine';
import {Budget} from '../experiments/budget';

/** What one array task trains: a run of the plan, by position and key. */
export interface ArrayTaskRun {
  /** 0-based position in the expanded plan (what `run-plan --only` takes). */
  index: number;
  key: string;
  /** Estimated training seconds, or null where nothing measured can time it. */
  seconds: number | null;
  /** Estimated peak bytes of training. */
  trainingBytes: number;
}

/** Seconds every task spends outside training: starting Node and TF.js, loading data, testing, timing latency. */
export const TASK_OVERHEAD_SECONDS = 300;
/** Training time is doubled: estimates from a multiply-add rate are rough, and a node may be slower than where runs were measured. */
export const TIME_MARGIN = 2;
/** Node, TF.js's wasm heap and the data (measured: 350 MB resident for a small run; 2026-11-30). */
export const PROCESS_BASE_BYTES = 512 * 2 ** 20;
export const MEMORY_MARGIN = 2;
const MEMORY_STEP_BYTES = 256 * 2 ** 20;
const MIN_MEMORY_BYTES = 2 ** 30;

export interface ResourceRequest {
  /** Wall-clock limit of each task, seconds. */
  seconds: number;
  /** Memory of each task, bytes (a multiple of 256 MiB, at least 1 GiB). */
  memoryBytes: number;
}

/**
 * The request that fits every task of the array (one request covers them
 * all): the longest run's estimate x TIME_MARGIN + TASK_OVERHEAD_SECONDS,
 * rounded up to whole minutes, and the largest run's memory x MEMORY_MARGIN
 * + PROCESS_BASE_BYTES. Runs nothing can time need an explicit time.
 */
export function resourceRequest(runs: readonly ArrayTaskRun[], given: {seconds?: number; memoryBytes?: number} = {}): ResourceRequest {
  if (runs.length === 0) throw new Error('resourceRequest: no runs to request resources for');
  let seconds = given.seconds;
  if (seconds == null) {
    const unknown = runs.filter(r => r.seconds == null);
    if (unknown.length > 0) {
      throw new Error(`cannot estimate the time of run${unknown.length > 1 ? 's' : ''} ${unknown.map(r => r.index).join(', ')}: ` +
          'no run of that network or on that engine is recorded yet; give --time HH:MM:SS ' +
          '(or train one run first, e.g. cnnlab run-plan with --only, so that the plan can time the rest)');
    }
    const longest = Math.max(...runs.map(r => r.seconds!));
    seconds = Math.ceil((longest * TIME_MARGIN + TASK_OVERHEAD_SECONDS) / 60) * 60;
  }
  let memoryBytes = given.memoryBytes;
  if (memoryBytes == null) {
    const largest = Math.max(...runs.map(r => r.trainingBytes));
    const wanted = Math.max(MIN_MEMORY_BYTES, largest * MEMORY_MARGIN + PROCESS_BASE_BYTES);
    memoryBytes = Math.ceil(wanted / MEMORY_STEP_BYTES) * MEMORY_STEP_BYTES;
  }
  return {seconds, memoryBytes};
}

/** Slurm's time format: "MM:SS" is ambiguous to readers, so always [D-]HH:MM:SS. */
export function formatSlurmTime(seconds: number): string {
  if (!(Number.isFinite(seconds) && seconds > 0)) throw new Error(`a Slurm time limit must be > 0 seconds, got ${seconds}`);
  const whole = Math.ceil(seconds);
  const days = Math.floor(whole / 86400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor(whole % 86400 / 3600))}:${pad(Math.floor(whole % 3600 / 60))}:${pad(whole % 60)}`;
  return days > 0 ? `${days}-${clock}` : clock;
}

/** Parses --time as Slurm writes it: HH:MM:SS, D-HH:MM:SS or MM (minutes). */
export function parseSlurmTime(text: string, source = '--time'): number {
  const match = /^(?:(\d+)-)?(\d+):([0-5]\d):([0-5]\d)$/.exec(text.trim());
  let seconds = NaN;
  if (match) seconds = Number(match[1] ?? 0) * 86400 + Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
  else if (/^\d+$/.test(text.trim())) seconds = Number(text.trim()) * 60;
  if (!(seconds > 0)) throw new Error(`${source} must be HH:MM:SS, D-HH:MM:SS or whole minutes, and more than 0, got '${text}'`);
  return seconds;
}

/** Parses --mem as sbatch does: a number with an optional K, M, G or T suffix (default M). */
export function parseSlurmMemory(text: string, source = '--mem'): number {
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(text.trim());
  const units: Record<string, number> = {'': 2 ** 20, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40};
  const bytes = match ? Number(match[1]) * units[match[2].toUpperCase()] : NaN;
  if (!(bytes >= 2 ** 20)) throw new Error(`${source} must be a size such as 4G or 3500M (at least 1M), got '${text}'`);
  return bytes;
}

/** Memory as sbatch's --mem takes it: whole megabytes, rounded up. */
export function formatSlurmMemory(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}M`;
}

export interface ArrayScriptInput {
  chapter: string;
  budget: Budget;
  backend: BackendName;
  runs: readonly ArrayTaskRun[];
  request: ResourceRequest;
  /** The records folder every task writes to (on the shared file system). */
  resultsDir: string;
  /** This submission's folder: the task logs land here. */
  jobDir: string;
  /** The command that starts cnnlab on a node, as argv (Node and bin/cnnlab.cjs, or the pack's bin/cnnlab). */
  cnnlab: readonly string[];
  /** At most this many tasks run at once (Slurm's %M). */
  maxParallel?: number;
  cpusPerTask: number;
  gpusPerTask?: number;
  partition?: string;
  /** Environment the tasks need besides the results folder (e.g. LAB_DATA_DIR). */
  environment?: Readonly<Record<string, string>>;
}

/** Single-quotes a word for bash, so that paths with spaces or quotes survive. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The marker lines each task prints, which `cnnlab slurm-status` reads back from its log. */
export const TASK_STARTED = 'cnnlab-slurm: started run';
export const TASK_FINISHED = 'cnnlab-slurm: finished run';

/** The sbatch script: directives, the run of each array task, and start / finish lines in each task's log. */
export function arrayScript(input: ArrayScriptInput): string {
  const {chapter, budget, backend, runs, request} = input;
  if (runs.length === 0) throw new Error('arrayScript: no runs to submit');
  if (!(Number.isInteger(input.cpusPerTask) && input.cpusPerTask >= 1)) {
    throw new Error(`cpus per task must be a whole number >= 1, got ${input.cpusPerTask}`);
  }
  const throttle = input.maxParallel != null ? `%${input.maxParallel}` : '';
  const directives = [
    `--job-name=cnnlab-${chapter}-${budget}`,
    `--array=0-${runs.length - 1}${throttle}`,
    `--cpus-per-task=${input.cpusPerTask}`,
    `--mem=${formatSlurmMemory(request.memoryBytes)}`,
    `--time=${formatSlurmTime(request.seconds)}`,
    // sbatch reads a double-quoted directive value whole (a folder with spaces).
    `--output=${/\s/.test(input.jobDir) ? `"${input.jobDir}/task-%a.log"` : `${input.jobDir}/task-%a.log`}`,
    ...(input.partition ? [`--partition=${input.partition}`] : []),
    ...(input.gpusPerTask ? [`--gpus-per-task=${input.gpusPerTask}`] : []),
  ];
  const environment = {LAB_RESULTS_DIR: input.resultsDir, ...input.environment};
  const command = [...input.cnnlab.map(shellQuote), 'run-plan', chapter, '--budget', budget, '--backend', backend,
                   '--threads', '"${SLURM_CPUS_PER_TASK:-1}"', '--only', '"$run"'].join(' ');
  return [
    '#!/bin/bash',
    `# Chapter ${chapter}, ${budget} budget on ${backend}: ${runs.length} run${runs.length > 1 ? 's' : ''} that the records folder`,
    '# did not hold when this was written, one array task each. Written by cnnlab slurm; submit with sbatch.',
    ...directives.map(d => `#SBATCH ${d}`),
    '',
    'set -u',
    '# The plan positions of the runs (cnnlab plan lists them) and their record keys, by array task.',
    `runs=(${runs.map(r => r.index).join(' ')})`,
    `keys=(${runs.map(r => r.key).join(' ')})`,
    'run=${runs[$SLURM_ARRAY_TASK_ID]}',
    ...Object.entries(environment).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
    '',
    `echo "${TASK_STARTED} $run (\${keys[$SLURM_ARRAY_TASK_ID]}) in job \${SLURM_ARRAY_JOB_ID:-?} on $(hostname) at $(date -u +%FT%T.%3NZ)"`,
    'status=0',
    `${command} || status=$?`,
    `echo "${TASK_FINISHED} $run with exit code $status at $(date -u +%FT%T.%3NZ)"`,
    'exit $status',
    '',
  ].join('\n');
}
