/** Command-line values the bench scripts share the checking of. */

/** `value` of option `--name` as a whole number >= 1; anything else is an error naming the option and the value. */
export function positiveInteger(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${value}'`);
  return n;
}
