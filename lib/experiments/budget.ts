/**
 * The one parameter that reaches a notebook from `cnnlab run --budget`: the
 * environment variable LAB_BUDGET, read in each notebook's first code cell.
 * Interactive sessions (no variable) get `quick`.
 */
export const BUDGETS = ['smoke', 'quick', 'full'] as const;
export type Budget = typeof BUDGETS[number];

export const BUDGET_ENV = 'LAB_BUDGET';

export function parseBudget(value: string, source = 'budget'): Budget {
  if ((BUDGETS as readonly string[]).includes(value)) return value as Budget;
  throw new Error(`${source} must be one of ${BUDGETS.join(', ')}, got '${value}'`);
}

export function budgetFromEnv(env: NodeJS.ProcessEnv = process.env): Budget {
  const value = env[BUDGET_ENV];
  return value == null || value === '' ? 'quick' : parseBudget(value, `$${BUDGET_ENV}`);
}

/** Picks the setting for the current budget: `pick(budget, {smoke: 1, quick: 5, full: 30})`. */
export function pick<T>(budget: Budget, choices: Record<Budget, T>): T {
  return choices[budget];
}
