/**
 * Chapter 03's tables and figures read from the runs: the α × resolution
 * grid, the seed noise, separable against full, thinner against
 * shallower, the families at matched cost, and latency against
 * multiply-adds.
 */
import {millions, percent, plural, signed} from '../../display/format';
import {Item, markdownItem, plotlyItem, tableItem} from '../../display/show';
import {PlanResult} from '../../experiments/runner';
import {Run} from '../../experiments/spec';
import {accuracyVsMacsFigure, latencyFigure} from '../../plot/figures';
import {CostPoint, median, spread, verdict} from '../../results/stats';
import {LATENCY_METHOD} from '../../train/latency';
import {networkCost} from '../../models/costs';
import {accuracyVsMacsItem} from '../common/figures';
import {accuracy, noiseOf, planCostPoints} from '../common/runs';
import {said} from '../common/verdicts';
import {familyName, gridPoints, ms, optionsOf, seedNoise, seededWidths, separablePairs, v3Parts} from './runs';

export function gridSection(result: PlanResult): Item[] {
  const points = gridPoints(result);
  return [
    tableItem(result.group('grid'), [
      {header: 'α', value: r => optionsOf(r).width},
      {header: 'resolution', value: r => optionsOf(r).resolution},
      {header: 'MACs', value: r => r.result.macs},
      {header: 'params', value: r => r.result.trainableParams},
      {header: 'test accuracy', value: r => accuracy(r).toFixed(3)},
      {header: 'ms/image (batch 1)', value: ms},
    ]),
    accuracyVsMacsItem(points, 'Lab MobileNet v1 on Fashion-MNIST: accuracy against multiply-adds (α × resolution)'),
  ];
}

export function seedSection(result: PlanResult): Item[] {
  const noise = seedNoise(result);
  const byWidth = seededWidths(result);
  const widest = byWidth[byWidth.length - 1];
  const thinnest = byWidth[0];
  return [
    tableItem(byWidth, [
      {header: 'α (28 px)', value: r => r.width},
      {header: 'seeds', value: r => r.n},
      {header: 'mean test accuracy', value: r => r.mean.toFixed(3)},
      {header: 'spread (std)', value: r => r.n > 1 ? r.std.toFixed(3) : '-'},
    ]),
    markdownItem(`From α = ${thinnest.width} to α = ${widest.width} accuracy moves by **${(widest.mean - thinnest.mean).toFixed(3)}**; ` +
        (noise.degreesOfFreedom > 0 ?
            `one run's seed-to-seed standard deviation, pooled over ${plural(noise.configurations, 'configuration')} repeated over seeds ` +
            `(these widths and the headline claims' arms; ${plural(noise.degreesOfFreedom, 'degree')} of freedom), is ${noise.accuracy.toFixed(3)}.` :
            'one seed on this budget: no spread measured, so no comparison below is checked against noise.')),
  ];
}

export function separableSection(result: PlanResult): Item[] {
  return [
    tableItem(result.group('separable'), [
      {header: 'α', value: r => optionsOf(r).width},
      {header: 'convolutions', value: r => optionsOf(r).convolution ?? ''},
      {header: 'MACs', value: r => r.result.macs},
      {header: 'params', value: r => r.result.trainableParams},
      {header: 'test accuracy', value: r => accuracy(r).toFixed(3)},
    ]),
    markdownItem(separablePairs(result).map(p => `At α = ${p.width}, full convolutions cost **${p.costRatio.toFixed(1)}×** the ` +
        `multiply-adds of separable ones for ${signed(p.accuracyGain)} test accuracy.`).join(' ') +
        ' (Paper, ImageNet: 8.5× the compute for +1.1 % top-1.)'),
  ];
}

export function thinShallowSection(result: PlanResult): Item[] {
  const [thin, shallow] = result.group('thinShallow');
  const gain = accuracy(thin) - accuracy(shallow);
  return [
    tableItem([thin, shallow], [
      {header: 'network', value: r => optionsOf(r).depth === 3 ? 'shallower (3 layers, α = 1)' : `thinner (5 layers, α = ${optionsOf(r).width})`},
      {header: 'MACs', value: r => r.result.macs},
      {header: 'params', value: r => r.result.trainableParams},
      {header: 'test accuracy', value: r => accuracy(r).toFixed(3)},
    ]),
    markdownItem(`At ${millions(thin.result.macs)} against ${millions(shallow.result.macs)} multiply-adds, thinner over shallower: ` +
        `${said(verdict(gain, noiseOf(seedNoise(result))))} (paper, ImageNet: thinner wins by 3 %).`),
  ];
}

export function familiesSection(result: PlanResult): Item[] {
  const families = result.group('families');
  const [v1, linear, nonLinear, v3] = families;
  // The α sweep at 28 px, less the run that is also the families' MobileNet v1 (one point, one label).
  const sweep = result.group('grid').filter(r => optionsOf(r).resolution === 28 && !families.some(f => f.key === r.key));
  const points: CostPoint[] = [
    ...sweep.map(r => ({label: `α=${optionsOf(r).width}`, macs: r.result.macs, accuracy: accuracy(r), group: 'MobileNet v1, α sweep at 28 px'})),
    ...families.map(r => ({label: `${familyName(r)} α=${optionsOf(r).width}`, macs: r.result.macs, accuracy: accuracy(r),
                           group: 'networks at matched cost'})),
  ];
  return [
    tableItem(families, [
      {header: 'network', value: familyName},
      {header: 'α', value: r => optionsOf(r).width},
      {header: 'MACs', value: r => r.result.macs},
      {header: 'params', value: r => r.result.trainableParams},
      {header: 'test accuracy', value: r => accuracy(r).toFixed(3)},
      {header: 'ms/image (batch 1)', value: ms},
    ]),
    markdownItem(`Linear bottleneck: ${accuracy(linear).toFixed(3)}; with a ReLU6 after the projection: ${accuracy(nonLinear).toFixed(3)}; ` +
        `linear over ReLU6: ${said(verdict(accuracy(linear) - accuracy(nonLinear), noiseOf(seedNoise(result))))} (the paper's Fig. 6: linear is better). ` +
        `V2 carries ${(linear.result.trainableParams / v1.result.trainableParams).toFixed(1)}× and V3-Small ` +
        `${(v3.result.trainableParams / v1.result.trainableParams).toFixed(1)}× V1's ${v1.result.trainableParams.toLocaleString('en-US')} parameters.`),
    plotlyItem(accuracyVsMacsFigure(points, 'Families at matched cost, with the 28 px α sweep')),
  ];
}

/**
 * What MobileNetV3 adds to V2's block, one part at a time: the network as
 * the paper builds it, with ReLU where it has h-swish (the same cost), and
 * without squeeze-and-excite, widened back to the same multiply-adds.
 */
export function v3PartsSection(result: PlanResult): Item[] {
  const {paper, relu, noSqueeze} = v3Parts(result);
  const std = noiseOf(seedNoise(result));
  const sameWidthWithout = networkCost('mobilenet_v3', {...paper.config.options, squeezeExcite: false}).totals;
  const squeezeShare = 1 - sameWidthWithout.macs / paper.result.macs;
  return [
    tableItem([paper, relu, noSqueeze], [
      {header: 'network', value: r => r === paper ? 'MobileNetV3-Small as the paper builds it' : familyName(r)},
      {header: 'α', value: r => optionsOf(r).width},
      {header: 'MACs', value: r => r.result.macs},
      {header: 'params', value: r => r.result.trainableParams},
      {header: 'test accuracy', value: r => accuracy(r).toFixed(3)},
      {header: 'ms/image (batch 1)', value: ms},
    ]),
    markdownItem(`h-swish over ReLU: ${said(verdict(accuracy(paper) - accuracy(relu), std))}; ${ms(paper)} against ${ms(relu)} ms per image. ` +
        `Squeeze-and-excite is ${percent(squeezeShare, 0)} of the multiply-adds at ${optionsOf(paper).resolution} px; widened to ` +
        `α = ${optionsOf(noSqueeze).width} without it, the network holds ${(noSqueeze.result.trainableParams / paper.result.trainableParams).toFixed(2)}× ` +
        `the parameters; with it over without: ${said(verdict(accuracy(paper) - accuracy(noSqueeze), std))}.`),
  ];
}

/** "2.1× faster", "1.3× slower": a time ratio (> 1 is faster) as a reader says it. */
function timeRatio(speedup: number): string {
  return speedup >= 1 ? `${speedup.toFixed(1)}× faster` : `${(1 / speedup).toFixed(1)}× slower`;
}

/** How the times were measured, and how much they moved between repeats. */
function latencyMethodText(runs: readonly Run[]): string {
  const spreads = runs.map(r => r.result.timing.latencySpreadBatch1).filter((s): s is number => typeof s === 'number');
  const method = `Each time is the median of at least ${LATENCY_METHOD.repeats} forward passes (and ${LATENCY_METHOD.seconds} s of them) ` +
      `after ${LATENCY_METHOD.warmup} untimed warm-up passes, measured right after the network trained.`;
  if (spreads.length === 0) return method;
  return `${method} The middle half of the repeats spans ${percent(median(spreads), 0)} of the median for a typical network ` +
      `(${spreads.length} of ${runs.length} networks measured this way), so read differences smaller than that as noise.`;
}

/** Milliseconds per million multiply-adds at batch 1: how fast a network turns its arithmetic into time. */
const msPerMillionMacs = (run: Run) => run.result.timing.latencyMsBatch1 / run.result.macs * 1e6;

export function latencySection(result: PlanResult): Item[] {
  const separable = result.group('separable');
  const timed = [...result.group('grid'), ...separable, ...result.group('families')];
  const isFull = (r: Run) => optionsOf(r).convolution === 'full';
  const sepRate = spread(separable.filter(r => !isFull(r)).map(msPerMillionMacs)).mean;
  const fullRate = spread(separable.filter(isFull).map(msPerMillionMacs)).mean;
  const pair = separablePairs(result)[0];
  const label = (r: Run) => `${familyName(r)} α=${optionsOf(r).width} ${optionsOf(r).resolution}px ${optionsOf(r).convolution ?? ''}`.trim();
  return [
    plotlyItem(latencyFigure([
      {name: 'separable convolutions (MobileNet v1)', runs: timed.filter(r => r.config.model === 'mobilenet_v1' && !isFull(r))},
      {name: 'full convolutions (Conv MobileNet)', runs: timed.filter(isFull)},
      {name: 'MobileNetV2 / V3-Small', runs: timed.filter(r => r.config.model !== 'mobilenet_v1')},
    ].map(g => ({name: g.name, points: g.runs.map(r => ({label: label(r), macs: r.result.macs, ms: r.result.timing.latencyMsBatch1, spread: r.result.timing.latencySpreadBatch1}))})),
    `Latency against multiply-adds (${result.backend})`)),
    markdownItem(`Separable networks take **${sepRate.toFixed(3)} ms per million MACs**, full-convolution ones ${fullRate.toFixed(3)}: ` +
        `per multiply-add, separable networks are ${(sepRate / fullRate).toFixed(1)}× slower on ${result.backend}, so where they are ` +
        `${pair.costRatio.toFixed(1)}× cheaper in multiply-adds (α = ${pair.width}) they are ${timeRatio(pair.costRatio * fullRate / sepRate)} in time. ` +
        latencyMethodText(timed)),
  ];
}

/** Everything the chapter trained, accuracy against multiply-adds (mean over seeds), then latency against multiply-adds. */
export function costSection(result: PlanResult): Item[] {
  const points = planCostPoints(result, r => `${familyName(r)} α=${optionsOf(r).width} ${optionsOf(r).resolution}px ${optionsOf(r).convolution ?? ''}`.trim());
  return [plotlyItem(accuracyVsMacsFigure(points, 'Everything chapter 03 trained (mean over seeds)')), ...latencySection(result)];
}
