/**
 * `cnnlab plan` and `cnnlab run-plan`: a chapter's runs from the command
 * line, without Jupyter. `plan` lists them (key, network, whether results/
 * holds each, estimated time); `run-plan` trains the missing ones, or one
 * shard of them, so that several processes or machines can share a plan
 * over one results folder. Running the notebook afterwards reuses them all.
 */
import {findChapter} from '../chapters';
import {Chapter} from '../chapters/common/chapter';
import {costOf} from '../cost';
import {BackendName} from '../engine';
import {plural} from '../display/format';
import {tableBundle} from '../display/table';
import {Budget} from '../experiments/budget';
import {estimateRunSeconds, formatDuration, macRates, measuredSpeeds} from '../experiments/estimate';
import {Shard, expandPlan, parseShard} from '../experiments/plan';
import {runPlan} from '../experiments/runner';
import {ExperimentConfig, ExperimentResult, Run, trainingImagesOf} from '../experiments/spec';
import {buildModel} from '../models';
import {ResultsStore} from '../results/store';
import {ENGINE_OPTIONS, startEngine} from './engine-choice';
import {UsageError, asUsage} from './errors';

export const PLAN_OPTIONS = {
  budget: {type: 'string'},
  ...ENGINE_OPTIONS,
  json: {type: 'boolean'},
} as const;

export const RUN_PLAN_OPTIONS = {
  budget: {type: 'string'},
  ...ENGINE_OPTIONS,
  shard: {type: 'string'},
  only: {type: 'string'},
  fresh: {type: 'boolean'},
} as const;

export function chapterArgument(positionals: readonly string[], command: string): Chapter {
  if (positionals.length !== 1) throw new UsageError(`cnnlab ${command} takes one chapter (e.g. 03 or mobilenet), got ${positionals.length}`);
  return asUsage(() => findChapter(positionals[0]));
}

export interface PlanRow {
  index: number;
  key: string;
  groups: string[];
  model: string;
  options: ExperimentConfig['options'];
  seed: number;
  recorded: boolean;
  /** Recorded training seconds, or the estimate for a missing run (null when nothing measured can time it). */
  seconds: number | null;
  estimated: boolean;
}

export function planRows(chapter: Chapter, budget: Budget, backend: BackendName, store = new ResultsStore()): PlanRow[] {
  const expanded = expandPlan(chapter.plan(budget), backend);
  const measured: Run[] = store.list().map(r => ({key: r.key, config: r.config as ExperimentConfig, result: r.result as ExperimentResult}))
      .filter(r => r.result?.timing != null && r.config?.backend != null);
  const speeds = measuredSpeeds(measured);
  const rates = macRates(measured);
  const macsOf = (config: ExperimentConfig) => costOf(buildModel(config.model, config.options)).totals.macs;
  return expanded.runs.map(run => {
    const record = store.get<ExperimentConfig, ExperimentResult>(run.config);
    const estimate = record ? null : estimateRunSeconds(run.config, speeds, rates, {trainingImages: trainingImagesOf, macsOf});
    return {
      index: run.index, key: run.key, groups: run.groups, model: run.config.model, options: run.config.options, seed: run.config.seed,
      recorded: record != null, seconds: record ? record.result.seconds : estimate?.seconds ?? null, estimated: record == null,
    };
  });
}

function optionsText(options: ExperimentConfig['options']): string {
  return Object.entries(options).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(4)) : JSON.stringify(v)}`).join(' ');
}

export async function commandPlan(values: Record<string, unknown>, positionals: string[], budget: Budget): Promise<number> {
  const chapter = chapterArgument(positionals, 'plan');
  const backend = (await startEngine(values)).backend;
  const rows = planRows(chapter, budget, backend);
  const missing = rows.filter(r => !r.recorded);
  const toTrain = missing.reduce((sum, r) => sum + (r.seconds ?? 0), 0);
  const unknown = missing.filter(r => r.seconds == null).length;
  if (values['json']) {
    process.stdout.write(JSON.stringify({chapter: chapter.id, budget, backend, runs: rows}, null, 1) + '\n');
    return 0;
  }
  process.stdout.write(`chapter ${chapter.id} (${chapter.title}), ${budget} budget on ${backend}: ${plural(rows.length, 'run')}, ` +
      `${rows.length - missing.length} recorded in results/, ${missing.length} to train` +
      (missing.length > 0 ? ` (about ${formatDuration(toTrain)} of training${unknown > 0 ? `, ${unknown} not estimated` : ''})` : '') + '\n\n');
  process.stdout.write(tableBundle(rows, [
    {header: '#', value: r => r.index},
    {header: 'key', value: r => r.key},
    {header: 'group', value: r => r.groups.join(', ')},
    {header: 'model', value: r => r.model},
    {header: 'options', value: r => optionsText(r.options)},
    {header: 'seed', value: r => r.seed},
    {header: 'recorded', value: r => r.recorded ? 'yes' : 'no'},
    {header: 'time', value: r => r.seconds == null ? '?' : `${r.estimated ? '~' : ''}${formatDuration(r.seconds)}`, align: 'right'},
  ])['text/plain'] + '\n');
  return 0;
}

function onlyOption(text: string | undefined): number[] | undefined {
  if (text == null) return undefined;
  return text.split(',').map(part => {
    const n = Number(part.trim());
    if (part.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--only takes run numbers (0, 1, ...) separated by commas, got '${text}'`);
    return n;
  });
}

export async function commandRunPlan(values: Record<string, unknown>, positionals: string[], budget: Budget): Promise<number> {
  const chapter = chapterArgument(positionals, 'run-plan');
  const shard: Shard | undefined = values['shard'] == null ? undefined : asUsage(() => parseShard(values['shard'] as string, '--shard'));
  const only = onlyOption(values['only'] as string | undefined);
  const backend = (await startEngine(values)).backend;
  const plan = chapter.plan(budget);
  const runCount = expandPlan(plan, backend).runs.length;
  const outside = only?.find(i => i >= runCount);
  if (outside != null) {
    throw new UsageError(`--only: chapter ${chapter.id}'s ${budget} plan has runs 0..${runCount - 1} (see cnnlab plan), got ${outside}`);
  }
  const result = await runPlan(plan, {backend, shard, only, fresh: values['fresh'] === true, progress: 'terminal'});
  for (const problem of result.outcome.problems) process.stderr.write(`warning: ${problem}\n`);
  const s = result.summary();
  process.stdout.write(`chapter ${chapter.id}, ${budget} budget on ${backend}` + (shard ? `, shard ${shard.index}/${shard.count}` : '') +
      `: ${plural(s.ran, 'run')} trained now, ${s.reused} reused from results/, ${s.missing} not recorded yet` +
      (s.missing > 0 ? ' (other shards, or --only left them out)' : '') + '\n');
  return 0;
}
