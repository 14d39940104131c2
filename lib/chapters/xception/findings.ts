/**
 * Chapter 02's findings as data: each claim of the Xception paper (and of
 * the papers that measured what it left open), the values the lab measured,
 * and the verdict against the seed noise. Where a claim does not show at
 * lab scale, the finding says so.
 */
import {millions, percent} from '../../display/format';
import {Item} from '../../display/show';
import {PlanResult} from '../../experiments/runner';
import {Finding} from '../../results/findings';
import {verdict} from '../../results/stats';
import {EQUIVALENCE_MARGIN, UNDECIDED, agreement, ended, findingsSectionOf, judgedAgainst, noiseFinding, said} from '../common/verdicts';
import {RETHINKING_FIG2, SHUFFLENET, XCEPTION_TABLES, shuffleGainRange} from './paper';
import {plan} from './plan';
import {Configuration, accuracy, configurations, kOf, optionsOf, seedNoise} from './runs';
import {noiseOf} from '../common/runs';
import {activationConfigurations} from './sections';


export function findings(result: PlanResult): Finding[] {
  const noise = seedNoise(result);
  const judged = (a: Configuration, b: Configuration, measure: 'accuracy' | 'meanLoss') => judgedAgainst(noise, a, b, measure);
  const matched = result.group('matched');
  const [matched1, matchedC] = [matched[0], matched[matched.length - 1]];
  const spectrumVerdict = verdict(accuracy(matchedC) - accuracy(matched1), noiseOf(noise));
  const {atC, at1} = activationConfigurations(result);
  const [linearC, reluC, eluC] = atC;
  const [linear1, relu1] = at1;
  const linearOverRelu = judged(linearC, reluC, 'accuracy');
  const linearOverElu = judged(linearC, eluC, 'accuracy');
  const lossLinearRelu = judged(linearC, reluC, 'meanLoss');
  const lossLinearElu = judged(linearC, eluC, 'meanLoss');
  const reluAt1 = judged(relu1, linear1, 'accuracy');
  const [pointwiseFirst, depthwiseFirst] = configurations(result.group('order'), r => optionsOf(r).order ?? 'pointwise-first');
  const order = judgedAgainst(noise, pointwiseFirst, depthwiseFirst, 'accuracy', EQUIVALENCE_MARGIN);
  const [without, withShuffle] = configurations(result.group('shuffle'), r => String(optionsOf(r).shuffle === true));
  const shuffle = judged(withShuffle, without, 'accuracy');
  const [residual, plain] = configurations(result.group('residual'), r => String(optionsOf(r).residual !== false));
  const residualAccuracy = judged(residual, plain, 'accuracy');
  const residualLoss = judged(residual, plain, 'meanLoss');
  const [inception, xception] = configurations(result.group('inceptionXception'), r => kOf(r));
  const xceptionOverInception = judged(xception, inception, 'accuracy');

  return [
    {id: 'spectrum', topic: 'The middle of the spectrum',
     claim: 'Intermediate points may hold further advantages (Xception §5); at fixed cost ShuffleNet gained from more groups (Table 2).',
     measured: Object.fromEntries(matched.map(r => [`accuracy at k = ${kOf(r)}, α ${optionsOf(r).width}`, accuracy(r)])),
     verdict: spectrumVerdict, agrees: agreement(spectrumVerdict, true),
     text: `at matched multiply-adds, k = C against k = 1: ${said(spectrumVerdict)}; accuracy by k: ` +
       `${matched.map(r => `${kOf(r)}: ${accuracy(r).toFixed(3)}`).join(', ')}. ` +
       ended(spectrumVerdict, 'More segments at the same cost helped, as more groups did in ShuffleNet (on its 1×1 convolutions, a different axis).',
             'More segments at the same cost hurt here, unlike more groups in ShuffleNet (on its 1×1 convolutions, a different axis).',
             UNDECIDED)},
    {id: 'activation', topic: 'No activation between the steps: faster (k = C)',
     claim: 'Without a non-linearity between depthwise and pointwise, training converges faster than with ReLU or ELU (Fig. 10).',
     measured: {'mean training loss, none': linearC.meanLoss.mean, 'mean training loss, ReLU': reluC.meanLoss.mean,
                'mean training loss, ELU': eluC.meanLoss.mean},
     // Faster means a lower mean training loss: the claim is a negative difference.
     verdict: lossLinearRelu, agrees: agreement(lossLinearRelu, false),
     text: `mean training loss, none against ReLU: ${said(lossLinearRelu)}; none against ELU: ${said(lossLinearElu)}. ` +
       ended(lossLinearRelu, 'The ReLU version learned faster here, against the paper.', 'Without an activation the network learned faster than with a ReLU, as the paper says.',
             UNDECIDED)},
    {id: 'activationFinal', topic: 'No activation between the steps: better (k = C)',
     claim: 'Without a non-linearity between depthwise and pointwise, the network ends more accurate than with ReLU or ELU (Fig. 10).',
     measured: {'accuracy, none': linearC.accuracy.mean, 'accuracy, ReLU': reluC.accuracy.mean, 'accuracy, ELU': eluC.accuracy.mean},
     verdict: linearOverRelu, agrees: agreement(linearOverRelu, true),
     text: `test accuracy, none against ReLU: ${said(linearOverRelu)}; none against ELU: ${said(linearOverElu)}. ` +
       ended(linearOverRelu, 'The linear version ends better, as the paper says.', 'The ReLU version ends better here, against the paper.',
             UNDECIDED)},
    {id: 'activationRegular', topic: 'An activation between the steps at k = 1',
     claim: `With deep (many-channel) intermediate spaces a ReLU between factors helps (Rethinking Fig. 2: ${RETHINKING_FIG2.relu} % vs ${RETHINKING_FIG2.linear} %).`,
     measured: {'accuracy, ReLU': relu1.accuracy.mean, 'accuracy, none': linear1.accuracy.mean},
     verdict: reluAt1, agrees: agreement(reluAt1, true),
     text: `ReLU over none at k = 1: ${said(reluAt1)}. ` + ended(reluAt1, 'The ReLU helps where the intermediate space is deep, as Rethinking found.',
         'The ReLU hurts even here.', UNDECIDED)},
    {id: 'order', topic: 'Order of the steps', claim: 'Depthwise-then-pointwise or the reverse: "unimportant when stacked" (§3).',
     measured: {'accuracy, pointwise first': pointwiseFirst.accuracy.mean, 'accuracy, depthwise first': depthwiseFirst.accuracy.mean},
     // "Unimportant" is a claim of equivalence: decided against a margin set before the run.
     verdict: order, agrees: order.decision === 'equivalent' ? true : order.decision === 'differs' ? false : null,
     text: `pointwise first over depthwise first: ${said(order)}. ` +
       ended(order, 'The order mattered here: pointwise first did better.', 'The order mattered here: depthwise first did better.', UNDECIDED,
             `Equivalent within ±${EQUIVALENCE_MARGIN}, as the paper says.`)},
    {id: 'shuffle', topic: 'Channel shuffle',
     claim: `A shuffle between grouped steps gains ${shuffleGainRange().map(g => g.toFixed(1)).join('-')} points at the same cost (${SHUFFLENET.source}, Table 3).`,
     measured: {'accuracy with shuffle': withShuffle.accuracy.mean, 'accuracy without': without.accuracy.mean},
     verdict: shuffle, agrees: agreement(shuffle, true),
     text: `with over without: ${said(shuffle)}. ` + ended(shuffle, 'The shuffle helps, as in ShuffleNet.', 'The shuffle hurts here.',
         UNDECIDED)},
    {id: 'residual', topic: 'Residual connections', claim: 'Residuals are essential to Xception\'s convergence speed and final accuracy (§4.6).',
     measured: {'accuracy with residuals': residual.accuracy.mean, 'accuracy without': plain.accuracy.mean,
                'mean training loss with': residual.meanLoss.mean, 'mean training loss without': plain.meanLoss.mean},
     verdict: residualAccuracy, agrees: agreement(residualAccuracy, true),
     text: `with over without: ${said(residualAccuracy)} in test accuracy, ${said(residualLoss)} in mean training loss. ` +
       ended(residualAccuracy, 'Residuals help here too.', 'Residuals hurt here.',
             `${UNDECIDED} The paper's claim is about a 36-layer network; this one is six modules deep.`)},
    {id: 'inceptionXception', topic: 'Xception against Inception at matched parameters',
     claim: `At about the same parameters, Xception beats Inception v3 (ImageNet top-1 ${percent(XCEPTION_TABLES.top1.xception)} vs ` +
       `${percent(XCEPTION_TABLES.top1.inceptionV3)}, Tables 1 and 3).`,
     measured: {'Xception-like accuracy': xception.accuracy.mean, 'Inception-like accuracy': inception.accuracy.mean,
                'Xception-like MACs': xception.runs[0].result.macs, 'Inception-like MACs': inception.runs[0].result.macs},
     verdict: xceptionOverInception, agrees: agreement(xceptionOverInception, true),
     text: `Xception-like (k = C) over Inception-like (k = 4) at ${millions(inception.runs[0].result.trainableParams, 3)} parameters: ` +
       `${said(xceptionOverInception)}, for ${(xception.runs[0].result.macs / inception.runs[0].result.macs).toFixed(2)}× the multiply-adds.`},
    noiseFinding(result, noise),
  ];
}

export function findingsSection(result: PlanResult): Item[] {
  return findingsSectionOf(result, findings(result), 'MobileNet', plan('full'), [
    ['Activation between the steps', ['activation', 'activationFinal']], ['The spectrum at matched cost', ['spectrum']],
  ]);
}
