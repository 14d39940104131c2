/**
 * Intervals and decisions for the differences the book reports. A
 * difference gets a Student t confidence interval with the degrees of
 * freedom its noise estimate actually has (paired over seeds when both arms
 * ran the same seeds); the interval then decides:
 *
 * - **differs**: the 95 % interval excludes zero;
 * - **equivalent within ±m**: the 90 % interval lies inside (-m, m), with m
 *   set before the runs (two one-sided tests at 5 % each);
 * - **undecided**: neither; then `seedsToDecide` says how many seeds the
 *   measured noise says would decide it.
 *
 * A chapter makes many comparisons: `holm` controls the chance of any false
 * "differs" among them. And an accuracy's noise has two parts, test-set
 * sampling (from the number of test images) and training (initialisation
 * and data order): `noiseParts` splits the measured one.
 */
import {jStat} from 'jstat';

/** The value below which a share `p` of Student's t distribution with `degreesOfFreedom` lies. */
export function tQuantile(p: number, degreesOfFreedom: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`a quantile's probability must be in (0, 1), got ${p}`);
  if (!(degreesOfFreedom > 0)) throw new Error(`degrees of freedom must be > 0, got ${degreesOfFreedom}`);
  return jStat.studentt.inv(p, degreesOfFreedom);
}

/** Two-sided p-value of a t statistic. */
export function twoSidedP(t: number, degreesOfFreedom: number): number {
  return 2 * (1 - jStat.studentt.cdf(Math.abs(t), degreesOfFreedom));
}

export interface Interval {
  /** The measured difference. */
  estimate: number;
  /** Its standard error. */
  standardError: number;
  degreesOfFreedom: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  low: number;
  high: number;
}

/** estimate ± t · standardError at `level`, two-sided. */
export function intervalOf(estimate: number, standardError: number, degreesOfFreedom: number, level = 0.95): Interval {
  if (!(level > 0 && level < 1)) throw new Error(`confidence level must be in (0, 1), got ${level}`);
  const half = tQuantile((1 + level) / 2, degreesOfFreedom) * standardError;
  return {estimate, standardError, degreesOfFreedom, level, low: estimate - half, high: estimate + half};
}

/**
 * The mean of per-seed differences (arm a minus arm b, same seed) with its
 * interval: n - 1 degrees of freedom, and what the seeds share (data order,
 * initialisation) cancels. Needs two seeds or more.
 */
export function pairedInterval(differences: readonly number[], level = 0.95): Interval {
  const n = differences.length;
  if (n < 2) throw new Error(`a paired interval needs at least 2 seeds, got ${n}`);
  const mean = differences.reduce((a, d) => a + d, 0) / n;
  const variance = differences.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1);
  return intervalOf(mean, Math.sqrt(variance / n), n - 1, level);
}

/**
 * The difference of two means of `runsA` and `runsB` independent runs, when
 * one run's standard deviation is `runStd`, estimated with `degreesOfFreedom`
 * (pooled over the chapter's repeated configurations).
 */
export function unpairedInterval(difference: number, runStd: number, runsA: number, runsB: number, degreesOfFreedom: number,
                                 level = 0.95): Interval {
  for (const [name, n] of [['runs in a', runsA], ['runs in b', runsB]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number >= 1, got ${n}`);
  }
  return intervalOf(difference, runStd * Math.sqrt(1 / runsA + 1 / runsB), degreesOfFreedom, level);
}

export type Decision = 'differs' | 'equivalent' | 'undecided' | 'unmeasured';

export interface Judgement {
  decision: Decision;
  /** The 95 % interval: decides "differs". Null when no noise was measured. */
  interval95: Interval | null;
  /** The 90 % interval: decides "equivalent within ±margin". */
  interval90: Interval | null;
  /** The equivalence margin set before the run (null: the claim is not one of equivalence). */
  margin: number | null;
  /** Two-sided p-value against no difference (for a correction over many comparisons). */
  p: number | null;
}

/**
 * Decides a difference from its standard error and degrees of freedom.
 * With `margin`, an interval that excludes zero still says "differs" (a
 * difference was measured), and one inside ±margin says "equivalent".
 */
export function judge(estimate: number, standardError: number, degreesOfFreedom: number, margin: number | null = null): Judgement {
  if (margin != null && !(margin > 0)) throw new Error(`an equivalence margin must be > 0, got ${margin}`);
  if (!(standardError > 0) || !(degreesOfFreedom > 0)) {
    return {decision: 'unmeasured', interval95: null, interval90: null, margin, p: null};
  }
  const interval95 = intervalOf(estimate, standardError, degreesOfFreedom, 0.95);
  const interval90 = intervalOf(estimate, standardError, degreesOfFreedom, 0.90);
  const p = twoSidedP(estimate / standardError, degreesOfFreedom);
  const decision: Decision = interval95.low > 0 || interval95.high < 0 ? 'differs' :
      margin != null && interval90.low > -margin && interval90.high < margin ? 'equivalent' : 'undecided';
  return {decision, interval95, interval90, margin, p};
}

/**
 * How many seeds per arm the measured noise says would decide an undecided
 * comparison, if the difference stayed what was measured: the fewest n at
 * which the 95 % interval would exclude zero, or (with a margin) the 90 %
 * interval would fit inside ±margin, with the standard error shrinking as
 * 1/√n from its value at `seeds` seeds. Null when neither happens below `limit`.
 */
export function seedsToDecide(estimate: number, standardError: number, seeds: number, margin: number | null = null, limit = 1000): number | null {
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`seeds must be a whole number >= 1, got ${seeds}`);
  const perSeed = standardError * Math.sqrt(seeds);
  for (let n = Math.max(2, seeds); n <= limit; n++) {
    const se = perSeed / Math.sqrt(n);
    const differs = Math.abs(estimate) > tQuantile(0.975, n - 1) * se;
    const equivalent = margin != null && Math.abs(estimate) + tQuantile(0.95, n - 1) * se < margin;
    if (differs || equivalent) return n;
  }
  return null;
}

/**
 * Holm's step-down correction over a chapter's comparisons: which of them
 * may still say "differs" with the chance of any false one at most `alpha`.
 * Sorted by p, the i-th smallest (from 0) must be below alpha / (m - i); the
 * first that is not stops the rest.
 */
export function holm(pValues: readonly number[], alpha = 0.05): boolean[] {
  const order = pValues.map((p, i) => ({p, i})).sort((a, b) => a.p - b.p);
  const kept = pValues.map(() => false);
  for (let k = 0; k < order.length; k++) {
    if (!(order[k].p < alpha / (order.length - k))) break;
    kept[order[k].i] = true;
  }
  return kept;
}

export interface NoiseParts {
  /** One run's standard deviation of test accuracy, as measured over seeds. */
  total: number;
  /** What the test set's finite size alone gives: √(p(1 - p) / images). */
  testSampling: number;
  /** What is left for training (initialisation, data order): √(total² - testSampling²), 0 if negative. */
  training: number;
}

/** Splits one run's measured accuracy noise into test-set sampling and training. */
export function noiseParts(runStd: number, accuracy: number, testImages: number): NoiseParts {
  if (!(accuracy >= 0 && accuracy <= 1)) throw new Error(`accuracy must be in [0, 1], got ${accuracy}`);
  if (!Number.isInteger(testImages) || testImages < 1) throw new Error(`test images must be a whole number >= 1, got ${testImages}`);
  const testSampling = Math.sqrt(accuracy * (1 - accuracy) / testImages);
  return {total: runStd, testSampling, training: Math.sqrt(Math.max(0, runStd ** 2 - testSampling ** 2))};
}
