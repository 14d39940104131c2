/**
 * Chapter 04's exercises, answered by the lab (`cnnlab answers 04`). The
 * questions and the cells a student runs are in the notebook; each answer
 * computes the same thing from the same networks, and the exercise that
 * trains reads the records its cell made.
 */
import {percent, plural, signed} from '../../display/format';
import {Budget} from '../../experiments/budget';
import {RunPlanOptions} from '../../experiments/runner';
import {networkCost} from '../../models/costs';
import {Arm, notRunYet, recordedVerdict} from '../common/arms';
import {Answer} from '../common/chapter';
import {EQUIVALENCE_MARGIN} from '../common/verdicts';
import {condensenet, plan} from './plan';

/** The networks of exercise 1, as the notebook's cell costs them. */
export function costedNetworks(): Arm[] {
  return [
    {label: 'dense 1×1 (DenseNet)', ...condensenet({groups: 1, condenseFactor: 1})},
    {label: 'learned, as trained', ...condensenet({})},
    {label: 'learned, converted', model: 'condensenet', options: {...condensenet({}).options, converted: true}},
    {label: 'fixed groups', ...condensenet({pointwise: 'group'})},
  ];
}

/** The arms of exercise 2: the learned-against-fixed headline claim's networks. */
export function groupArms(): {a: Arm; b: Arm} {
  return {a: {label: 'learned groups', ...condensenet({})}, b: {label: 'fixed groups', ...condensenet({pointwise: 'group'})}};
}
export const EXERCISE2_SEEDS = [1, 2, 3, 4];

export async function answers(budget: Budget, options: RunPlanOptions = {}): Promise<Answer[]> {
  const [dense, trained, converted, fixed] = costedNetworks().map(n => ({n, totals: networkCost(n.model, n.options).totals}));
  const v = await recordedVerdict(plan(budget), groupArms(), EXERCISE2_SEEDS, options, EQUIVALENCE_MARGIN);
  const measured = v == null ? notRunYet(budget, `it trains both networks at seeds ${EXERCISE2_SEEDS.join(', ')}`) :
      `learned minus fixed over ${plural(EXERCISE2_SEEDS.length, 'paired seed')}: ${signed(v.difference)}, ${v.label}.`;
  const of = (x: typeof dense) => percent(x.totals.macs / dense.totals.macs, 0);
  return [
    {exercise: 1, title: 'What each network costs',
     answer: `against the DenseNet's ${dense.totals.macs.toLocaleString('en-US')} multiply-adds: the learned network as trained does ` +
       `${of(trained)} (its masks multiply pruned weights by zero, so it pays for all of them), converted ${of(converted)}, and fixed ` +
       `groups ${of(fixed)}. Converted and fixed hold ${converted.totals.trainableParams.toLocaleString('en-US')} and ` +
       `${fixed.totals.trainableParams.toLocaleString('en-US')} parameters: the conversion keeps only what the masks left.`},
    {exercise: 2, title: 'Learned against fixed groups with more seeds', answer: measured},
  ];
}
