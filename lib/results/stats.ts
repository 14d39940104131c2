/**
 * The statistics behind a chapter's findings: spreads over seeds, the noise
 * of a difference, a verdict against that noise, Pareto fronts and
 * matched-cost selection. Each function is tested against its definition
 * with hand-worked numbers (test/results/stats.test.ts).
 */

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

export const VERDICTS = ['clearly beyond the seed noise', 'beyond the seed noise, but not by much', 'within the seed noise',
                         'not checked against noise (one seed: no noise measured)'] as const;
export type VerdictLabel = typeof VERDICTS[number];

/** A measured difference judged against run-to-run noise. */
export interface Verdict {
  difference: number;
  /** Standard deviation of such a difference (differenceNoise); NaN when unmeasured. */
  noise: number;
  /** |difference| / noise: how many noise units the difference spans. NaN when unmeasured. */
  margin: number;
  /** True when the difference exceeds its noise. */
  beyondNoise: boolean;
  label: VerdictLabel;
}

/**
 * Judges `difference` against the noise of a difference of two means of
 * `runsEach` runs: beyond 2 noise units is clear, beyond 1 is "not by much",
 * else within the noise. Without a noise estimate (one seed, NaN or 0) the
 * verdict says it was not checked rather than pretending either way.
 */
export function verdict(difference: number, runStd: number, runsEach = 1): Verdict {
  const noise = differenceNoise(runStd, runsEach);
  if (!(noise > 0)) {
    return {difference, noise: NaN, margin: NaN, beyondNoise: false, label: VERDICTS[3]};
  }
  const margin = Math.abs(difference) / noise;
  const label = margin > 2 ? VERDICTS[0] : margin > 1 ? VERDICTS[1] : VERDICTS[2];
  return {difference, noise, margin, beyondNoise: margin > 1, label};
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
