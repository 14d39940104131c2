/** A chapter plan's recipe in one sentence: what every run of the budget trains with. */
import {plural} from '../../display/format';
import {Item, markdownItem} from '../../display/show';
import {BudgetPlan, expandPlan} from '../../experiments/plan';
import {DEFAULT_TRAINING} from '../../experiments/spec';

const OPTIMIZER_WORDS: Record<string, string> = {
  adam: 'Adam', momentum: 'SGD with momentum 0.9', nesterov: 'SGD with Nesterov momentum 0.9', sgd: 'plain SGD', rmsprop: 'RMSProp',
};

export function recipeItems(p: BudgetPlan): Item[] {
  const t = p.training;
  // Distinct runs: the same network and seed in two groups trains once (any engine gives the same count).
  const runs = expandPlan(p, 'cpu').runs.length;
  const claims = p.claims?.length ?? 0;
  return [markdownItem(`Recipe (${p.budget}): ${t.limit?.toLocaleString('en-US') ?? 'all 60,000'} training images, ` +
      `${plural(t.epochs ?? 1, 'epoch')}, batch ${t.batch}, ${OPTIMIZER_WORDS[t.optimizer ?? DEFAULT_TRAINING.optimizer]} at learning rate ${t.lr}, ` +
      `test on ${t.testLimit?.toLocaleString('en-US') ?? 'all 10,000'} ` +
      `images, ${plural(p.seeds.length, 'seed')} (${p.seeds.join(', ')}) for the sweeps` +
      (claims > 0 ? ` and ${plural(p.claimSeeds?.length ?? 0, 'paired seed')} (${(p.claimSeeds ?? []).join(', ')}) for each of the ` +
                    `${plural(claims, 'headline claim')}` : '') +
      `: ${plural(runs, 'run')} in ${plural(p.groups.length, 'group')}.`)];
}
