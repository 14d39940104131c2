/** How the lab writes numbers in prose and tables. */

/** Thousands separators; integers stay exact. */
export function formatCount(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', {maximumFractionDigits: 3});
}

/** "1 thread", "2 threads", "1,024 images". */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : nouns}`;
}

/** "+0.052", "-0.013": a signed difference. */
export function signed(value: number, digits = 3): string {
  const text = value.toFixed(digits);
  // A small negative value rounds to "-0.000": nothing to sign.
  if (Number(text) === 0) return `+${(0).toFixed(digits)}`;
  return `${value >= 0 ? '+' : ''}${text}`;
}

/** 1_234_567 -> "1.23M". */
export function millions(value: number, digits = 2): string {
  return `${(value / 1e6).toFixed(digits)}M`;
}

/** 0.1234 -> "12.3 %". */
export function percent(fraction: number, digits = 1): string {
  return `${(100 * fraction).toFixed(digits)} %`;
}

/** "3.2 hours", "14 min", "40 s": a duration as a reader takes it in. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds >= 5400) return `${(seconds / 3600).toFixed(1)} hours`;
  if (seconds >= 90) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds)} s`;
}
