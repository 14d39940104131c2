/**
 * Two networks side by side, as a notebook cell builds them with their
 * arguments in view: cost each arm (`costArms`), train or reuse both at the
 * same seeds with the chapter's recipe (`trainArms`), and compare them
 * (`compareArms`). A student changes an option in the cell and re-runs it;
 * an arm that did not change is reused from its record.
 */
import {plural, signed} from '../../display/format';
import {Item, markdownItem, tableItem} from '../../display/show';
import {BudgetPlan} from '../../experiments/plan';
import {PlanResult, RunPlanOptions, runPlan} from '../../experiments/runner';
import {ExperimentSpec, ModelOptions, Run, TrainingSettings} from '../../experiments/spec';
import {networkCost} from '../../models/costs';
import {Verdict, pairedVerdict, spread, verdict} from '../../results/stats';
import {Noise, accuracy, noiseOf} from './runs';

/** One network of a comparison: what the tables call it, the model and its options, and any training setting of its own. */
export interface Arm {
  label: string;
  model: string;
  options: ModelOptions;
  training?: Partial<TrainingSettings>;
}

/** Each arm built and costed: parameters and multiply-adds, and each against the first arm's. */
export function costArms(arms: readonly Arm[]): Item {
  if (arms.length === 0) throw new Error('costArms needs at least one arm, got none');
  const costs = arms.map(arm => ({arm, totals: networkCost(arm.model, arm.options).totals}));
  const first = costs[0].totals;
  return tableItem(costs, [
    {header: 'network', value: c => c.arm.label},
    {header: 'params', value: c => c.totals.trainableParams},
    {header: 'MACs', value: c => c.totals.macs},
    {header: `MACs against ${costs[0].arm.label}`, value: c => `${(c.totals.macs / first.macs).toFixed(2)}×`},
  ], 'Built and costed before any training');
}

export interface TrainedArms {
  a: {arm: Arm; runs: Run[]};
  b: {arm: Arm; runs: Run[]};
  seeds: number[];
  result: PlanResult;
}

/** The plan that trains arm a (group 'a') and arm b (group 'b') at each of `seeds` with `plan`'s recipe. */
export function armsPlan(plan: BudgetPlan, arms: {a: Arm; b: Arm}, seeds: readonly number[]): BudgetPlan {
  if (seeds.length === 0 || !seeds.every(s => Number.isInteger(s) && s >= 0)) {
    throw new Error(`trainArms: seeds must be one or more whole numbers ≥ 0, got [${seeds.join(', ')}]`);
  }
  const spec = (arm: Arm, seed: number): ExperimentSpec =>
      ({model: arm.model, options: arm.options, seed, ...(arm.training ? {training: arm.training} : {})});
  return {
    chapter: plan.chapter, budget: plan.budget, training: plan.training, seeds: [...seeds],
    groups: [{name: 'a', title: arms.a.label, specs: seeds.map(s => spec(arms.a, s))},
             {name: 'b', title: arms.b.label, specs: seeds.map(s => spec(arms.b, s))}],
  };
}

/**
 * Trains arm a and arm b at each of `seeds` with `plan`'s recipe, or reuses
 * their records: a run with the same network, recipe and seed as one the
 * chapter trained is that run. Paired: at each seed both arms see the same
 * images in the same order, and their shared layers start alike.
 */
export async function trainArms(plan: BudgetPlan, arms: {a: Arm; b: Arm}, options: RunPlanOptions & {seeds?: number[]} = {}):
    Promise<TrainedArms> {
  const {seeds = [1], ...runOptions} = options;
  const result = await runPlan(armsPlan(plan, arms, seeds), {label: `${arms.a.label} against ${arms.b.label}`, ...runOptions});
  return {a: {arm: arms.a, runs: result.group('a')}, b: {arm: arms.b, runs: result.group('b')}, seeds: [...seeds], result};
}

/**
 * a minus b in test accuracy: over paired seeds, the mean of the per-seed
 * differences and its interval; with one seed, against a chapter's pooled
 * noise where one is given. `margin` makes "the same" decidable.
 */
export function armsVerdict(trained: TrainedArms, options: {noise?: Noise; margin?: number} = {}): Verdict {
  const byKey = (runs: Run[]) => new Map(runs.map(r => [r.config.seed, accuracy(r)]));
  const [a, b] = [byKey(trained.a.runs), byKey(trained.b.runs)];
  const paired = trained.seeds.filter(s => a.has(s) && b.has(s)).map(s => a.get(s)! - b.get(s)!);
  if (paired.length >= 2) return pairedVerdict(paired, options.margin ?? null, options.margin != null);
  const difference = paired.length === 1 ? paired[0] : NaN;
  return options.noise != null && options.noise.degreesOfFreedom > 0 ?
      verdict(difference, noiseOf(options.noise), {margin: options.margin ?? null}) :
      pairedVerdict(paired, options.margin ?? null);
}

/** The two arms' runs in a table, and a − b with its verdict in a sentence. */
export function compareArms(trained: TrainedArms, options: {noise?: Noise; margin?: number} = {}): Item[] {
  const rows = [trained.a, trained.b].map(side => ({side, accuracy: spread(side.runs.map(accuracy))}));
  const v = armsVerdict(trained, options);
  const how = trained.seeds.length >= 2 ? `the mean of ${plural(trained.seeds.length, 'paired difference')}` :
      options.noise == null ? 'one seed each and no noise given to judge it against' :
      options.noise.degreesOfFreedom > 0 ? 'one seed each, judged against the chapter\'s pooled seed noise' :
      'one seed each, and the chapter measured no seed noise at this budget';
  return [
    tableItem(rows, [
      {header: 'network', value: r => r.side.arm.label},
      {header: 'seeds', value: r => r.side.runs.map(run => run.config.seed).join(', ')},
      {header: 'test accuracy (mean)', value: r => r.accuracy.mean.toFixed(3)},
      {header: 'spread (std)', value: r => r.accuracy.n > 1 ? r.accuracy.std.toFixed(3) : '-'},
      {header: 'MACs', value: r => r.side.runs[0]?.result.macs ?? NaN},
      {header: 'params', value: r => r.side.runs[0]?.result.trainableParams ?? NaN},
    ]),
    markdownItem(`${trained.a.arm.label} against ${trained.b.arm.label}: test accuracy ${signed(v.difference)}, ${v.label}; ${how}.`),
  ];
}

/**
 * What an exercise's cell measured, read from its records at `plan`'s
 * budget (nothing trains): a − b with its verdict, or null where the cell
 * has not been run at this budget.
 */
export async function recordedVerdict(plan: BudgetPlan, arms: {a: Arm; b: Arm}, seeds: number[], options: RunPlanOptions = {},
                                      margin?: number): Promise<Verdict | null> {
  try {
    const trained = await trainArms(plan, arms, {...options, seeds, train: false, progress: 'silent'});
    return armsVerdict(trained, margin != null ? {margin} : {});
  } catch (error) {
    if (/not recorded yet/.test((error as Error).message)) return null;
    throw error;
  }
}

/** What an answer says of an exercise whose cell has not been run at `budget`. */
export function notRunYet(budget: string, what: string): string {
  return `not run yet at the ${budget} budget: run the exercise's cell (${what}), then ask again.`;
}
