/**
 * The statistics behind a chapter's findings: spreads over seeds, the noise
 * of a difference, a verdict decided by its interval (intervals.ts), Pareto
 * fronts and matched-cost selection. Each function is tested against its definition
 * with hand-worked numbers (test/results/stats.test.ts).
 */

import {Decision, judge, pairedInterval, seedsToDecide} from './intervals';

/** Summaries over seeds: mean and sample standard deviation. */
export interface Spread {
  mean: number;
  /** Sample standard deviation (n - 1); 0 for a single value. */
  std: number;
  n: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('spread of no values');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return {mean, std: Math.sqrt(variance), n: values.length};
}

export interface PooledStd {
  std: number;
  degreesOfFreedom: number;
}

/**
 * The standard deviation pooled over groups that share one noise level (the
 * same recipe at several widths, each over a few seeds): each group's sample
 * variance weighted by its degrees of freedom. With two seeds a group's own
 * std is a poor estimate, and the largest of several is biased upwards; the
 * pooled one uses every run. `degreesOfFreedom` is 0 when no group has two
 * values, and then `std` is NaN: there is no noise estimate.
 */
export function pooledStd(groups: readonly Spread[]): PooledStd {
  const degreesOfFreedom = groups.reduce((sum, g) => sum + Math.max(g.n - 1, 0), 0);
  if (degreesOfFreedom === 0) return {std: NaN, degreesOfFreedom};
  const squares = groups.reduce((sum, g) => sum + Math.max(g.n - 1, 0) * g.std ** 2, 0);
  return {std: Math.sqrt(squares / degreesOfFreedom), degreesOfFreedom};
}

/**
 * The standard deviation of a difference between two means of `runsEach`
 * independent runs each, when one run has standard deviation `runStd`:
 * var(mean_a - mean_b) = 2 runStd² / runsEach.
 */
export function differenceNoise(runStd: number, runsEach = 1): number {
  if (!Number.isInteger(runsEach) || runsEach < 1) throw new Error(`runs per mean must be a whole number >= 1, got ${runsEach}`);
  return Math.SQRT2 * runStd / Math.sqrt(runsEach);
}

/** How one run's noise was estimated: its standard deviation and that estimate's degrees of freedom. */
export interface NoiseEstimate {
  runStd: number;
  degreesOfFreedom: number;
}

/** A measured difference decided by its confidence interval (lib/results/intervals.ts says how). */
export interface Verdict {
  difference: number;
  /** Standard error of the difference; NaN when no noise was measured. */
  noise: number;
  degreesOfFreedom: number;
  decision: Decision;
  /** The 95 % interval; NaN when unmeasured. */
  low: number;
  high: number;
  /** The equivalence margin set before the run, for claims of "no worse" or "the same"; null otherwise. */
  margin: number | null;
  /** Two-sided p-value against no difference; null when unmeasured. */
  p: number | null;
  /** For an undecided difference: the seeds per arm the measured noise says would decide it (null: none below 1,000). */
  seedsToDecide: number | null;
  /** True only when the difference is decided: the 95 % interval excludes zero. */
  beyondNoise: boolean;
  /** The decision in words, with its interval. */
  label: string;
}

const interval = (low: number, high: number) => `${signedNumber(low)} to ${signedNumber(high)}`;
const signedNumber = (value: number) => `${value >= 0 ? '+' : '-'}${Math.abs(value).toFixed(3)}`;

/**
 * Decides `difference` between two means of `runsEach` runs each, when one
 * run has the standard deviation and degrees of freedom of `noise`: differs
 * when its 95 % interval excludes zero, equivalent within ±margin when its
 * 90 % interval lies inside, else undecided (with the seeds that would
 * decide). Without a noise estimate (one seed) it says it was not checked.
 */
export function verdict(difference: number, noise: NoiseEstimate, options: {runsEach?: number; margin?: number | null} = {}): Verdict {
  const runsEach = options.runsEach ?? 1;
  const se = differenceNoise(noise.runStd, runsEach);
  return decided(difference, Number.isFinite(se) ? se : NaN, noise.degreesOfFreedom, runsEach, options.margin ?? null, false);
}

/**
 * Decides the mean of per-seed differences (arm a minus arm b, both trained
 * at each seed): the paired interval, n - 1 degrees of freedom. For a claim
 * of equivalence (`equivalenceClaim`), an interval inside ±margin says
 * "equivalent" even where it also excludes zero: a difference was
 * measured, but one smaller than the margin the claim allows.
 */
export function pairedVerdict(differences: readonly number[], margin: number | null = null, equivalenceClaim = false): Verdict {
  const n = differences.length;
  if (n < 2) return decided(n === 1 ? differences[0] : NaN, NaN, 0, n, margin, equivalenceClaim);
  const interval = pairedInterval(differences);
  return decided(interval.estimate, interval.standardError, interval.degreesOfFreedom, n, margin, equivalenceClaim);
}

function decided(difference: number, se: number, degreesOfFreedom: number, seeds: number, margin: number | null,
                 equivalenceFirst: boolean): Verdict {
  const judged = judge(difference, se, degreesOfFreedom, margin);
  if (equivalenceFirst && judged.decision === 'differs' && margin != null &&
      judged.interval90!.low > -margin && judged.interval90!.high < margin) judged.decision = 'equivalent';
  const base = {difference, degreesOfFreedom, margin, decision: judged.decision, p: judged.p};
  if (judged.decision === 'unmeasured') {
    // Degrees of freedom but no spread: every seed gave the same difference (an interval of width zero says nothing).
    const label = degreesOfFreedom > 0 && se === 0 ? 'not checked (every seed gave the same difference: no spread to judge it by)' :
        'not checked (one seed: no noise measured)';
    return {...base, noise: NaN, low: NaN, high: NaN, seedsToDecide: null, beyondNoise: false, label};
  }
  const {low, high} = judged.interval95!;
  const seedsNeeded = judged.decision === 'undecided' ? seedsToDecide(difference, se, Math.max(seeds, 1), margin) : null;
  const label = judged.decision === 'differs' ? `differs (95 % interval ${interval(low, high)})` :
      judged.decision === 'equivalent' ? `equivalent within ±${margin} (90 % interval ${interval(judged.interval90!.low, judged.interval90!.high)})` :
      `undecided at this budget (95 % interval ${interval(low, high)}` +
          (seedsNeeded != null ? `; about ${seedsNeeded} seeds per arm would decide it)` : '; more seeds would not decide it at this difference)');
  return {...base, noise: se, low, high, seedsToDecide: seedsNeeded, beyondNoise: judged.decision === 'differs', label};
}

/** A point of an accuracy-versus-cost comparison. */
export interface CostPoint {
  label: string;
  /** Multiply-accumulates for one image. */
  macs: number;
  accuracy: number;
  /** Legend group, e.g. a family or an experiment. */
  group: string;
}

/**
 * The points no other point beats on both axes (fewer or equal MACs and
 * higher or equal accuracy, one strictly), sorted by MACs.
 */
export function paretoFront<P extends Pick<CostPoint, 'macs' | 'accuracy'>>(points: readonly P[]): P[] {
  const sorted = [...points].sort((a, b) => a.macs - b.macs || b.accuracy - a.accuracy);
  const front: P[] = [];
  for (const p of sorted) {
    if (front.length === 0 || p.accuracy > front[front.length - 1].accuracy) front.push(p);
  }
  return front;
}

/** The middle value (the mean of the middle two for an even count); refuses an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('the median of no values is undefined: give at least one');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The candidate whose cost is closest to `target` (by absolute difference;
 * the first on a tie): how chapters compare networks "at matched cost".
 */
export function closestInCost<T extends {macs: number}>(candidates: readonly T[], target: number): T {
  if (candidates.length === 0) throw new Error('matched-cost selection needs at least one candidate, got none');
  return candidates.reduce((best, c) => Math.abs(c.macs - target) < Math.abs(best.macs - target) ? c : best);
}

/** Relative cost mismatch |macs - target| / target, to say how well a match matched. */
export function costMismatch(macs: number, target: number): number {
  return Math.abs(macs - target) / target;
}
