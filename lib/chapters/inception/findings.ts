/**
 * Chapter 01's findings as data: each claim of the Inception papers, what
 * the lab measured, and the verdict against the seed noise. Where a claim
 * does not show at lab scale, the finding says so.
 */

import {Item} from '../../display/show';
import {PlanResult} from '../../experiments/runner';
import {Finding} from '../../results/findings';
import {EQUIVALENCE_MARGIN, UNDECIDED, agreement, ended, findingsSectionOf, noWorse, noiseFinding, said} from '../common/verdicts';
import {configurations, imagesToReach, meanCurve, onRecipe} from '../common/runs';
import {CONTROL_EXPERIMENT, RESIDUAL_SCALES, RETHINKING_TABLE3} from './paper';
import {SCALING, plan} from './plan';
import {
  batchNormConfigurations, batchNormTarget, judged, kernelsClaimCost, kernelsConfigurations, ladderConfigurations, reductionOf, replacedMacs,
  residualConfigurations, seedNoise,
} from './sections';


export function findings(result: PlanResult): Finding[] {
  const noise = seedNoise(result);
  const {kernels, between} = kernelsConfigurations(result);
  const [five, two, asym] = kernels;
  const [relu, linear] = between;
  // "Without loss" claims: equivalence within a margin set before the run.
  const twoOverFive = judged(result, two, five, 'accuracy', EQUIVALENCE_MARGIN);
  const asymOverTwo = judged(result, asym, two, 'accuracy', EQUIVALENCE_MARGIN);
  const control = judged(result, relu, linear);
  const reductions = configurations(result.group('reduction'), reductionOf);
  const [convPool, poolConv, parallel] = reductions;
  const parallelOverPool = judged(result, parallel, poolConv);
  const parallelOverConv = judged(result, parallel, convPool);
  const bn = batchNormConfigurations(result);
  const target = batchNormTarget(bn);
  const reach = bn.map(c => imagesToReach(meanCurve(c, 'trainAccuracy'), target));
  const bnOverNone = judged(result, bn[1], bn[0]);
  const sigmoidBn = judged(result, bn[4], bn[3]);
  const {residual, scaling} = residualConfigurations(result);
  const residualLoss = judged(result, residual[1], residual[0], 'meanLoss');
  const residualAccuracy = judged(result, residual[1], residual[0]);
  const scaled = judged(result, scaling[1], scaling[0]);
  const ladder = ladderConfigurations(result);
  const top = judged(result, ladder[ladder.length - 1], ladder[0]);
  const steps = ladder.slice(1).map((c, i) => judged(result, c, ladder[i]));
  const gainedBy = ladder.slice(1).filter((_, i) => steps[i].beyondNoise && steps[i].difference > 0).map(c => c.label);
  const macsOf = (c: typeof five) => c.runs[0].result.macs;
  const wideMacs = (c: typeof five) => replacedMacs(c.runs[0].config.options);
  const claimCost = kernelsClaimCost();

  return [
    {id: 'twoThreeByThree', topic: '5×5 → two 3×3',
     claim: 'Two stacked 3×3 replace a 5×5 at 72 % of its cost without loss of expressiveness (Rethinking §3.1).',
     measured: {'accuracy, two 3×3': two.accuracy.mean, 'accuracy, one 5×5': five.accuracy.mean, 'MACs, two 3×3': macsOf(two), 'MACs, one 5×5': macsOf(five)},
     verdict: twoOverFive, agrees: noWorse(twoOverFive),
     text: `two 3×3 over one 5×5: ${said(twoOverFive)}, at ${(macsOf(two) / macsOf(five)).toFixed(2)}× the whole network's multiply-adds. ` +
       `These follow GoogLeNet's pattern: the first 3×3 widens the branch from its 1×1 reduction, so the replaced layers cost ` +
       `${(wideMacs(two) / wideMacs(five)).toFixed(2)}× the 5×5's. The headline claim above trains Rethinking's case, one width ` +
       `throughout, where they cost ${claimCost.layers.toFixed(2)}×. ` + ended(twoOverFive, 'The stacked 3×3 did better.', 'The stacked 3×3 did worse here.',
         UNDECIDED, `Equivalent within ±${EQUIVALENCE_MARGIN}: the replacement lost nothing measurable.`)},
    {id: 'asymmetric', topic: '3×3 → 1×3 then 3×1',
     claim: 'Asymmetric factorisation is 33 % cheaper than the 3×3 (Rethinking §3.2) and works on 12-20 px grids, poorly early on.',
     measured: {'accuracy, 1×3 / 3×1': asym.accuracy.mean, 'accuracy, two 3×3': two.accuracy.mean, 'MACs, 1×3 / 3×1': macsOf(asym), 'MACs, two 3×3': macsOf(two)},
     verdict: asymOverTwo, agrees: noWorse(asymOverTwo),
     text: `1×3 / 3×1 over two 3×3: ${said(asymOverTwo)}, at ${(macsOf(asym) / macsOf(two)).toFixed(2)}× the multiply-adds. ` +
       ended(asymOverTwo, 'The factorised network did better.', 'The factorised network did worse: the lab applies it on every grid, 14 × 14 down to 4 × 4, where the paper warns it works poorly early on.',
             UNDECIDED, `Equivalent within ±${EQUIVALENCE_MARGIN}: the factorisation lost nothing measurable.`)},
    {id: 'controlExperiment', topic: 'A ReLU between the factors',
     claim: `A ReLU between the two factors beats none (${CONTROL_EXPERIMENT.relu} % against ${CONTROL_EXPERIMENT.linear} %, ${CONTROL_EXPERIMENT.source}).`,
     measured: {'accuracy, ReLU': relu.accuracy.mean, 'accuracy, none': linear.accuracy.mean},
     verdict: control, agrees: agreement(control, true),
     text: `ReLU over none: ${said(control)}. ` + ended(control, 'The ReLU helps, as in the paper.', 'The ReLU hurts here, against the paper.',
         UNDECIDED)},
    {id: 'gridReduction', topic: 'Grid reduction',
     claim: 'Parallel stride-2 convolution and pooling avoid pooling\'s representational bottleneck at the cheap way\'s cost (Rethinking §5).',
     measured: {'accuracy, parallel': parallel.accuracy.mean, 'accuracy, pool then module': poolConv.accuracy.mean,
                'accuracy, module then pool': convPool.accuracy.mean},
     verdict: parallelOverPool, agrees: agreement(parallelOverPool, true),
     text: `parallel over pool-then-module: ${said(parallelOverPool)}; over module-then-pool: ${said(parallelOverConv)}. ` +
       ended(parallelOverPool, 'The parallel reduction beat pooling first.', 'Pooling first did better here.',
             UNDECIDED)},
    {id: 'batchNorm', topic: 'Batch norm: faster',
     claim: 'With BN the network reaches the same accuracy in far fewer steps, more so at a higher learning rate (Ioffe & Szegedy 2015: 31.0 M steps, 13.3 M, 2.1 M at 5×).',
     measured: {'images to target, no BN': reach[0] ?? NaN, 'images to target, BN': reach[1] ?? NaN, 'images to target, BN ×5': reach[2] ?? NaN,
                'target (training accuracy)': target},
     verdict: bnOverNone, agrees: agreement(bnOverNone, true),
     text: `to the no-BN network's best training accuracy (${target.toFixed(3)}): ${reach.slice(0, 3).map((r, i) => `${bn[i].label}: ${r == null ? 'never' : `${r.toLocaleString('en-US')} images`}`).join('; ')}; ` +
       `test accuracy, BN over none: ${said(bnOverNone)}.`},
    {id: 'sigmoid', topic: 'Sigmoid trains only with BN',
     claim: 'Without BN a sigmoid Inception "never achieves better than 1/1000"; with BN it reaches 69.8 % (Ioffe & Szegedy 2015).',
     measured: {'accuracy, sigmoid without BN': bn[3].accuracy.mean, 'accuracy, sigmoid with BN': bn[4].accuracy.mean},
     verdict: sigmoidBn, agrees: agreement(sigmoidBn, true),
     text: `sigmoid with BN over without: ${said(sigmoidBn)} (without BN: ${bn[3].accuracy.mean.toFixed(3)}; chance is 0.100).`},
    {id: 'residual', topic: 'Residual modules: faster',
     claim: 'Residual Inception networks train much faster; final accuracy depends mainly on size (Inception-v4, Figs. 21-26).',
     measured: {'mean training loss, residual': residual[1].meanLoss.mean, 'mean training loss, plain': residual[0].meanLoss.mean,
                'accuracy, residual': residual[1].accuracy.mean, 'accuracy, plain': residual[0].accuracy.mean},
     // Faster means a lower mean training loss: the claim is a negative difference.
     verdict: residualLoss, agrees: agreement(residualLoss, false),
     text: `residual over plain: mean training loss ${said(residualLoss)}, test accuracy ${said(residualAccuracy)}. ` +
       (residualLoss.beyondNoise ? (residualLoss.difference < 0 ? 'The residual network learned faster, as the paper says.' : 'The residual network learned slower here.') :
           UNDECIDED)},
    {id: 'residualScaling', topic: 'Scaling the residuals',
     claim: `Scaling residuals by ${RESIDUAL_SCALES.paperRange.join('-')} stabilises training that otherwise dies (Inception-v4 §3.3).`,
     measured: {'accuracy, scaled': scaling[1].accuracy.mean, 'accuracy, unscaled': scaling[0].accuracy.mean},
     verdict: scaled, agrees: agreement(scaled, true),
     text: `scale ${SCALING.scales[1]} over 1 at learning rate ${SCALING.lr}, one seed each: ${said(scaled)}. ` +
       (!onRecipe(result, scaling[0].runs[0]) ?
           `(Trained on ${scaling[0].runs[0].config.limit?.toLocaleString('en-US')} images, fewer than the rest of the chapter, so the ` +
           'noise measured on those does not apply.) ' : '') +
       ended(scaled, 'Scaling kept the strained network training better.', 'The unscaled network did better here.', UNDECIDED)},
    {id: 'ladder', topic: 'The ladder to Inception-v3',
     claim: `On ImageNet each rung lowers top-1 error, from ${RETHINKING_TABLE3[0].top1Error} % (GoogLeNet) to ${RETHINKING_TABLE3[7].top1Error} % (v3).`,
     measured: Object.fromEntries(ladder.map(c => [`accuracy, ${c.label}`, c.accuracy.mean])),
     verdict: top, agrees: agreement(top, true),
     text: `last rung over GoogLeNet: ${said(top)}; ${steps.filter(v => v.beyondNoise && v.difference > 0).length} of ${steps.length} steps decidedly gain` +
       (gainedBy.length ? ` (${gainedBy.join(', ')})` : '') + `, ${steps.filter(v => v.beyondNoise && v.difference < 0).length} lose. ` +
       ended(top, `The ladder climbs at lab scale${gainedBy.length === 1 ? `, all of it at the ${gainedBy[0]} rung` : ''}.`, 'At lab scale the ladder ends lower than it starts: the ImageNet ordering inverts, as small-data comparisons have found.',
             `${UNDECIDED} The ImageNet gains do not show as a decided difference at this scale.`)},
    noiseFinding(result, noise),
  ];
}

export function findingsSection(result: PlanResult): Item[] {
  return findingsSectionOf(result, findings(result), 'GoogLeNet', plan('full'),
                           [['Batch norm', ['batchNorm']], ['The ladder at lab scale', ['ladder']]]);
}
