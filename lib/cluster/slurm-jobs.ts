/**
 * What became of a plan's runs on a Slurm cluster. Each submission keeps a
 * folder beside the records (script, job.json, one log per array task);
 * a run's state comes from the records first, then from Slurm's queue
 * (squeue), then from accounting (sacct, where the cluster keeps it), then
 * from the task's own log: the lab needs no database of its own.
 */
import {execFileSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {BackendName} from '../engine';
import {Budget} from '../experiments/budget';
import {writeFileAtomic} from '../results/atomic';
import {TASK_FINISHED, TASK_STARTED} from './slurm-script';

export const SUBMISSION_FORMAT = 1;
/** Submissions live here, inside the records folder, so every node sees them. */
export const SUBMISSIONS_FOLDER = 'slurm';

export interface Submission {
  format: number;
  chapter: string;
  budget: Budget;
  backend: BackendName;
  /** sbatch's job id, once submitted by `cnnlab slurm --submit` (null: written, perhaps submitted by hand). */
  jobId: string | null;
  writtenAt: string;
  script: string;
  /** Array task i trains run runs[i]. */
  runs: Array<{task: number; index: number; key: string}>;
}

export function submissionsDir(resultsDir: string): string {
  return path.join(resultsDir, SUBMISSIONS_FOLDER);
}

export function writeSubmission(jobDir: string, submission: Submission): void {
  writeFileAtomic(path.join(jobDir, 'job.json'), JSON.stringify(submission, null, 1) + '\n');
}

/** Every submission of a chapter's budget on an engine, oldest first; unreadable ones land in `problems`. */
export function readSubmissions(resultsDir: string, filter: {chapter: string; budget: Budget; backend: BackendName},
                                problems: string[] = []): Array<Submission & {dir: string}> {
  const root = submissionsDir(resultsDir);
  if (!fs.existsSync(root)) return [];
  const found: Array<Submission & {dir: string}> = [];
  for (const name of fs.readdirSync(root).sort()) {
    const file = path.join(root, name, 'job.json');
    if (!fs.existsSync(file)) continue;
    try {
      const submission = JSON.parse(fs.readFileSync(file, 'utf8')) as Submission;
      if (submission?.format !== SUBMISSION_FORMAT || !Array.isArray(submission.runs)) throw new Error(`not a format-${SUBMISSION_FORMAT} submission`);
      if (submission.chapter === filter.chapter && submission.budget === filter.budget && submission.backend === filter.backend) {
        found.push({...submission, dir: path.join(root, name)});
      }
    } catch (error) {
      problems.push(`${file}: unreadable, skipped (${(error as Error).message})`);
    }
  }
  return found.sort((a, b) => a.writtenAt.localeCompare(b.writtenAt));
}

/** One array task as squeue lists it (`-r` lists pending tasks one by one). */
export interface QueuedTask {
  jobId: string;
  task: number;
  state: string;
  /** The batch script's path: how a job submitted by hand is matched to its submission. */
  command: string;
}

/** Parses `squeue -h -r -o '%F|%K|%T|%o'`; jobs that are not arrays (task N/A) are left out. */
export function parseQueue(text: string): QueuedTask[] {
  return text.split('\n').map(line => line.trim().split('|')).filter(f => f.length >= 4 && /^\d+$/.test(f[1]))
      .map(([jobId, task, state, ...command]) => ({jobId, task: Number(task), state, command: command.join('|')}));
}

/** Parses `sacct -n -P -X -o JobID,State`: "123_4|FAILED" -> {"123_4": "FAILED"} ("CANCELLED by 0" -> "CANCELLED"). */
export function parseAccounting(text: string): Map<string, string> {
  const states = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [id, state] = line.trim().split('|');
    if (id && state && /^\d+_\d+$/.test(id)) states.set(id, state.split(' ')[0]);
  }
  return states;
}

/** What a task's log says: started, and how it ended, if it did. */
export interface TaskLog {
  started: boolean;
  /** The array's job id, as the task saw it. */
  jobId: string | null;
  exitCode: number | null;
  /** Slurm's own word on a killed task: cancelled, out of time, out of memory. */
  killedBecause: string | null;
}

export function readTaskLog(text: string): TaskLog {
  const finished = new RegExp(`${TASK_FINISHED} \\d+ with exit code (\\d+)`).exec(text);
  let killedBecause: string | null = null;
  if (/CANCELLED AT \S+ DUE TO TIME LIMIT/.test(text)) killedBecause = 'out of time';
  else if (/oom[-_ ]kill|Exceeded job memory limit|out of memory/i.test(text)) killedBecause = 'out of memory';
  else if (/\*\*\* JOB \d+ ON \S+ CANCELLED AT/.test(text)) killedBecause = 'cancelled';
  const started = new RegExp(`${TASK_STARTED} \\d+ \\(\\w*\\) in job (\\d+)`).exec(text);
  return {started: text.includes(TASK_STARTED), jobId: started?.[1] ?? null, exitCode: finished ? Number(finished[1]) : null, killedBecause};
}

export type RunState = 'recorded' | 'pending' | 'running' | 'failed' | 'missing' | 'submitted';

export interface RunStatus {
  index: number;
  key: string;
  state: RunState;
  /** Why, for failed and submitted runs; the job and task for queued ones. */
  detail: string;
  /** The task's log, when it has one. */
  log: string | null;
}

const RUNNING_STATES = new Set(['RUNNING', 'CONFIGURING', 'COMPLETING', 'STAGE_OUT', 'SIGNALING', 'RESIZING']);
const WAITING_STATES = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'SUSPENDED', 'STOPPED', 'RESV_DEL_HOLD']);

export interface ClusterView {
  /** null: squeue could not be asked (no Slurm here, controller down). */
  queue: QueuedTask[] | null;
  /** null: the cluster keeps no accounting (sacct refused). */
  accounting: Map<string, string> | null;
  /** A task's log text, or null when it has none yet. */
  logOf: (submission: Submission & {dir: string}, task: number) => string | null;
}

/**
 * Each run's state. A run's latest submission decides: its task is queued
 * (pending, running), or it left the queue without a record (failed, with
 * sacct's state or what its log says), or the script was written and never
 * submitted (missing, like a run no submission names).
 */
export function runStates(runs: ReadonlyArray<{index: number; key: string; recorded: boolean}>,
                          submissions: ReadonlyArray<Submission & {dir: string}>, cluster: ClusterView): RunStatus[] {
  return runs.map(run => {
    const base = {index: run.index, key: run.key, log: null as string | null};
    if (run.recorded) return {...base, state: 'recorded' as const, detail: ''};
    const latest = [...submissions].reverse().map(s => ({s, entry: s.runs.find(r => r.key === run.key)}))
        .find(({entry}) => entry != null);
    if (latest == null) return {...base, state: 'missing' as const, detail: 'not submitted'};
    const {s, entry} = latest as {s: Submission & {dir: string}; entry: Submission['runs'][number]};
    const logText = cluster.logOf(s, entry.task);
    const log = logText == null ? null : path.join(s.dir, `task-${entry.task}.log`);
    const taskLog = logText == null ? null : readTaskLog(logText);
    const queued = cluster.queue?.find(q => q.task === entry.task && (q.jobId === s.jobId || q.command === s.script));
    // A job submitted by hand: its id from the queue (any of its tasks) or from a task's log.
    const jobId = s.jobId ?? cluster.queue?.find(q => q.command === s.script)?.jobId ?? taskLog?.jobId ?? null;
    const where = `job ${jobId ?? '?'}, task ${entry.task}`;
    if (queued != null) {
      if (RUNNING_STATES.has(queued.state)) return {...base, log, state: 'running' as const, detail: where};
      if (WAITING_STATES.has(queued.state)) return {...base, log, state: 'pending' as const, detail: `${where} (${queued.state.toLowerCase()})`};
    }
    if (s.jobId == null && logText == null && queued == null) {
      return {...base, state: 'missing' as const, detail: `script written, not submitted (${s.script})`};
    }
    const accounted = jobId != null ? cluster.accounting?.get(`${jobId}_${entry.task}`) : undefined;
    if (cluster.queue == null && accounted == null) {
      if (taskLog?.exitCode == null) return {...base, log, state: 'submitted' as const, detail: `${where}; squeue is not reachable to tell whether it is queued`};
    }
    return {...base, log, state: 'failed' as const, detail: `${where}: ${failureReason(taskLog, accounted)}`};
  });
}

function failureReason(log: TaskLog | null, accounted: string | undefined): string {
  if (accounted != null && accounted !== 'COMPLETED') return accounted.toLowerCase().replace(/_/g, ' ');
  if (log == null) return 'left the queue before it started (cancelled while pending?)';
  if (log.exitCode === 0) return 'finished, but its record is missing or corrupt';
  if (log.exitCode != null) return `exit code ${log.exitCode} (see the log)`;
  if (log.killedBecause) return log.killedBecause;
  return log.started ? 'killed while training (cancelled, out of time or memory, or the node failed)' : 'did not start cnnlab';
}

function slurmCommand(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000});
  } catch {
    return null;
  }
}

/** The cluster as this machine sees it: squeue and sacct where they answer, logs from the submission folders. */
export function observeCluster(submissions: ReadonlyArray<Submission & {dir: string}>): ClusterView {
  const queueText = slurmCommand('squeue', ['-h', '-r', '-o', '%F|%K|%T|%o']);
  const ids = [...new Set(submissions.map(s => s.jobId).filter((id): id is string => id != null))];
  const accountingText = ids.length === 0 ? null : slurmCommand('sacct', ['-n', '-P', '-X', '-j', ids.join(','), '-o', 'JobID,State']);
  return {
    queue: queueText == null ? null : parseQueue(queueText),
    accounting: accountingText == null ? null : parseAccounting(accountingText),
    logOf: (submission, task) => {
      const file = path.join(submission.dir, `task-${task}.log`);
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    },
  };
}
