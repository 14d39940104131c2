/**
 * The one run-or-reuse path: `cnnlab train`, `cnnlab run-plan` and the
 * notebooks all train through `runPlanned`. A run whose record is stored is
 * reused; a missing one is trained and its record written before the next
 * starts, so interrupted work resumes. One progress bar covers the whole
 * plan: run i of N, images per second, time left.
 */
import {BACKEND_NAMES, BackendName, EngineInfo, initEngine} from '../engine';
import {plural} from '../display/format';
import {createProgress, ProgressTarget} from '../display/progress';
import {ResultsStore} from '../results/store';
import {TrainProgress} from '../train/options';
import {formatDuration} from './estimate';
import {BudgetPlan, ExpandedPlan, PlannedRun, Shard, expandPlan, inShard} from './plan';
import {runExperiment} from './run';
import {ExperimentConfig, ExperimentResult, Run, trainingImagesOf} from './spec';

export const PLAN_MIME = 'application/vnd.cnnlab.plan+json';

/** How a plan's runs are read or trained: the records folder, retraining, progress. */
export interface RunRecordsOptions {
  store?: ResultsStore;
  /** Train again even where a record exists. */
  fresh?: boolean;
  /** Where to draw progress (default: the notebook in a kernel, else the terminal). */
  progress?: ProgressTarget;
  /** The progress bar's label. */
  label?: string;
  /** Train what is missing (default); false only reads what is recorded. */
  train?: boolean;
}

/**
 * Whose records a plan reads when they were trained on another engine (a GPU
 * machine with the pack, a cluster): LAB_RECORDS_BACKEND=webgpu. The engine
 * is part of a record's key, so without it the notebooks look for records of
 * the engine they run on.
 */
export const RECORDS_BACKEND_ENV = 'LAB_RECORDS_BACKEND';

export function recordsBackend(engine: BackendName, env: NodeJS.ProcessEnv = process.env): BackendName {
  const wanted = env[RECORDS_BACKEND_ENV];
  if (wanted == null || wanted === '') return engine;
  if (!(BACKEND_NAMES as readonly string[]).includes(wanted)) {
    throw new Error(`$${RECORDS_BACKEND_ENV} must be one of ${BACKEND_NAMES.join(', ')}, got '${wanted}'`);
  }
  return wanted as BackendName;
}

export interface RunPlanOptions extends RunRecordsOptions {
  /**
   * The engine the records are keyed by. Give either this or `engine`
   * (default: the engine in use, started if need be): with `engine`, it is
   * that engine's unless $LAB_RECORDS_BACKEND names another, and then
   * nothing is trained here (those records come from elsewhere).
   */
  backend?: BackendName;
  engine?: EngineInfo;
  /** Train only this shard's runs (every n-th of the plan) among the missing ones. */
  shard?: Shard;
  /** Train only the runs at these 0-based plan positions (when missing). */
  only?: readonly number[];
}

export interface RunsOutcome {
  /** Every run that is recorded now, by key. */
  runs: Map<string, Run>;
  /** Trained by this call. */
  ran: number;
  /** Found in the store. */
  reused: number;
  /** Neither recorded nor trained by this call (another shard's, or not asked for). */
  missing: PlannedRun[];
  /** Corrupt or unreadable records met (reported, then re-run). */
  problems: string[];
}

/** The runs of one plan on one engine, as recorded: what a chapter's tables read. */
export class PlanResult {
  constructor(readonly expanded: ExpandedPlan, readonly outcome: RunsOutcome) {}

  get chapter(): string { return this.expanded.plan.chapter; }
  get budget(): string { return this.expanded.plan.budget; }
  get backend(): BackendName { return this.expanded.backend; }
  get seeds(): readonly number[] { return this.expanded.plan.seeds; }
  get ran(): number { return this.outcome.ran; }
  get reused(): number { return this.outcome.reused; }

  /** A group's runs in the order of its specs; throws if one is not recorded. */
  group(name: string): Run[] {
    const keys = this.expanded.groupKeys.get(name);
    if (keys == null) {
      throw new Error(`chapter ${this.chapter} has no plan group '${name}'; its groups: ${[...this.expanded.groupKeys.keys()].join(', ')}`);
    }
    const missing = keys.filter(k => !this.outcome.runs.has(k)).length;
    if (missing > 0) {
      throw new Error(`chapter ${this.chapter}, group '${name}': ${missing} of ${keys.length} runs are not recorded yet ` +
          `(cnnlab run-plan ${this.chapter} --budget ${this.budget} trains them)`);
    }
    return keys.map(k => this.outcome.runs.get(k)!);
  }

  /** Every recorded run of the plan, once each, in plan order. */
  all(): Run[] {
    return this.expanded.runs.map(r => this.outcome.runs.get(r.key)).filter((r): r is Run => r != null);
  }

  summary(): {chapter: string; budget: string; backend: string; total: number; ran: number; reused: number; missing: number} {
    return {chapter: this.chapter, budget: this.budget, backend: this.backend, total: this.expanded.runs.length,
            ran: this.ran, reused: this.reused, missing: this.outcome.missing.length};
  }
}

function toRun(key: string, config: ExperimentConfig, result: ExperimentResult): Run {
  // Records made before the step curve was kept (2026-11-30) have none.
  return {key, config, result: {...result, stepCurve: result.stepCurve ?? []}};
}

/**
 * Reuses what `store` holds of `planned` and trains `selected(missing)` of
 * the rest, one after another, under one progress bar.
 */
export async function runPlanned(planned: readonly PlannedRun[], options: RunRecordsOptions & {
  select?: (missing: PlannedRun[]) => PlannedRun[];
  titleOf?: (run: PlannedRun) => string;
} = {}): Promise<RunsOutcome> {
  const store = options.store ?? new ResultsStore();
  const runs = new Map<string, Run>();
  let missing: PlannedRun[] = [];
  for (const run of planned) {
    const record = options.fresh ? null : store.get<ExperimentConfig, ExperimentResult>(run.config);
    if (record != null) runs.set(run.key, toRun(run.key, record.config, record.result));
    else missing.push(run);
  }
  const todo = options.train === false ? [] : (options.select ?? (m => m))(missing);
  const images = todo.map(r => trainingImagesOf(r.config));
  const totalImages = images.reduce((a, b) => a + b, 0);
  const progress = createProgress({total: totalImages, label: options.label ?? 'training', target: options.progress});
  let ran = 0;
  let doneImages = 0;
  let doneSeconds = 0;
  try {
    for (const [i, run] of todo.entries()) {
      const title = options.titleOf?.(run) ?? run.config.model;
      const onProgress = async (p: TrainProgress) => {
        const seconds = doneSeconds + p.seconds;
        const speed = seconds > 0 ? (doneImages + p.images) / seconds : 0;
        const left = speed > 0 ? (totalImages - doneImages - p.images) / speed : NaN;
        await progress.update(doneImages + p.images,
            `run ${i + 1} of ${todo.length} (${title}), epoch ${p.epoch + 1}/${p.epochs}, ` +
            `${Math.round(speed).toLocaleString('en-US')} img/s, ${Number.isFinite(left) ? `~${formatDuration(left)} left` : 'timing'}`);
      };
      const {record, reused: foundMeanwhile} = await store.getOrRun(run.config,
          () => runExperiment(run.config, {onProgress}), {fresh: options.fresh});
      runs.set(run.key, toRun(run.key, record.config, record.result));
      doneImages += images[i];
      if (!foundMeanwhile) {
        ran++;
        const speed = record.result.timing.trainImagesPerSecond;
        doneSeconds += speed > 0 ? images[i] / speed : 0;
      }
    }
  } catch (error) {
    await progress.finish(`stopped after ${plural(ran, 'run')} trained: ${(error as Error).message}`);
    throw error;
  }
  const counts = {total: planned.length, ran, reused: runs.size - ran, missing: planned.length - runs.size};
  await progress.finish(
      [ran > 0 ? `${plural(ran, 'run')} trained now (${formatDuration(doneSeconds)} of training)` : null,
       counts.reused > 0 ? `${plural(counts.reused, 'run')} reused from results/` : null,
       counts.missing > 0 ? `${plural(counts.missing, 'run')} not recorded yet` : null].filter(Boolean).join(', ') || 'nothing to run',
      {[PLAN_MIME]: counts});
  missing = missing.filter(r => !runs.has(r.key));
  return {runs, ran, reused: runs.size - ran, missing, problems: store.problems.map(p => `${p.file}: ${p.problem}`)};
}

/** Trains (or reuses) a chapter plan's runs on one engine and returns them as recorded. */
export async function runPlan(plan: BudgetPlan, given: RunPlanOptions = {}): Promise<PlanResult> {
  const options = given.backend == null && given.engine == null ? {...given, engine: await initEngine()} : given;
  const backend = options.backend ?? recordsBackend(options.engine!.backend);
  const elsewhere = options.engine != null && options.engine.backend !== backend;
  const expanded = expandPlan(plan, backend);
  const groupTitles = new Map(plan.groups.map(g => [g.name, g.title]));
  for (const index of options.only ?? []) {
    if (!(Number.isInteger(index) && index >= 0 && index < expanded.runs.length)) {
      throw new Error(`run index must be a whole number in 0..${expanded.runs.length - 1} ` +
          `(chapter ${plan.chapter}, ${plan.budget} budget), got ${index}`);
    }
  }
  const outcome = await runPlanned(expanded.runs, {
    ...options,
    train: elsewhere ? false : options.train,
    label: options.label ?? `chapter ${plan.chapter} (${plan.budget}${elsewhere ? `, records trained on ${backend}` : ''})`,
    titleOf: run => groupTitles.get(run.groups[0]) ?? run.groups[0],
    select: missing => {
      let chosen = options.only ? missing.filter(r => options.only!.includes(r.index)) : missing;
      if (options.shard) chosen = chosen.filter(r => inShard(r.index, options.shard!));
      return chosen;
    },
  });
  return new PlanResult(expanded, outcome);
}
