/**
 * A chapter's plan: for each budget, the recipe its runs train with and
 * named groups of experiment specs (a sweep, an ablation). Expanding a plan
 * for an engine gives its runs in a fixed order, each with the key its
 * record is stored under; a run that two groups share is trained once.
 */
import {BackendName} from '../engine';
import {configKey} from '../results/store';
import {Budget} from './budget';
import {DesignNoise, HeadlineClaim, claimGroup, claimSpecs} from './claims';
import {ExperimentConfig, ExperimentSpec, TrainingSettings, configOf} from './spec';

export interface PlanGroup {
  /** Short id that the chapter's tables read the group by, e.g. 'grid'. */
  name: string;
  /** What the group measures, for progress lines and `cnnlab plan`. */
  title: string;
  specs: ExperimentSpec[];
}

export interface BudgetPlan {
  /** The chapter's id, e.g. '03'. */
  chapter: string;
  budget: Budget;
  /** The recipe every run of this budget trains with (a spec may override a setting). */
  training: Partial<TrainingSettings>;
  /** The seeds that noise-measuring groups repeat over. */
  seeds: number[];
  groups: PlanGroup[];
  /** The claims this plan is designed to decide; each trains its two arms at every claim seed (group 'claim:<id>'). */
  claims?: readonly HeadlineClaim[];
  /** The seeds every headline claim's arms train at (paired: both arms share each). */
  claimSeeds?: number[];
  /** The per-seed noise of a paired difference the claim seeds were sized from. */
  designNoise?: DesignNoise;
}

/** The plan groups that train headline claims' arms, one per claim, to go after a chapter's own groups. */
export function claimGroups(claims: readonly HeadlineClaim[], seeds: readonly number[]): PlanGroup[] {
  return claims.map(claim => ({name: claimGroup(claim), title: `headline claim: ${claim.claim}`, specs: claimSpecs(claim, seeds)}));
}

export interface PlannedRun {
  /** 0-based position in the plan's run list (what `run-plan --only` takes). */
  index: number;
  key: string;
  config: ExperimentConfig;
  /** Every group that asks for this run, first one first. */
  groups: string[];
}

export interface ExpandedPlan {
  plan: BudgetPlan;
  backend: BackendName;
  runs: PlannedRun[];
  /** Each group's run keys, in the order of its specs. */
  groupKeys: ReadonlyMap<string, readonly string[]>;
}

export function expandPlan(plan: BudgetPlan, backend: BackendName): ExpandedPlan {
  const byKey = new Map<string, PlannedRun>();
  const groupKeys = new Map<string, string[]>();
  for (const group of plan.groups) {
    if (groupKeys.has(group.name)) throw new Error(`chapter ${plan.chapter}: two plan groups are named '${group.name}'`);
    const keys = group.specs.map(spec => {
      const config = configOf(spec, plan.training, backend);
      const key = configKey(config);
      const known = byKey.get(key);
      if (known == null) byKey.set(key, {index: byKey.size, key, config, groups: [group.name]});
      else if (!known.groups.includes(group.name)) known.groups.push(group.name);
      return key;
    });
    groupKeys.set(group.name, keys);
  }
  return {plan, backend, runs: [...byKey.values()], groupKeys};
}

/** Shard i of n (1-based), as `--shard 2/3` writes it. */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string, source = 'shard'): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!(count >= 1 && index >= 1 && index <= count)) {
    throw new Error(`${source} must be i/n with 1 <= i <= n (e.g. 1/2), got '${text}'`);
  }
  return {index, count};
}

/**
 * Whether shard i of n owns the run at plan position `index`: every n-th
 * run of the plan, starting at the i-th. Ownership depends on the plan
 * alone, not on what is recorded when a process starts, so shards started
 * at different times (a queue, a second machine) still never overlap.
 */
export function inShard(index: number, shard: Shard): boolean {
  return index % shard.count === shard.index - 1;
}
