/**
 * Chapter 03's exercises, answered by the lab: what `cnnlab answers 03`
 * prints for an instructor. The questions and the cells a student runs are
 * in the notebook; each answer here computes the same thing from the same
 * networks, and, where an exercise trains, reads the records its cell made
 * (or says that it has not been run yet).
 */
import {percent, plural, signed} from '../../display/format';
import {Budget} from '../../experiments/budget';
import {labScaleOptions} from '../../experiments/lab-scale';
import {RunPlanOptions} from '../../experiments/runner';
import {networkCost} from '../../models/costs';
import {Arm, notRunYet, recordedVerdict} from '../common/arms';
import {Answer} from '../common/chapter';
import {MATCH_WIDTHS, matchWidth} from '../common/compare';
import {EQUIVALENCE_MARGIN} from '../common/verdicts';
import {plan} from './plan';


const V1 = () => labScaleOptions('mobilenet_v1');

/** The share of multiply-adds in 1x1 convolutions, and each separable layer's pointwise share N / (N + 9). */
export function pointwiseShares(options: Record<string, unknown>): {share: number; perLayer: Array<{layer: string; outputs: number; share: number}>} {
  const cost = networkCost('mobilenet_v1', options);
  const share = cost.byKind.find(k => k.kind === 'conv1x1')?.macsShare ?? 0;
  const perLayer = cost.layers.filter(l => l.kind === 'conv1x1').map(l => {
    const outputs = l.outputShape[l.outputShape.length - 1];
    return {layer: l.name, outputs, share: outputs / (outputs + 9)};
  });
  return {share, perLayer};
}

/** The arms of exercise 3: V2 at the width that matches V1 α = 0.25 in multiply-adds, against that V1. */
export function v2AgainstQuarterV1(): {a: Arm; b: Arm; mismatch: number} {
  const v1 = {...V1(), width: 0.25};
  const target = networkCost('mobilenet_v1', v1).totals.macs;
  const v2Lab = labScaleOptions('mobilenet_v2');
  const matched = matchWidth('mobilenet_v2', v2Lab, target);
  return {
    a: {label: 'V2 at matched cost', model: 'mobilenet_v2', options: {...v2Lab, width: matched.width}},
    b: {label: 'V1 α = 0.25', model: 'mobilenet_v1', options: v1},
    mismatch: matched.macs / target - 1,
  };
}

/** The arms of exercise 4: separable against full convolutions at α = 0.25, the headline claim's networks. */
export function separableArms(): {a: Arm; b: Arm} {
  const v1 = {...V1(), width: 0.25, resolution: 28};
  return {a: {label: 'separable', model: 'mobilenet_v1', options: v1},
          b: {label: 'full convolutions', model: 'mobilenet_v1', options: {...v1, convolution: 'full'}}};
}
export const EXERCISE4_SEEDS = [1, 2, 3, 4];

export async function answers(budget: Budget, options: RunPlanOptions = {}): Promise<Answer[]> {
  const lab = pointwiseShares({...V1(), width: 1});
  const paper = pointwiseShares({});
  const small = lab.perLayer.reduce((a, b) => b.outputs < a.outputs ? b : a);
  const wide = paper.perLayer.reduce((a, b) => b.outputs > a.outputs ? b : a);
  const V1Full = {...V1(), width: 1};
  const firstShare = (options: Record<string, unknown>) => networkCost('mobilenet_v1', options).byKind.find(k => k.kind === 'conv3x3')?.macsShare ?? 0;
  const at28 = networkCost('mobilenet_v1', {...V1(), width: 1}).totals.macs;
  const at48 = networkCost('mobilenet_v1', {...V1(), width: 1, resolution: 48}).totals.macs;
  const v2 = v2AgainstQuarterV1();
  const v2Verdict = await recordedVerdict(plan(budget), v2, [1], options);
  const v2Measured = v2Verdict == null ? notRunYet(budget, 'it trains V2 at that width') :
      `at one seed, V2 ${signed(v2Verdict.difference)} in test accuracy against V1 α = 0.25 (${v2Verdict.label}).`;
  const sepVerdict = await recordedVerdict(plan(budget), separableArms(), EXERCISE4_SEEDS, options, EQUIVALENCE_MARGIN);
  const sepMeasured = sepVerdict == null ? notRunYet(budget, `it trains both networks at seeds ${EXERCISE4_SEEDS.join(', ')}`) :
      `separable minus full over ${plural(EXERCISE4_SEEDS.length, 'paired seed')}: ${signed(sepVerdict.difference)}, ${sepVerdict.label}.`;
  return [
    {exercise: 1, title: 'Where the multiply-adds are at 28 px',
     answer: `1×1 convolutions do ${percent(paper.share, 1)} of the paper network's multiply-adds and ${percent(lab.share, 1)} of the lab ` +
       `network's. In a separable layer with N outputs the pointwise step is N / (N + 9) of the pair's work (the depthwise 3×3 ` +
       `does 9 per input channel, the 1×1 N): the lab's layers have ${lab.perLayer.map(l => l.outputs).join(', ')} outputs, so its ` +
       `narrowest (${small.layer}, N = ${small.outputs}) puts ${percent(small.share, 0)} in its 1×1, where the paper's ${wide.outputs}-wide ` +
       `layers put ${percent(wide.share, 1)}. The full 3×3 first layer does ${percent(firstShare(V1Full), 1)} of the lab network's ` +
       `multiply-adds and ${percent(firstShare({}), 1)} of the paper's.`},
    {exercise: 2, title: 'Resizing up to 48 px',
     answer: `ρ² predicts ${((48 / 28) ** 2).toFixed(2)}× the multiply-adds; built, the 48 px network does ${(at48 / at28).toFixed(2)}× ` +
       `(${at48.toLocaleString('en-US')} against ${at28.toLocaleString('en-US')}): every layer's map grows with the input, strided ` +
       'layers rounding up.'},
    {exercise: 3, title: 'V2 against V1 at α = 0.25',
     answer: (Math.abs(v2.mismatch) <= 0.05 ?
         `V2 matches V1 α = 0.25 at α = ${v2.a.options['width']} (${signed(100 * v2.mismatch, 1)} % in multiply-adds); ` :
         `no V2 width the lab tries (${MATCH_WIDTHS[0]} to ${MATCH_WIDTHS[MATCH_WIDTHS.length - 1]}) comes within 5 % of V1 α = 0.25: the ` +
         `nearest, α = ${v2.a.options['width']}, costs ${signed(100 * v2.mismatch, 0)} % more, so this comparison is not at matched cost; `) +
       v2Measured},
    {exercise: 4, title: 'The separable claim with more seeds',
     answer: sepMeasured},
  ];
}
