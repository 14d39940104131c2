/**
 * The benchmarks measure in child processes (ours, and the PyTorch peer),
 * each of which prints its result as the last line of stdout, in JSON.
 */

/** The child's result: its last stdout line, parsed; `what` names the child in the error. */
export function lastJsonLine<T>(output: string, what: string): T {
  const line = output.trim().split('\n').pop();
  if (line == null || !line.startsWith('{')) throw new Error(`${what} printed no result: ${output.slice(-500)}`);
  return JSON.parse(line) as T;
}
