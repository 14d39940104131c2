/**
 * What stands in, in the "run it here" bundle (scripts/build-run-here.cjs),
 * for lib/ modules written for Node that the page code imports but never
 * calls: the cost cache (lib/models/costs.ts: the page's costs come with its
 * experiment) and the repository root (lib/root.ts).
 */
export const REPO_ROOT = '(none: in a browser)';

export function networkCost(): never {
  throw new Error("the cost cache is not in the browser: a run-it-here experiment carries its arms' costs");
}
