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

/**
 * The standard deviation pooled over groups that share one noise level (the
 * same recipe at several widths, each over a few seeds): each group's sample
 * variance weighted by its degrees of freedom. With two seeds a group's own
 * std is a poor estimate, and the largest of several is biased upwards; the
 * pooled one uses every run. `degreesOfFreedom` is 0 when no group has two
 * values, and then `std` is NaN: there is no noise estimate.
 */
export function pooledStd(groups: readonly Spread[]): {std: number; degreesOfFreedom: number} {
  const degreesOfFreedom = groups.reduce((sum, g) => sum + Math.max(g.n - 1, 0), 0);
  if (degreesOfFreedom === 0) return {std: NaN, degreesOfFreedom};
  const squares = groups.reduce((sum, g) => sum + Math.max(g.n - 1, 0) * g.std ** 2, 0);
  return {std: Math.sqrt(squares / degreesOfFreedom), degreesOfFreedom};
}
