/**
 * `cnnlab plan` and `cnnlab run-plan`: a chapter's runs from the command
 * line, without Jupyter. `plan` lists them (key, network, whether results/
 * holds each, estimated time); `run-plan` trains the missing ones, or one
 * shard of them, so that several processes or machines can share a plan
 * over one results folder. Running the notebook afterwards reuses them all.
 */
import {BOOK_CHAPTERS, findChapter} from '../chapters';
import {Chapter} from '../chapters/common/chapter';
import {BackendName} from '../engine';
import {plural} from '../display/format';
import {tableBundle} from '../display/table';
import {Budget, COURSE_MINUTES} from '../experiments/budget';
import {estimateRunSeconds, formatDuration, macRates, measuredSpeeds} from '../experiments/estimate';
import {ClaimDesign, claimDesign, claimGroup, predictionText} from '../experiments/claims';
import {BudgetPlan, Shard, expandPlan, parseShard} from '../experiments/plan';
import {runPlan} from '../experiments/runner';
import {ExperimentConfig, ExperimentResult, Run, trainingImagesOf} from '../experiments/spec';
import {networkCost} from '../models/costs';
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
  // Cached per network and built with zero weights: only shapes count.
  const macsOf = (config: ExperimentConfig) => networkCost(config.model, config.options, 'macs').totals.macs;
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
  const plan = chapter.plan(budget);
  const claims = claimRows(plan, rows);
  if (values['json']) {
    process.stdout.write(JSON.stringify({chapter: chapter.id, budget, backend, runs: rows, claims}, null, 1) + '\n');
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
  if (claims.length > 0) process.stdout.write('\n' + claimsText(plan, claims, rows));
  return 0;
}

export interface ClaimRow {
  id: string;
  claim: string;
  arms: string;
  paper: string;
  seeds: number;
  design: ClaimDesign;
  /** Recorded or estimated seconds of the claim's runs (each run once), null when one cannot be estimated. */
  seconds: number | null;
}

/** Per headline claim: its runs, the interval widths its design noise predicts, and their time. */
export function claimRows(plan: BudgetPlan, rows: readonly PlanRow[]): ClaimRow[] {
  const seeds = plan.claimSeeds ?? [];
  return (plan.claims ?? []).map(claim => {
    const mine = rows.filter(r => r.groups.includes(claimGroup(claim)));
    return {
      id: claim.id, claim: claim.claim, arms: `${claim.a.label} against ${claim.b.label}`,
      paper: predictionText(claim), seeds: seeds.length,
      design: claimDesign(claim, seeds.length, plan.designNoise ?? {pairedStd: NaN, basis: 'none given'}),
      seconds: mine.some(r => r.seconds == null) ? null : mine.reduce((sum, r) => sum + r.seconds!, 0),
    };
  });
}

/** What `cnnlab plan` says of the headline claims: which differences each design decides, and what the whole plan costs against 30 minutes. */
function claimsText(plan: BudgetPlan, claims: readonly ClaimRow[], rows: readonly PlanRow[]): string {
  const width = (x: number) => Number.isFinite(x) ? `±${x.toFixed(3)}` : 'none (one seed)';
  const decides = (d: ClaimDesign) => !Number.isFinite(d.halfWidth95) ? 'nothing: one seed measures no noise' :
      d.undecidedBand == null ? `any difference (equivalent below ${d.equivalentBelow.toFixed(3)}, differs above ${d.differsAbove.toFixed(3)})` :
      `equivalent below ${d.equivalentBelow.toFixed(3)}, differs above ${d.differsAbove.toFixed(3)}; ` +
      `leaves ${d.undecidedBand.low.toFixed(3)}-${d.undecidedBand.high.toFixed(3)} undecided` +
      (d.seedsToDecideAny != null ? ` (${d.seedsToDecideAny} seeds would decide any)` : '');
  const table = tableBundle(claims, [
    {header: 'claim', value: c => c.id},
    {header: 'arms (a against b)', value: c => c.arms},
    {header: 'paper', value: c => c.paper},
    {header: 'runs', value: c => c.design.runs},
    {header: '95 % interval', value: c => width(c.design.halfWidth95)},
    {header: 'decides |a - b|', value: c => decides(c.design)},
    {header: 'time', value: c => c.seconds == null ? '?' : formatDuration(c.seconds), align: 'right'},
  ])['text/plain'];
  const noise = plan.designNoise;
  const total = rows.reduce((sum, r) => sum + (r.seconds ?? 0), 0);
  const untimed = rows.filter(r => r.seconds == null).length;
  const whole = untimed === rows.length ?
      `nothing recorded in results/ on this machine times its ${plural(untimed, 'run')} yet (a chapter's or the tour's runs do)` :
      `about ${formatDuration(total)} of training here` + (untimed > 0 ? `, and ${plural(untimed, 'run')} nothing recorded here can time yet` : '');
  const over = plan.budget === 'course' && total > COURSE_MINUTES * 60 ?
      ` That is over the ${COURSE_MINUTES} minutes the course budget aims for on 2 cores; on this machine, train it with ` +
      '`cnnlab run-plan` in shards or on a cluster (`cnnlab slurm`).' : '';
  return `Headline claims (${plural(claims.length, 'claim')}, each a paired comparison at ${plural(claims[0].seeds, 'seed')}), ` +
      `expected intervals from a paired-difference noise of ${noise?.pairedStd ?? '?'} per seed (${noise?.basis ?? 'no design noise given'}):\n\n` +
      table + `\nThe whole plan: ${whole}.${over}\n`;
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

export const ANSWERS_OPTIONS = {
  budget: {type: 'string'},
  ...ENGINE_OPTIONS,
  json: {type: 'boolean'},
} as const;

/**
 * `cnnlab answers <chapter>`: the chapter's exercises answered by the lab,
 * for an instructor. Answers that need training read the records the
 * exercise's cell made at this budget, and say so where there are none.
 */
export async function commandAnswers(values: Record<string, unknown>, positionals: string[], budget: Budget): Promise<number> {
  const chapter = chapterArgument(positionals, 'answers');
  const module = BOOK_CHAPTERS.find(c => c.CHAPTER.id === chapter.id);
  if (module?.answers == null) {
    const answered = BOOK_CHAPTERS.filter(c => c.answers != null).map(c => c.CHAPTER.id);
    throw new UsageError(`chapter ${chapter.id} has no computed answers yet; chapters with answers: ${answered.join(', ') || 'none'}`);
  }
  const backend = (await startEngine(values)).backend;
  const answers = await module.answers(budget, {backend});
  if (values['json']) {
    process.stdout.write(JSON.stringify({chapter: chapter.id, budget, backend, answers}, null, 1) + '\n');
    return 0;
  }
  process.stdout.write(`chapter ${chapter.id} (${chapter.title}): answers to its exercises, ${budget} budget on ${backend}\n\n`);
  for (const a of answers) process.stdout.write(`${a.exercise}. ${a.title}\n   ${a.answer}\n\n`);
  return 0;
}
