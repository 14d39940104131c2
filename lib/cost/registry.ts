import {CostRule} from './types';

const rules = new Map<string, CostRule>();

/**
 * Registers the rule for a TF.js layer class, keyed by its `className`
 * (e.g. 'Conv2D'). Registering a class twice is a bug, not an override.
 */
export function registerCostRule(className: string, rule: CostRule): void {
  if (rules.has(className)) throw new Error(`a cost rule for '${className}' is already registered`);
  rules.set(className, rule);
}

/** Rule for `className`; unknown classes fail loudly instead of costing 0. */
export function costRuleFor(className: string): CostRule {
  const rule = rules.get(className);
  if (rule == null) {
    throw new Error(`no cost rule for layer class '${className}': add one in lib/cost/rules/ ` +
        '(or list it in lib/cost/rules/free.ts if it costs nothing)');
  }
  return rule;
}

export function registeredClassNames(): string[] {
  return [...rules.keys()].sort();
}
