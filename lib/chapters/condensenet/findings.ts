/**
 * Chapter 04's findings as data: each claim of the CondenseNet paper (and of
 * the official code's users), what the lab measured, and the verdict against
 * the seed noise; the official code's quirks said plainly.
 */
import {plural, signed} from '../../display/format';
import {Item} from '../../display/show';
import {PlanResult} from '../../experiments/runner';
import {condensationOf} from '../../experiments/spec';
import {Finding} from '../../results/findings';
import {EQUIVALENCE_MARGIN, UNDECIDED, agreement, ended, findingsSectionOf, noWorse, noiseFinding, said} from '../common/verdicts';
import {LASSO_REPORT} from './paper';
import {GROUPS, plan} from './plan';
import {ablationConfigurations, condensedRuns, judged, learnedRun, pointwiseConfigurations, seedNoise} from './sections';


export function findings(result: PlanResult): Finding[] {
  const noise = seedNoise(result);
  const [dense, group, shuffled, learned] = pointwiseConfigurations(result);
  const groupsHurt = judged(result, group, dense);
  const shuffleHelps = judged(result, shuffled, group);
  const learnedOverShuffle = judged(result, learned, shuffled);
  const {condense, groups, lasso} = ablationConfigurations(result);
  // "Costs little accuracy": no worse within a margin set before the run.
  const c8 = judged(result, condense[3], condense[0], 'accuracy', EQUIVALENCE_MARGIN);
  const lassoHelps = judged(result, lasso[1], lasso[0]);
  const {run, condensation} = learnedRun(result);
  const conversions = condensedRuns(result).map(r => condensationOf(r.result)!.conversion);
  const worst = Math.max(...conversions.map(c => c.exact.maxAbsLogitDifference));
  const cut = conversions.map(c => c.classifierCut.accuracyConverted - c.classifierCut.accuracyTrained);
  const {trained, converted} = condensation.conversion.latencyMsBatch1;
  const denseLatency = result.group('pointwise')[0].result.timing.latencyMsBatch1;
  return [
    {id: 'groupFlaw', topic: 'Fixed groups lose accuracy',
     claim: 'A 1×1 group convolution sees a fixed slice of its input in each group, and loses accuracy against the dense one (§3).',
     measured: {'accuracy, fixed groups': group.accuracy.mean, 'accuracy, dense': dense.accuracy.mean},
     verdict: groupsHurt, agrees: agreement(groupsHurt, false),
     text: `fixed groups over dense: ${said(groupsHurt)}. ` + ended(groupsHurt, 'Fixed groups did better here.', 'Fixed groups cost accuracy, as the paper says.',
         UNDECIDED)},
    {id: 'shuffle', topic: 'A shuffle mixes the groups',
     claim: 'ShuffleNet: a channel shuffle after a group convolution recovers accuracy at no cost.',
     measured: {'accuracy with shuffle': shuffled.accuracy.mean, 'accuracy without': group.accuracy.mean},
     verdict: shuffleHelps, agrees: agreement(shuffleHelps, true),
     text: `with over without: ${said(shuffleHelps)}.`},
    {id: 'learned', topic: 'Learned groups',
     claim: 'Learned group convolutions beat fixed groups with a shuffle at the same test-time cost (CondenseNet against ShuffleNet, Table 5).',
     measured: {'accuracy, learned': learned.accuracy.mean, 'accuracy, fixed + shuffle': shuffled.accuracy.mean,
                'test-time MACs, learned': learned.runs[0].result.macs, 'MACs, fixed + shuffle': shuffled.runs[0].result.macs},
     verdict: learnedOverShuffle, agrees: agreement(learnedOverShuffle, true),
     text: `learned over fixed + shuffle: ${said(learnedOverShuffle)}.`},
    {id: 'condensing', topic: 'Condensing happens on schedule',
     claim: `C - 1 stages in the first half of training, each leaving 1/C fewer connections (§3.1).`,
     measured: Object.fromEntries(condensation.events.map(e => [`kept after stage ${e.stage} (at ${Math.round(100 * e.progress)} %)`, e.keptFraction])),
     agrees: condensation.events.at(-1)!.progress <= 0.5 && Math.abs(condensation.events.at(-1)!.keptFraction - 1 / GROUPS) < 1e-9,
     text: `in run ${run.key}: ${condensation.events.map(e => `stage ${e.stage} at ${Math.round(100 * e.progress)} %: ${(100 * e.keptFraction).toFixed(0)} % kept`).join('; ')}.`},
    {id: 'conversion', topic: 'The conversion is exact; the classifier cut is not',
     claim: 'The converted network (index layer, group convolution, shuffle) computes what the trained one does; the official code also drops half the classifier\'s inputs.',
     measured: {'largest |logit difference|, exact': worst, 'smallest accuracy change, classifier cut': Math.min(...cut),
                'largest accuracy change, classifier cut': Math.max(...cut)},
     agrees: worst < 1e-3,
     text: `over ${plural(conversions.length, 'condensed run')}: the exact conversion's logits differ by at most ` +
       `${worst === 0 ? '0 (the same floats)' : worst.toExponential(1)}; ` +
       `cutting the classifier changes test accuracy by ${signed(Math.min(...cut))} to ${signed(Math.max(...cut))}: that step is not lossless.`},
    {id: 'condenseFactor', topic: 'Condensation factor',
     claim: 'Stronger condensation (larger C) costs little accuracy for a large saving (Fig. 6; no numbers published).',
     measured: Object.fromEntries(condense.map(c => [`accuracy, ${c.label}`, c.accuracy.mean])),
     verdict: c8, agrees: noWorse(c8), text: `C = 8 over C = 1: ${said(c8)}.`},
    {id: 'groups', topic: 'Groups', claim: 'More groups at the same C: the paper shows the trend only as a figure.',
     measured: Object.fromEntries(groups.map(c => [`accuracy, ${c.label}`, c.accuracy.mean])), agrees: null,
     text: groups.map(c => `${c.label}: ${c.accuracy.mean.toFixed(3)}`).join(', ') + '.'},
    {id: 'lasso', topic: 'Group lasso',
     claim: `The authors report about +0.5 points on ImageNet; a user saw ${LASSO_REPORT.without} % error without and ${LASSO_REPORT.with} % with it (${LASSO_REPORT.source}).`,
     measured: {'accuracy with': lasso[1].accuracy.mean, 'accuracy without': lasso[0].accuracy.mean},
     verdict: lassoHelps, agrees: agreement(lassoHelps, true), text: `with over without: ${said(lassoHelps)}.`},
    {id: 'speed', topic: 'Fewer multiply-adds, faster?',
     claim: 'The converted network needs a fraction of DenseNet\'s multiply-adds; users found DenseNet faster on a GPU (CondenseNet issue #3).',
     measured: {'ms, converted': converted, 'ms, masked': trained, 'ms, DenseNet': denseLatency},
     agrees: null,
     text: `at batch 1 on ${result.backend}: converted ${converted.toFixed(2)} ms, masked ${trained.toFixed(2)} ms, DenseNet ${denseLatency.toFixed(2)} ms.`},
    {id: 'quirks', topic: 'The official code\'s quirks',
     claim: 'Its conversion drops classifier inputs (not lossless), and it switches the group lasso off by a test keyed to the groups G rather than to C.',
     measured: {'G = C in the lab\'s main runs': GROUPS}, agrees: null,
     text: 'the lab converts exactly and shows the classifier cut separately (above), and stops the lasso when the last condensing stage ' +
       `is done, which is what the official test means when G = C (the lab's main runs, G = C = ${GROUPS}); in the G ablation the two differ.`},
    noiseFinding(result, noise),
  ];
}

export function findingsSection(result: PlanResult): Item[] {
  return findingsSectionOf(result, findings(result), 'DenseNet-BC (768K parameters)', plan('full'),
                           [['Learned groups', ['learned']], ['Conversion', ['conversion']]]);
}
