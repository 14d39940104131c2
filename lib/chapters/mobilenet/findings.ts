/**
 * Chapter 03's findings as data: each claim of the MobileNet papers, what
 * the lab measured, and the verdict against the seed noise.
 */
import {millions, percent, plural, signed} from '../../display/format';
import {Item, findingsItem, headlineItem, markdownItem} from '../../display/show';
import {PlanResult} from '../../experiments/runner';
import {Run} from '../../experiments/spec';
import {networkCost} from '../../models/costs';
import {Finding} from '../../results/findings';
import {paretoFront, verdict} from '../../results/stats';
import {claimsSection} from '../common/claims';
import {comparePublished, variantsOf} from '../common/compare';
import {accuracy, noiseOf} from '../common/runs';
import {UNDECIDED, agreement, closingFindings, comparisonsCounted, decidedHeadline, ended, noiseFinding, said} from '../common/verdicts';
import {plan} from './plan';
import {gridPoints, optionsOf, seedNoise, seededWidths, separablePairs, v3Parts} from './runs';

export function findings(result: PlanResult): Finding[] {
  const noise = seedNoise(result);
  const std = noiseOf(noise);
  const byWidth = seededWidths(result);
  const widest = byWidth[byWidth.length - 1];
  const thinnest = byWidth[0];
  const widthVerdict = verdict(widest.mean - thinnest.mean, std, {runsEach: widest.n});
  const grid = result.group('grid');
  const at1 = grid.filter(r => optionsOf(r).width === 1).sort((a, b) => optionsOf(a).resolution - optionsOf(b).resolution);
  const resolutionVerdict = verdict(accuracy(at1[at1.length - 1]) - accuracy(at1[0]), std);
  const steps = at1.slice(1).map((r, i) => ({from: optionsOf(at1[i]).resolution, to: optionsOf(r).resolution, gain: accuracy(r) - accuracy(at1[i])}));
  const largestStep = steps.reduce((a, b) => Math.abs(b.gain) > Math.abs(a.gain) ? b : a);
  const pairs = separablePairs(result).map(p => ({...p, verdict: verdict(p.accuracyGain, std)}));
  const [thin, shallow] = result.group('thinShallow');
  const thinVerdict = verdict(accuracy(thin) - accuracy(shallow), std);
  const [, linear, nonLinear] = result.group('families');
  const linearVerdict = verdict(accuracy(linear) - accuracy(nonLinear), std);
  const v3 = v3Parts(result);
  const hardSwishVerdict = verdict(accuracy(v3.paper) - accuracy(v3.relu), std);
  const squeezeVerdict = verdict(accuracy(v3.paper) - accuracy(v3.noSqueeze), std);
  const front = paretoFront(gridPoints(result));
  const px = (r: Run) => `${optionsOf(r).resolution} px`;

  return [
    {id: 'width', topic: 'Width', claim: 'Accuracy falls as α shrinks (Table 6: 70.6 % at α = 1 to 50.6 % at 0.25).',
     measured: Object.fromEntries(byWidth.map(w => [`mean accuracy at α ${w.width}`, w.mean])),
     verdict: widthVerdict, agrees: agreement(widthVerdict, true),
     text: `at 28 px, mean accuracy over ${plural(widest.n, 'seed')} goes ${byWidth.map(r => r.mean.toFixed(3)).join(' → ')} as α goes ` +
       `${byWidth.map(r => r.width).join(' → ')}: ${signed(widthVerdict.difference)} from the thinnest to the widest, ${widthVerdict.label}. ` +
       ended(widthVerdict, 'Accuracy falls as the network thins, as in the paper (Table 6).',
             'Here the thinnest network did better, against the paper\'s Table 6.', UNDECIDED)},
    {id: 'resolution', topic: 'Resolution', claim: 'Accuracy falls with input resolution (Table 7: 70.6 % at 224 px to 64.4 % at 128 px).',
     measured: Object.fromEntries(at1.map(r => [`accuracy at ${px(r)}`, accuracy(r)])),
     verdict: resolutionVerdict, agrees: agreement(resolutionVerdict, true),
     text: `at α = 1, accuracy goes ${at1.map(r => accuracy(r).toFixed(3)).join(' → ')} for ${at1.map(px).join(' → ')}: ` +
       `${signed(resolutionVerdict.difference)} from the smallest to the largest input, ${resolutionVerdict.label}. ` +
       (resolutionVerdict.beyondNoise && resolutionVerdict.difference > 0 ?
           `Smaller inputs cost accuracy, as in the paper (Table 7); the largest step is between ${largestStep.from} and ${largestStep.to} px ` +
           `(${signed(largestStep.gain)}, ${verdict(largestStep.gain, std).label}).` :
        resolutionVerdict.beyondNoise ?
           'Here smaller inputs did *better*, against the paper\'s Table 7. Fashion-MNIST\'s garments keep their shape at 14 px, and a ' +
           'short run may favour the network with fewer positions to fit; exercise 4 (the full budget) asks whether 28 px pulls ahead.' :
           UNDECIDED)},
    {id: 'separable', topic: 'Separable vs full', claim: 'Full convolutions cost 8.5× the compute for +1.1 % top-1 (Table 4).',
     measured: Object.fromEntries(pairs.flatMap(p => [[`cost ratio at α ${p.width}`, p.costRatio], [`accuracy gain at α ${p.width}`, p.accuracyGain]])),
     verdict: pairs[pairs.length - 1].verdict, agrees: null,
     text: pairs.map(p => `α = ${p.width}: ${p.costRatio.toFixed(1)}× the multiply-adds for ${signed(p.accuracyGain)} accuracy (${p.verdict.label})`).join('; ') +
       '. The paper: 8.5× for +1.1 %.'},
    {id: 'thinShallow', topic: 'Thinner vs shallower', claim: 'At about equal cost, thinner beats shallower by 3 % (Table 5).',
     measured: {'thinner accuracy': accuracy(thin), 'shallower accuracy': accuracy(shallow)},
     verdict: thinVerdict, agrees: agreement(thinVerdict, true),
     text: `thinner over shallower: ${said(thinVerdict)} (the paper: thinner wins by 3 %). ` +
       ended(thinVerdict, 'Thinner wins here too.', 'Shallower wins here, against the paper.', UNDECIDED)},
    {id: 'linearBottleneck', topic: 'Linear bottleneck', claim: 'A linear projection beats a non-linear one (MobileNetV2, Fig. 6a).',
     measured: {'linear accuracy': accuracy(linear), 'ReLU6 accuracy': accuracy(nonLinear)},
     verdict: linearVerdict, agrees: agreement(linearVerdict, true),
     text: `linear projection over ReLU6: ${said(linearVerdict)} (the paper's Fig. 6: linear is better). ` +
       ended(linearVerdict, 'The linear bottleneck is better here too.', 'ReLU6 after the projection did better here, against the paper.', UNDECIDED)},
    {id: 'hardSwish', topic: 'h-swish', claim: 'h-swish in place of ReLU makes MobileNetV3 more accurate at the same multiply-adds (§5.2).',
     measured: {'h-swish accuracy': accuracy(v3.paper), 'ReLU accuracy': accuracy(v3.relu)},
     verdict: hardSwishVerdict, agrees: agreement(hardSwishVerdict, true),
     text: `V3-Small with h-swish over the same network with ReLU: ${said(hardSwishVerdict)}, at ` +
       `${millions(v3.paper.result.macs)} multiply-adds each. ` +
       ended(hardSwishVerdict, 'h-swish helps here too.', 'ReLU did better here, against the paper.', UNDECIDED)},
    {id: 'squeezeExcite', topic: 'Squeeze-and-excite',
     claim: 'Squeeze-and-excite in the blocks, taken over from MnasNet, makes MobileNetV3 more accurate for its small cost (§5.3).',
     measured: {'with squeeze-and-excite': accuracy(v3.paper), 'without, widened to the same cost': accuracy(v3.noSqueeze)},
     verdict: squeezeVerdict, agrees: agreement(squeezeVerdict, true),
     text: `V3-Small with squeeze-and-excite (α = ${optionsOf(v3.paper).width}, ${millions(v3.paper.result.macs)} multiply-adds) over ` +
       `the network without it widened to α = ${optionsOf(v3.noSqueeze).width} (${millions(v3.noSqueeze.result.macs)}): ${said(squeezeVerdict)}. ` +
       ended(squeezeVerdict, 'Squeeze-and-excite is worth its cost here too.',
             'The wider network without it did better here, against the paper.', UNDECIDED)},
    {id: 'pareto', topic: 'Pareto front', claim: 'Width and resolution trade accuracy for cost smoothly (Fig. 4, 5).',
     measured: {'networks on the front': front.length, 'networks in the grid': grid.length}, agrees: null,
     text: `of the grid: ${front.map(p => p.label).join(', ')}.`},
    noiseFinding(result, noise),
  ];
}

export function findingsSection(result: PlanResult): Item[] {
  const list = findings(result);
  const noise = seedNoise(result);
  const byWidth = seededWidths(result);
  const grid28 = result.group('grid').filter(r => optionsOf(r).resolution === 28);
  const pair = separablePairs(result)[1];
  const tables = comparePublished(variantsOf('mobilenet_v1'), ['macs', 'weightParams']).filter(r => /Table [4-9]/.test(r.source));
  const conv3 = networkCost('mobilenet_v1').byKind.find(k => k.kind === 'conv3x3')!;
  const widest = byWidth[byWidth.length - 1];
  return [
    ...claimsSection(result),
    findingsItem([...list, ...closingFindings(result, 'MobileNet', plan('full'))]),
    markdownItem(comparisonsCounted(list)),
    decidedHeadline(result, list),
    headlineItem('Width multiplier', `α 0.25 → 1 at 28 px: ${millions(grid28[0].result.macs)} → ${millions(grid28[grid28.length - 1].result.macs)} MACs, ` +
        `test accuracy ${byWidth[0].mean.toFixed(3)} → ${widest.mean.toFixed(3)} (mean of ${plural(widest.n, 'seed')}, ${result.budget} budget` +
        (noise.degreesOfFreedom > 0 ? `, one run's seed noise ${noise.accuracy.toFixed(3)}).` : ').')),
    headlineItem('Separable vs full', `at α = ${pair.width}, full convolutions cost ${pair.costRatio.toFixed(1)}× the multiply-adds ` +
        `for ${signed(pair.accuracyGain)} test accuracy.`),
    headlineItem('Paper tables', `${tables.filter(r => r.withinTolerance).length} of ${tables.length} MobileNet v1 numbers reproduced to the paper's ` +
        `printed precision; Table 2's printed 1.19 % cell is ${percent(conv3.macsShare, 2)}.`),
  ];
}
