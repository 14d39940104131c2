/**
 * Chapter 03, MobileNet's multipliers: the papers' tables recomputed from
 * built networks, the plan of lab-scale runs for each budget, and the
 * tables, figures and findings read from those runs. The notebook
 * (notebooks/03-mobilenet-multipliers.ipynb) narrates these calls.
 */
import * as tf from '@tensorflow/tfjs';

import {millions, percent, plural, signed} from '../display/format';
import {Item, markdownItem, plotlyItem, tableItem, vegaItem, headlineItem, findingsItem} from '../display/show';
import {Budget, pick} from '../experiments/budget';
import {BudgetPlan} from '../experiments/plan';
import {PlanResult} from '../experiments/runner';
import {ExperimentSpec, ModelOptions, Run, TrainingSettings, datasetFor} from '../experiments/spec';
import {costOf, separableRatio} from '../cost';
import {buildMobileNetV1} from '../models';
import {accuracyVsMacsFigure, accuracyVsMacsSpec, latencyFigure} from '../plot/figures';
import {Finding} from '../results/findings';
import {CostPoint, Spread, paretoFront, pooledStd, spread, verdict} from '../results/stats';
import {LATENCY_METHOD} from '../train/latency';
import {Chapter} from './chapter';
import {comparePublished, matchWidth, totalsOf, variantsOf} from './compare';
import {layerCostTable} from './cost-tables';
import {recipeItems} from './recipe';
import {referenceFor, referenceSentence} from './reference-accuracy';
import {fullBudgetEstimate} from './time';

const PAPER = 'Howard et al. 2017, MobileNets (arXiv:1704.04861)';

/**
 * Table 3: one layer (DK = 3, M = N = 512, DF = 14), made cheaper step by
 * step. Rows are cumulative: separable, then alpha 0.75, then rho 0.714
 * (DF 14 -> 10). Million Mult-Adds and million parameters as printed.
 */
export const TABLE_3 = {
  source: `${PAPER}, Table 3`,
  kernel: 3, channels: 512, size: 14,
  rows: [
    {label: 'Conv 3x3', separable: false, alpha: 1, size: 14, macsM: 462, paramsM: 2.36},
    {label: 'Depthwise separable', separable: true, alpha: 1, size: 14, macsM: 52.3, paramsM: 0.27},
    {label: 'alpha = 0.75', separable: true, alpha: 0.75, size: 14, macsM: 29.6, paramsM: 0.15},
    {label: 'rho = 0.714', separable: true, alpha: 0.75, size: 10, macsM: 15.1, paramsM: 0.15},
  ],
} as const;

/** Table 2: share of Mult-Adds and parameters by layer type, in percent, as printed. */
export const TABLE_2 = {
  source: `${PAPER}, Table 2`,
  rows: [
    {kind: 'conv1x1', label: 'Conv 1x1', macsPct: 94.86, paramsPct: 74.59},
    {kind: 'depthwise', label: 'Conv DW 3x3', macsPct: 3.06, paramsPct: 1.06},
    // Printed 1.19; the paper's own layers give 1.91 (its column sums to
    // 99.29 % as printed, 100.0 % with 1.91): a transposition typo.
    {kind: 'conv3x3', label: 'Conv 3x3', macsPct: 1.19, paramsPct: 0.02, typo: {macsPct: 1.91}},
    {kind: 'dense', label: 'Fully connected', macsPct: 0.18, paramsPct: 24.33},
  ],
} as const;

export interface Table3Row {
  label: string;
  paperMacsM: number;
  paperParamsM: number;
  macs: number;
  weightParams: number;
}

/**
 * Table 3 recomputed: each row's layer built in TF.js (full 3x3 conv, or
 * depthwise + pointwise at the row's alpha and size) and costed by the rules.
 */
export function table3Rows(): Table3Row[] {
  return TABLE_3.rows.map(row => {
    const channels = TABLE_3.channels * row.alpha;
    const input = tf.input({shape: [row.size, row.size, channels]});
    let x = input;
    if (row.separable) {
      x = tf.layers.depthwiseConv2d({kernelSize: TABLE_3.kernel, padding: 'same', useBias: false}).apply(x) as tf.SymbolicTensor;
      x = tf.layers.conv2d({filters: channels, kernelSize: 1, useBias: false}).apply(x) as tf.SymbolicTensor;
    } else {
      x = tf.layers.conv2d({filters: channels, kernelSize: TABLE_3.kernel, padding: 'same', useBias: false}).apply(x) as tf.SymbolicTensor;
    }
    const {macs, weightParams} = totalsOf(tf.model({inputs: input, outputs: x}));
    return {label: row.label, paperMacsM: row.macsM, paperParamsM: row.paramsM, macs, weightParams};
  });
}

/** Section 1: Table 3, and the 1/N + 1/DK² ratio against the built layers. */
export function table3Section(): Item[] {
  const rows = table3Rows();
  const ratio = separableRatio(TABLE_3.kernel, TABLE_3.channels);
  return [
    tableItem(rows, [
      {header: 'layer', value: r => r.label},
      {header: 'paper Mult-Adds', value: r => r.paperMacsM + 'M'},
      {header: 'ours', value: r => millions(r.macs)},
      {header: 'paper params', value: r => r.paperParamsM + 'M'},
      {header: 'ours ', value: r => millions(r.weightParams, 3)},
    ], 'MobileNet Table 3: one layer made cheaper step by step'),
    markdownItem(`Separable over standard: 1/N + 1/DK² = 1/${TABLE_3.channels} + 1/${TABLE_3.kernel ** 2} = ${ratio.toFixed(4)}, ` +
        `i.e. **${(1 / ratio).toFixed(2)}× fewer** multiply-adds; the built layers give ${(rows[0].macs / rows[1].macs).toFixed(2)}×.`),
  ];
}

/** Section 2: MobileNet v1 1.0-224 per layer, and Table 2 with its typo. */
export function paperV1Section(): Item[] {
  const cost = costOf(buildMobileNetV1());
  const share = (kind: string) => cost.byKind.find(k => k.kind === kind)!;
  const conv3 = share('conv3x3');
  const printedSum = TABLE_2.rows.reduce((a, r) => a + r.macsPct, 0);
  const withOurs = TABLE_2.rows.reduce((a, r) => a + (r.kind === 'conv3x3' ? 100 * conv3.macsShare : r.macsPct), 0);
  return [
    layerCostTable(cost.layers, 'MobileNet v1 1.0-224, per layer', {macs: 'Mult-Adds', weightsOnly: true}),
    tableItem(TABLE_2.rows, [
      {header: 'layer type', value: r => r.label},
      {header: 'paper Mult-Adds', value: r => r.macsPct.toFixed(2) + ' %'},
      {header: 'ours', value: r => percent(share(r.kind).macsShare, 2)},
      {header: 'paper params', value: r => r.paramsPct.toFixed(2) + ' %'},
      {header: 'ours ', value: r => percent(share(r.kind).weightParamsShare, 2)},
    ], 'Table 2: where the cost sits'),
    markdownItem(`The 1 × 1 convolutions carry **${percent(share('conv1x1').macsShare)}** of the multiply-adds ` +
        `and ${percent(share('conv1x1').weightParamsShare)} of the parameters: the cost of MobileNet is in dense ` +
        'matrix multiplication, which is why it runs well. One cell of the printed table is wrong: the first full 3 × 3 convolution is ' +
        `${percent(conv3.macsShare, 2)} of the Mult-Adds, where the paper prints 1.19 % (its column sums to ${printedSum.toFixed(2)} %; ` +
        `with ${percent(conv3.macsShare, 2)} it sums to ${withOurs.toFixed(2)} %): two digits swapped.`),
  ];
}

/** Section 2, continued: Tables 4-7 and 9 against the built networks, the gaps said as the rows give them. */
export function paperTablesSection(): Item[] {
  const rows = comparePublished(variantsOf('mobilenet_v1'), ['macs', 'weightParams']).filter(r => /Table [4-9]/.test(r.source));
  const within = rows.filter(r => r.withinTolerance);
  const unreconciled = rows.filter(r => r.unreconciled);
  const largest = rows.reduce((a, r) => Math.abs(r.difference) / r.published > Math.abs(a.difference) / a.published ? r : a);
  return [
    tableItem(rows, [
      {header: 'variant', value: r => r.variant},
      {header: 'measure', value: r => r.measure === 'macs' ? 'Mult-Adds' : 'params'},
      {header: 'paper', value: r => millions(r.published)},
      {header: 'ours', value: r => millions(r.ours)},
      {header: 'difference', value: r => (r.difference >= 0 ? '+' : '') + millions(r.difference)},
      {header: 'source', value: r => r.source.replace(`${PAPER}, `, '')},
    ], 'Tables 4-7 and 9, paper against the built networks'),
    markdownItem(`${within.length} of ${rows.length} numbers agree with the paper to its printed precision ` +
        '(Mult-Adds to 1M, sometimes rounded and sometimes truncated: 568.74M is printed 569, 290.68M is printed 290; ' +
        'parameters to 0.1M or 0.01M). The largest relative difference, ' +
        `${percent(Math.abs(largest.difference) / largest.published, 2)} (${largest.variant}, ${largest.measure === 'macs' ? 'Mult-Adds' : 'params'}), ` +
        `is ${millions(largest.ours)} printed as ${millions(largest.published, 1)}: rounding of a small number. ` +
        (unreconciled.length === 0 ? 'Every difference is explained by rounding.' :
         `Not explained by rounding: ${unreconciled.map(r => `${r.variant} ${r.measure === 'macs' ? 'Mult-Adds' : 'params'}, ` +
             `${millions(r.ours)} against ${millions(r.published, 0)} (${signed(r.difference / 1e6, 2)}M; ${r.unreconciled})`).join('; ')}.`)),
  ];
}

/** Section 2, continued: MobileNetV2 and V3's published numbers, three parameter counts for one network. */
export function modernSection(): Item[] {
  const rows = comparePublished(['mobilenet_v2_1.0_224', 'mobilenet_v3_large_1.0_224', 'mobilenet_v3_small_1.0_224']);
  const v2 = (measure: string) => rows.find(r => r.variant === 'mobilenet_v2_1.0_224' && r.measure === measure)!.ours.toLocaleString('en-US');
  return [
    tableItem(rows, [
      {header: 'variant', value: r => r.variant},
      {header: 'measure', value: r => r.measure},
      {header: 'published', value: r => r.published},
      {header: 'ours', value: r => r.ours},
      {header: 'source', value: r => r.source},
    ], 'MobileNetV2 and V3: every published number the lab checks'),
    markdownItem(`MobileNetV2 1.0-224: ${v2('macs')} multiply-adds (the paper's "300M"); ${v2('weightParams')} conv + dense weights ` +
        `(TF-slim's "3.47M"), ${v2('trainableParams')} with batch norm's scale and shift (torchvision), ${v2('params')} with ` +
        'its moving statistics (Keras): one network, three counts.'),
  ];
}

/** Section 3: how cost scales with α and ρ (equation 6). */
export function scalingSection(): Item[] {
  const alphas = [0.25, 0.35, 0.5, 0.75, 1.0, 1.25];
  const resolutions = [96, 128, 160, 192, 224];
  const byAlpha = alphas.map(width => ({width, ...totalsOf(buildMobileNetV1({width}))}));
  const byRho = resolutions.map(resolution => ({rho: resolution / 224, ...totalsOf(buildMobileNetV1({resolution}))}));
  const base = byAlpha.find(r => r.width === 1)!;
  const a25 = byAlpha.find(r => r.width === 0.25)!;
  const line = (name: string, x: number[], y: number[], dash?: string) =>
      ({type: 'scatter', mode: dash ? 'lines' : 'lines+markers', name, x, y, ...(dash ? {line: {dash}} : {})});
  return [
    plotlyItem({
      data: [
        line('Mult-Adds vs α', alphas, byAlpha.map(r => r.macs / base.macs)),
        line('params vs α', alphas, byAlpha.map(r => r.weightParams / base.weightParams)),
        line('α²', alphas, alphas.map(a => a * a), 'dot'),
        line('Mult-Adds vs ρ', byRho.map(r => r.rho), byRho.map(r => r.macs / base.macs)),
        line('params vs ρ', byRho.map(r => r.rho), byRho.map(r => r.weightParams / base.weightParams)),
        line('ρ²', byRho.map(r => r.rho), byRho.map(r => r.rho ** 2), 'dash'),
      ],
      layout: {title: {text: 'MobileNet v1: cost relative to 1.0-224'}, xaxis: {title: {text: 'multiplier (α or ρ)'}, type: 'log'},
               yaxis: {title: {text: 'relative to α = ρ = 1 (log scale)'}, type: 'log'}},
    }),
    markdownItem(`At α = 0.25 the network costs ${percent(a25.macs / base.macs)} of the full one (α² = ${percent(0.25 ** 2, 2)}): the depthwise ` +
        `layers and the classifier scale with α, not α², so the fall is a little slower than α². Parameters stay at ` +
        `${millions(base.weightParams)} for every resolution.`),
  ];
}

// ---- The plan ----

/** Lab-scale MobileNet v1: 28x28 grey inputs, the first conv at stride 1, the first five separable layers. */
const LAB_SCALE = {channels: 1, classes: 10, stemStride: 1} as const;
const V1_LAB = {...LAB_SCALE, depth: 5} as const;
export const GRID_WIDTHS = [0.25, 0.5, 0.75, 1.0] as const;
export const GRID_RESOLUTIONS = [10, 14, 20, 28] as const;
const SEPARABLE_WIDTHS = [0.25, 0.5] as const;

const RECIPES: Record<Budget, {training: Partial<TrainingSettings>; seeds: number[]}> = {
  smoke: {training: {limit: 256, testLimit: 200, epochs: 1}, seeds: [1]},
  quick: {training: {limit: 4096, testLimit: 1000, epochs: 1}, seeds: [1, 2]},
  full: {training: {limit: null, testLimit: null, epochs: 10}, seeds: [1, 2, 3]},
};

/** Widths at which the compared networks match a reference's cost (computed once a process: ~100 networks are costed). */
let matched: {thin: number; v2: number; v3: number} | null = null;
function matchedWidths() {
  if (matched == null) {
    const shallowMacs = totalsOf(buildMobileNetV1(SHALLOW)).macs;
    const v1Half = totalsOf(buildMobileNetV1({...V1_LAB, width: 0.5, resolution: 28})).macs;
    matched = {
      thin: matchWidth('mobilenet_v1', {...V1_LAB, resolution: 28}, shallowMacs).width,
      v2: matchWidth('mobilenet_v2', V2_LAB, v1Half).width,
      v3: matchWidth('mobilenet_v3', V3_LAB, v1Half).width,
    };
  }
  return matched;
}

/** Shallower (Table 5): full width, the last two of the five separable layers removed. */
const SHALLOW = {...V1_LAB, depth: 3, width: 1, resolution: 28};
const V2_LAB = {...LAB_SCALE, stages: 4, resolution: 28};
const V3_LAB = {...LAB_SCALE, size: 'small', resolution: 28};

const v1 = (options: ModelOptions, seed = 1): ExperimentSpec => ({model: 'mobilenet_v1', options: {...V1_LAB, ...options}, seed});

export function plan(budget: Budget): BudgetPlan {
  const recipe = pick(budget, RECIPES);
  const widths = matchedWidths();
  return {
    chapter: '03', budget,
    training: {...recipe.training, batch: 64, lr: 5e-3},
    seeds: [...recipe.seeds],
    groups: [
      {name: 'grid', title: 'α × resolution',
       specs: GRID_WIDTHS.flatMap(width => GRID_RESOLUTIONS.map(resolution => v1({width, resolution})))},
      {name: 'seeds', title: 'seed noise',
       specs: GRID_WIDTHS.flatMap(width => recipe.seeds.map(seed => v1({width, resolution: 28}, seed)))},
      {name: 'separable', title: 'separable vs full',
       specs: SEPARABLE_WIDTHS.flatMap(width => (['separable', 'full'] as const).map(convolution => v1({width, resolution: 28, convolution})))},
      {name: 'thinShallow', title: 'thinner vs shallower',
       specs: [v1({resolution: 28, width: widths.thin}), {model: 'mobilenet_v1', options: SHALLOW, seed: 1}]},
      {name: 'families', title: 'V1/V2/V3 at matched cost',
       specs: [
         v1({width: 0.5, resolution: 28}),
         {model: 'mobilenet_v2', options: {...V2_LAB, width: widths.v2}, seed: 1},
         {model: 'mobilenet_v2', options: {...V2_LAB, width: widths.v2, linearBottleneck: false}, seed: 1},
         {model: 'mobilenet_v3', options: {...V3_LAB, width: widths.v3}, seed: 1},
       ]},
    ],
  };
}

export const CHAPTER: Chapter = {
  id: '03', aliases: ['mobilenet', 'mobilenet-multipliers'], title: 'MobileNet multipliers: width, resolution, and what they cost',
  notebook: '03-mobilenet-multipliers.ipynb', plan,
};

/** The recipe in a sentence, from the plan. */
export const recipeSection = recipeItems;

// ---- Reading the runs ----

type V1Options = {width: number; resolution: number; depth?: number; convolution?: string; linearBottleneck?: boolean};
const optionsOf = (run: Run) => run.config.options as unknown as V1Options;
const accuracy = (run: Run) => run.result.testAccuracy ?? NaN;
const ms = (run: Run) => run.result.timing.latencyMsBatch1.toFixed(2);

function gridPoints(result: PlanResult): CostPoint[] {
  return result.group('grid').map(r => ({label: `α=${optionsOf(r).width} ${optionsOf(r).resolution}px`, macs: r.result.macs,
                                          accuracy: accuracy(r), group: `${optionsOf(r).resolution} px`}));
}

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
    plotlyItem(accuracyVsMacsFigure(points, 'Lab MobileNet v1 on Fashion-MNIST: accuracy against multiply-adds')),
    vegaItem(accuracyVsMacsSpec(points, 'Accuracy against multiply-adds (α × resolution)')),
  ];
}

/** The α sweep at 28 px over every seed: the chapter's measure of run-to-run noise. */
export function seedNoise(result: PlanResult): {byWidth: Array<{width: number} & Spread>; runStd: number; degreesOfFreedom: number} {
  const seeded = result.group('seeds');
  const byWidth = GRID_WIDTHS.map(width => ({width, ...spread(seeded.filter(r => optionsOf(r).width === width).map(accuracy))}));
  const pooled = pooledStd(byWidth);
  return {byWidth, runStd: pooled.std, degreesOfFreedom: pooled.degreesOfFreedom};
}

export function seedSection(result: PlanResult): Item[] {
  const noise = seedNoise(result);
  const widest = noise.byWidth[noise.byWidth.length - 1];
  const thinnest = noise.byWidth[0];
  return [
    tableItem(noise.byWidth, [
      {header: 'α (28 px)', value: r => r.width},
      {header: 'seeds', value: r => r.n},
      {header: 'mean test accuracy', value: r => r.mean.toFixed(3)},
      {header: 'spread (std)', value: r => r.n > 1 ? r.std.toFixed(3) : '-'},
    ]),
    markdownItem(`From α = ${thinnest.width} to α = ${widest.width} accuracy moves by **${(widest.mean - thinnest.mean).toFixed(3)}**; ` +
        (noise.degreesOfFreedom > 0 ?
            `one run's seed-to-seed standard deviation, pooled over the ${noise.byWidth.length} widths, is ${noise.runStd.toFixed(3)} ` +
            `(${plural(thinnest.n, 'seed')} each).` :
            'one seed on this budget: no spread measured, so no comparison below is checked against noise.')),
  ];
}

function separablePairs(result: PlanResult) {
  const runs = result.group('separable');
  return SEPARABLE_WIDTHS.map(width => {
    const sep = runs.find(r => optionsOf(r).width === width && optionsOf(r).convolution === 'separable')!;
    const full = runs.find(r => optionsOf(r).width === width && optionsOf(r).convolution === 'full')!;
    return {width, costRatio: full.result.macs / sep.result.macs, accuracyGain: accuracy(full) - accuracy(sep)};
  });
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
    markdownItem(`At ${millions(thin.result.macs)} against ${millions(shallow.result.macs)} multiply-adds, the **${gain > 0 ? 'thinner' : 'shallower'}** ` +
        `network is more accurate by ${Math.abs(gain).toFixed(3)} (paper, ImageNet: thinner wins by 3 %).`),
  ];
}

function familyName(run: Run): string {
  if (run.config.model === 'mobilenet_v2' && optionsOf(run).linearBottleneck === false) return 'MobileNetV2, ReLU6 after projection';
  return {mobilenet_v1: 'MobileNet v1', mobilenet_v2: 'MobileNetV2', mobilenet_v3: 'MobileNetV3-Small'}[run.config.model] ?? run.config.model;
}

export function familiesSection(result: PlanResult): Item[] {
  const families = result.group('families');
  const [, linear, nonLinear] = families;
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
    markdownItem(`Linear bottleneck: ${accuracy(linear).toFixed(3)}; with a ReLU6 after the projection: ${accuracy(nonLinear).toFixed(3)} ` +
        `(${accuracy(linear) >= accuracy(nonLinear) ? 'the linear one is better, as the paper\'s Fig. 6 says' :
            'the non-linear one is better here, against the paper\'s Fig. 6'}).`),
    plotlyItem(accuracyVsMacsFigure(points, 'Families at matched cost, with the 28 px α sweep')),
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
  const median = [...spreads].sort((a, b) => a - b)[Math.floor(spreads.length / 2)];
  return `${method} The middle half of the repeats spans ${percent(median, 0)} of the median for a typical network ` +
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
    ].map(g => ({name: g.name, points: g.runs.map(r => ({label: label(r), macs: r.result.macs, ms: r.result.timing.latencyMsBatch1}))})),
    `Latency against multiply-adds (${result.backend})`)),
    markdownItem(`Separable networks take **${sepRate.toFixed(3)} ms per million MACs**, full-convolution ones ${fullRate.toFixed(3)}: ` +
        `per multiply-add, separable networks are ${(sepRate / fullRate).toFixed(1)}× slower on ${result.backend}, so where they are ` +
        `${pair.costRatio.toFixed(1)}× cheaper in multiply-adds (α = ${pair.width}) they are ${timeRatio(pair.costRatio * fullRate / sepRate)} in time. ` +
        latencyMethodText(timed)),
  ];
}

// ---- Findings ----

export function findings(result: PlanResult): Finding[] {
  const noise = seedNoise(result);
  const std = noise.runStd;
  const widest = noise.byWidth[noise.byWidth.length - 1];
  const thinnest = noise.byWidth[0];
  const widthVerdict = verdict(widest.mean - thinnest.mean, std, widest.n);
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
  const front = paretoFront(gridPoints(result));
  const px = (r: Run) => `${optionsOf(r).resolution} px`;

  return [
    {id: 'width', topic: 'Width', claim: 'Accuracy falls as α shrinks (Table 6: 70.6 % at α = 1 to 50.6 % at 0.25).',
     measured: Object.fromEntries(noise.byWidth.map(w => [`mean accuracy at α ${w.width}`, w.mean])),
     verdict: widthVerdict, agrees: widthVerdict.beyondNoise ? widthVerdict.difference > 0 : null,
     text: `at 28 px, mean accuracy over ${plural(widest.n, 'seed')} goes ${noise.byWidth.map(r => r.mean.toFixed(3)).join(' → ')} as α goes ` +
       `${noise.byWidth.map(r => r.width).join(' → ')}: ${signed(widthVerdict.difference)} from the thinnest to the widest, ${widthVerdict.label}. ` +
       (widthVerdict.beyondNoise && widthVerdict.difference > 0 ? 'Accuracy falls as the network thins, as in the paper (Table 6).' :
        'The paper\'s trend (Table 6) does not show on this budget.')},
    {id: 'resolution', topic: 'Resolution', claim: 'Accuracy falls with input resolution (Table 7: 70.6 % at 224 px to 64.4 % at 128 px).',
     measured: Object.fromEntries(at1.map(r => [`accuracy at ${px(r)}`, accuracy(r)])),
     verdict: resolutionVerdict, agrees: resolutionVerdict.beyondNoise ? resolutionVerdict.difference > 0 : null,
     text: `at α = 1, accuracy goes ${at1.map(r => accuracy(r).toFixed(3)).join(' → ')} for ${at1.map(px).join(' → ')}: ` +
       `${signed(resolutionVerdict.difference)} from the smallest to the largest input, ${resolutionVerdict.label}. ` +
       (resolutionVerdict.beyondNoise && resolutionVerdict.difference > 0 ?
           `Smaller inputs cost accuracy, as in the paper (Table 7); the largest step is between ${largestStep.from} and ${largestStep.to} px ` +
           `(${signed(largestStep.gain)}, ${verdict(largestStep.gain, std).label}).` :
        resolutionVerdict.beyondNoise ?
           'Here smaller inputs did *better*, against the paper\'s Table 7. Fashion-MNIST\'s garments keep their shape at 14 px, and a ' +
           'short run may favour the network with fewer positions to fit; exercise 4 (the full budget) asks whether 28 px pulls ahead.' :
           'No effect beyond the noise on this budget, unlike the paper\'s Table 7.')},
    {id: 'separable', topic: 'Separable vs full', claim: 'Full convolutions cost 8.5× the compute for +1.1 % top-1 (Table 4).',
     measured: Object.fromEntries(pairs.flatMap(p => [[`cost ratio at α ${p.width}`, p.costRatio], [`accuracy gain at α ${p.width}`, p.accuracyGain]])),
     verdict: pairs[pairs.length - 1].verdict, agrees: null,
     text: pairs.map(p => `α = ${p.width}: ${p.costRatio.toFixed(1)}× the multiply-adds for ${signed(p.accuracyGain)} accuracy (${p.verdict.label})`).join('; ') +
       '. The paper: 8.5× for +1.1 %.'},
    {id: 'thinShallow', topic: 'Thinner vs shallower', claim: 'At about equal cost, thinner beats shallower by 3 % (Table 5).',
     measured: {'thinner accuracy': accuracy(thin), 'shallower accuracy': accuracy(shallow)},
     verdict: thinVerdict, agrees: thinVerdict.beyondNoise ? thinVerdict.difference > 0 : null,
     text: `thinner ${thinVerdict.difference > 0 ? 'wins' : 'loses'} by ${Math.abs(thinVerdict.difference).toFixed(3)}, ${thinVerdict.label} (the paper: thinner wins by 3 %).`},
    {id: 'linearBottleneck', topic: 'Linear bottleneck', claim: 'A linear projection beats a non-linear one (MobileNetV2, Fig. 6a).',
     measured: {'linear accuracy': accuracy(linear), 'ReLU6 accuracy': accuracy(nonLinear)},
     verdict: linearVerdict, agrees: linearVerdict.beyondNoise ? linearVerdict.difference > 0 : null,
     text: `${signed(linearVerdict.difference)} for the linear projection over ReLU6, ${linearVerdict.label} (the paper's Fig. 6: linear is better).`},
    {id: 'pareto', topic: 'Pareto front', claim: 'Width and resolution trade accuracy for cost smoothly (Fig. 4, 5).',
     measured: {'networks on the front': front.length, 'networks in the grid': grid.length}, agrees: null,
     text: `of the grid: ${front.map(p => p.label).join(', ')}.`},
    {id: 'noise', topic: 'Seed noise', claim: 'What a difference between two runs must exceed to mean something.',
     measured: {'one run\'s standard deviation': std, 'degrees of freedom': noise.degreesOfFreedom}, agrees: null,
     text: noise.degreesOfFreedom > 0 ?
         `one run's standard deviation, pooled over the α sweep's ${plural(widest.n, 'seed')}, is ${std.toFixed(3)}; a difference between ` +
         `two single runs is judged against √2 × that = ${(Math.SQRT2 * std).toFixed(3)}.` :
         'one seed on this budget, so no comparison above is checked against noise.'},
  ];
}

/** The training images and epochs every run of the plan had. */
function trainingOf(result: PlanResult): {images: number; epochs: number} {
  const config = result.all()[0].config;
  return {images: datasetFor(config).train.count, epochs: config.epochs};
}

export function findingsSection(result: PlanResult): Item[] {
  const list = findings(result);
  const time = fullBudgetEstimate(result, plan('full'));
  const noise = seedNoise(result);
  const grid28 = result.group('grid').filter(r => optionsOf(r).resolution === 28);
  const pair = separablePairs(result)[1];
  const tables = comparePublished(variantsOf('mobilenet_v1'), ['macs', 'weightParams']).filter(r => /Table [4-9]/.test(r.source));
  const conv3 = costOf(buildMobileNetV1()).byKind.find(k => k.kind === 'conv3x3')!;
  const widest = noise.byWidth[noise.byWidth.length - 1];
  const best = Math.max(...result.all().map(accuracy));
  return [
    findingsItem([...list,
      {id: 'reference', topic: 'What good is', claim: `MobileNet reaches ${referenceFor('MobileNet').testAccuracy} on Fashion-MNIST trained in full.`,
       measured: {'best test accuracy here': best, 'published': referenceFor('MobileNet').testAccuracy}, agrees: null,
       text: referenceSentence('MobileNet', best, trainingOf(result))},
      {id: 'time', topic: 'Time', claim: 'How long the full budget takes on this engine.',
       measured: {'estimated hours': time.seconds / 3600}, agrees: null, text: time.text}]),
    headlineItem('Width multiplier', `α 0.25 → 1 at 28 px: ${millions(grid28[0].result.macs)} → ${millions(grid28[grid28.length - 1].result.macs)} MACs, ` +
        `test accuracy ${noise.byWidth[0].mean.toFixed(3)} → ${widest.mean.toFixed(3)} (mean of ${plural(widest.n, 'seed')}, ${result.budget} budget` +
        (noise.degreesOfFreedom > 0 ? `, one run's seed noise ${noise.runStd.toFixed(3)}).` : ').')),
    headlineItem('Separable vs full', `at α = ${pair.width}, full convolutions cost ${pair.costRatio.toFixed(1)}× the multiply-adds ` +
        `for ${signed(pair.accuracyGain)} test accuracy.`),
    headlineItem('Paper tables', `${tables.filter(r => r.withinTolerance).length} of ${tables.length} MobileNet v1 numbers reproduced to the paper's ` +
        `printed precision; Table 2's printed 1.19 % cell is ${percent(conv3.macsShare, 2)}.`),
  ];
}
