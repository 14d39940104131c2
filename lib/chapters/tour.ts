/**
 * The lab tour (notebooks/00-lab-tour.ipynb): every part of the lab once,
 * small. A lab-scale MobileNet v1 costed layer by layer, then trained at
 * three widths, then plotted against its cost.
 */
import {EngineInfo} from '../engine';
import {formatCount, plural} from '../display/format';
import {Item, headlineItem, markdownItem, tableItem} from '../display/show';
import {Budget, pick} from '../experiments/budget';
import {EQUIVALENCE_MARGIN, HeadlineClaim} from '../experiments/claims';
import {BudgetPlan} from '../experiments/plan';
import {PlanResult} from '../experiments/runner';
import {TrainingSettings, datasetFor} from '../experiments/spec';
import {networkCost} from '../models/costs';
import {labScaleOptions} from '../experiments/lab-scale';
import {accuracyVsMacsItem} from './common/figures';
import {Chapter, engineItem} from './common/chapter';
import {layerCostTable} from './common/cost-tables';
import {referenceSentence} from './common/reference-accuracy';

/** MobileNet v1 for 28x28 grey images: the family's lab scale (the first stride removed, the first five separable layers kept). */
export const LAB_SCALE = labScaleOptions('mobilenet_v1');
export const WIDTHS = [0.25, 0.5, 1.0] as const;

const RECIPES: Record<Budget, Partial<TrainingSettings>> = {
  smoke: {limit: 512, testLimit: 500, epochs: 1},
  quick: {limit: 2048, testLimit: 2000, epochs: 1},
  // The tour is a quick look at the lab whatever the budget, short of full.
  course: {limit: 2048, testLimit: 2000, epochs: 1},
  full: {limit: null, testLimit: null, epochs: 10},
};

export function plan(budget: Budget): BudgetPlan {
  return {
    chapter: '00', budget,
    training: {...pick(budget, RECIPES), lr: 5e-3},
    seeds: [1],
    groups: [{name: 'widths', title: 'width', specs: WIDTHS.map(width => ({model: 'mobilenet_v1', options: {...LAB_SCALE, width}, seed: 1}))}],
  };
}

export const CHAPTER: Chapter = {id: '00', aliases: ['tour', 'lab-tour'], title: 'Lab tour', notebook: '00-lab-tour.ipynb', plan};

export function engineSection(budget: Budget, engine: EngineInfo): Item[] {
  return [engineItem(budget, engine)];
}

/** The width-0.5 network's cost: per layer, by kind, in total. */
export function costSection(): Item[] {
  const cost = networkCost('mobilenet_v1', {...LAB_SCALE, width: 0.5});
  const t = cost.totals;
  return [
    layerCostTable(cost.layers, 'MobileNet v1, width 0.5, 28 × 28 × 1 input'),
    tableItem(cost.byKind, [
      {header: 'layer kind', value: k => k.kind},
      {header: 'MACs', value: k => `${(100 * k.macsShare).toFixed(1)} %`},
      {header: 'weights', value: k => `${(100 * k.weightParamsShare).toFixed(1)} %`},
    ], 'Where the cost sits (compare MobileNet Table 2: 1x1 convolutions carry ~95 % of the MACs)'),
    tableItem([t], [
      {header: 'params (all)', value: r => r.params},
      {header: 'trainable', value: r => r.trainableParams},
      {header: 'MACs', value: r => r.macs},
      {header: 'FLOPs (2 x MACs)', value: r => r.flops},
      {header: 'activations (bytes/image)', value: r => r.activationBytes},
    ]),
  ];
}

const widthOf = (run: {config: {options: {[key: string]: unknown}}}) => run.config.options['width'] as number;

export function runsSection(result: PlanResult): Item[] {
  const runs = result.group('widths');
  const best = Math.max(...runs.map(r => r.result.testAccuracy ?? NaN));
  const training = {images: datasetFor(runs[0].config).train.count, epochs: runs[0].config.epochs};
  return [tableItem(runs, [
    {header: 'width', value: widthOf},
    {header: 'MACs', value: r => r.result.macs},
    {header: 'params', value: r => r.result.trainableParams},
    {header: 'test accuracy', value: r => (r.result.testAccuracy ?? NaN).toFixed(3)},
    {header: 'train images/s', value: r => Math.round(r.result.timing.trainImagesPerSecond)},
    {header: 'ms/image (batch 1)', value: r => r.result.timing.latencyMsBatch1.toFixed(2)},
  ], `${plural(result.ran, 'run')} trained now, ${result.reused} reused from results/`),
  markdownItem(`What good is: ${referenceSentence('MobileNet', best, training)}`)];
}

export function costPlotSection(result: PlanResult): Item[] {
  const points = result.group('widths').map(r => ({label: `α=${widthOf(r)}`, macs: r.result.macs, accuracy: r.result.testAccuracy ?? NaN,
                                                    group: 'MobileNet v1 (lab scale)'}));
  return [
    accuracyVsMacsItem(points, 'Fashion-MNIST: accuracy against multiply-adds'),
  ];
}

export function headlineSection(result: PlanResult): Item[] {
  const runs = result.group('widths');
  const thinnest = runs[0];
  const widest = runs[runs.length - 1];
  return [headlineItem('Width multiplier',
      `alpha ${widthOf(thinnest)} costs ${(widest.result.macs / thinnest.result.macs).toFixed(1)}x fewer MACs than alpha ${widthOf(widest)} ` +
      `(${formatCount(thinnest.result.macs)} vs ${formatCount(widest.result.macs)}) at test accuracy ` +
      `${(thinnest.result.testAccuracy ?? NaN).toFixed(3)} vs ${(widest.result.testAccuracy ?? NaN).toFixed(3)} ` +
      `(${result.budget} budget, ${result.backend}).`)];
}

/**
 * The tour's experiment for a report's "run it here" section (it is not
 * part of the tour's plan): the widest and the narrowest network of the
 * width sweep, paired over seeds.
 */
export const RUN_HERE_CLAIM: HeadlineClaim = {
  id: 'width', claim: 'A wider MobileNet is more accurate: α = 1 against α = 0.25.',
  source: 'MobileNets (Howard et al., 2017), §4.2 and Table 6',
  a: {label: 'α = 1', spec: seed => ({model: 'mobilenet_v1', options: {...LAB_SCALE, width: 1}, seed})},
  b: {label: 'α = 0.25', spec: seed => ({model: 'mobilenet_v1', options: {...LAB_SCALE, width: 0.25}, seed})},
  paper: 'higher', margin: EQUIVALENCE_MARGIN,
};
