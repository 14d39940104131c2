/**
 * Cost rules by TF.js layer class. Each class has one rule under the `macs`
 * convention; another convention lists only the classes it counts
 * differently (rules/condensenet.ts), so a convention is data: a table of
 * overrides, not a branch inside every rule.
 */
import {Convention, CostRule} from './types';

const base = new Map<string, CostRule>();
const overrides = new Map<Convention, Map<string, CostRule>>();

/**
 * Registers the rule for a TF.js layer class, keyed by its `className`
 * (e.g. 'Conv2D'), under the `macs` convention or, with `convention`, as
 * that convention's override. Registering a class twice is a bug.
 */
export function registerCostRule(className: string, rule: CostRule, convention: Convention = 'macs'): void {
  const table = convention === 'macs' ? base : overrides.get(convention) ?? new Map<string, CostRule>();
  if (table.has(className)) throw new Error(`a ${convention} cost rule for '${className}' is already registered`);
  table.set(className, rule);
  if (convention !== 'macs') overrides.set(convention, table);
}

/** The rule for `className` under `convention`; an unknown class fails loudly instead of costing 0. */
export function costRuleFor(className: string, convention: Convention = 'macs'): CostRule {
  const rule = overrides.get(convention)?.get(className) ?? base.get(className);
  if (rule == null) {
    throw new Error(`no cost rule for layer class '${className}': add one in lib/cost/rules/ ` +
        '(or list it in lib/cost/rules/free.ts if it costs nothing)');
  }
  return rule;
}

export function registeredClassNames(): string[] {
  return [...base.keys()].sort();
}

/** The classes a convention counts differently from `macs`. */
export function overriddenClassNames(convention: Convention): string[] {
  return [...(overrides.get(convention)?.keys() ?? [])].sort();
}
