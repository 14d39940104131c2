/**
 * The one parameter that reaches a notebook from `cnnlab run --budget`: the
 * environment variable LAB_BUDGET, read in each notebook's first code cell.
 * Interactive sessions (no variable) get `quick`.
 *
 * - smoke: a handful of tiny runs, for tests;
 * - quick: a few minutes a chapter, to see everything work;
 * - course: at most 30 minutes a chapter on 2 cores, sized so that the
 *   chapter's headline claims are expected to be decided;
 * - full: the papers' kind of training, for a GPU or a cluster.
 */
export const BUDGETS = ['smoke', 'quick', 'course', 'full'] as const;
export type Budget = typeof BUDGETS[number];

export const BUDGET_ENV = 'LAB_BUDGET';

/** What the course budget aims for: at most this many minutes a chapter on 2 cores with the wasm engine. */
export const COURSE_MINUTES = 30;

/** What the quick budget aims for, likewise (its chapters' training cells took 5-8 minutes on 2 cores, 2026-12-05). */
export const QUICK_MINUTES = 10;

export function parseBudget(value: string, source = 'budget'): Budget {
  if ((BUDGETS as readonly string[]).includes(value)) return value as Budget;
  throw new Error(`${source} must be one of ${BUDGETS.join(', ')}, got '${value}'`);
}

export function budgetFromEnv(env: NodeJS.ProcessEnv = process.env): Budget {
  const value = env[BUDGET_ENV];
  return value == null || value === '' ? 'quick' : parseBudget(value, `$${BUDGET_ENV}`);
}

/** Picks the setting for the current budget: `pick(budget, {smoke: 1, quick: 5, course: 10, full: 30})`. */
export function pick<T>(budget: Budget, choices: Record<Budget, T>): T {
  return choices[budget];
}
