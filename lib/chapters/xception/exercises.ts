/**
 * Chapter 02's exercises, answered by the lab (`cnnlab answers 02`). The
 * questions and the cells a student runs are in the notebook; each answer
 * computes the same thing from the same modules, and the exercise that
 * trains reads the records its cell made.
 */
import {percent, plural, signed} from '../../display/format';
import {Budget} from '../../experiments/budget';
import {RunPlanOptions} from '../../experiments/runner';
import {Arm, notRunYet, recordedVerdict} from '../common/arms';
import {Answer} from '../common/chapter';
import {EQUIVALENCE_MARGIN} from '../common/verdicts';
import {spectrumCostRows} from './paper';
import {plan, spectrum} from './plan';

/** The arms of exercise 2: linear against ReLU between the steps in the middle of the spectrum (k = 4). */
export function middleArms(): {a: Arm; b: Arm} {
  return {a: {label: 'linear between, k = 4', ...spectrum({segments: 4})},
          b: {label: 'ReLU between, k = 4', ...spectrum({segments: 4, between: 'relu'})}};
}
export const EXERCISE2_SEEDS = [1, 2, 3, 4];

export async function answers(budget: Budget, options: RunPlanOptions = {}): Promise<Answer[]> {
  const rows = spectrumCostRows();
  const pointwiseShare = (r: typeof rows[number]) => (r.macs - r.spatialMacs) / r.macs;
  const at = (k: number) => rows.find(r => r.segments === k)!;
  const last = rows[rows.length - 1];
  const v = await recordedVerdict(plan(budget), middleArms(), EXERCISE2_SEEDS, options, EQUIVALENCE_MARGIN);
  const measured = v == null ? notRunYet(budget, `it trains both networks at seeds ${EXERCISE2_SEEDS.join(', ')}`) :
      `linear minus ReLU at k = 4 over ${plural(EXERCISE2_SEEDS.length, 'paired seed')}: ${signed(v.difference)}, ${v.label}. ` +
      'Set it beside section 4, which measures both ends (k = 1 and k = C), to see whether the effect changes along the spectrum.';
  return [
    {exercise: 1, title: 'Which step dominates past k ≈ 8',
     answer: `the 1×1: it is ${percent(pointwiseShare(at(1)), 0)} of the module's multiply-adds at k = 1, ${percent(pointwiseShare(at(8)), 0)} ` +
       `at k = 8 and ${percent(pointwiseShare(last), 0)} at k = C (${last.segments} channels, 14 × 14). Only a cheaper 1×1 makes the module ` +
       'cheaper still: ShuffleNet groups it, with a channel shuffle so that the groups still mix.'},
    {exercise: 2, title: 'The activation between the steps, in the middle of the spectrum', answer: measured},
  ];
}
