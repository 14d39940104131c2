/**
 * Chapter 02's arithmetic, computed from networks the lab builds: the
 * spectrum's cost as a function of the segments k, the simplified Inception
 * module's equivalence to a 1x1 plus a grouped 3x3, the grouped
 * convolution's routes in TF.js, and Xception against Inception v3 at paper
 * scale. The published numbers the chapter sets beside its own live here as
 * data with their sources.
 */
import * as tf from '@tensorflow/tfjs';

import {MEASURED_ROUTES, MeasuredRoute, RouteShape, RouteTiming, routeAgreement, timeGroupConvRoutes} from '../../bench/grouped-conv-routes';
import {costOf, separableRatio} from '../../cost';
import {standardConvMacs} from '../../cost/formulas';
import {millions, percent, plural} from '../../display/format';
import {Item, markdownItem, plotlyItem, tableItem} from '../../display/show';
import {GroupConv2D} from '../../layers/group-conv';
import {spectrumModule} from '../../models';
import {networkCost} from '../../models/costs';
import {FIGURE_SIZE, colourOf, legendBelow, logTicks, paddedRange} from '../../plot/layout';
import {comparePublished} from '../common/compare';
import {applyTo} from '../../layers/apply';

export const PAPER = 'Chollet 2017, Xception (arXiv:1610.02357)';

/**
 * ShuffleNet (Zhang et al. 2017, arXiv:1707.01083v2), ImageNet top-1 error
 * in %: the only published measurements of the middle of the spectrum.
 * Table 2: groups g of the pointwise convolutions at fixed cost (g = 1 is
 * the "Xception-like" unit). Table 3: without and with the channel shuffle.
 */
export const SHUFFLENET = {
  source: 'Zhang et al. 2017, ShuffleNet (arXiv:1707.01083v2)',
  table2: [
    {model: '1x', mflops: 140, error: {1: 33.6, 2: 32.7, 3: 32.6, 4: 32.8, 8: 32.4}},
    {model: '0.5x', mflops: 38, error: {1: 45.1, 2: 44.4, 3: 43.2, 4: 41.6, 8: 42.3}},
    {model: '0.25x', mflops: 13, error: {1: 57.1, 2: 56.8, 3: 55.0, 4: 54.2, 8: 52.7}},
  ],
  table3: [
    {model: '1x', groups: 3, without: 34.5, with: 32.6}, {model: '1x', groups: 8, without: 37.6, with: 32.4},
    {model: '0.5x', groups: 3, without: 45.7, with: 43.2}, {model: '0.5x', groups: 8, without: 48.1, with: 42.3},
    {model: '0.25x', groups: 3, without: 56.3, with: 55.0}, {model: '0.25x', groups: 8, without: 56.5, with: 52.7},
  ],
} as const;

/** Xception's Table 1 (ImageNet top-1, single crop) and Table 3 (parameters) for the two networks it compares. */
export const XCEPTION_TABLES = {
  source: PAPER,
  top1: {xception: 0.790, inceptionV3: 0.782},
  params: {xception: 22_855_952, inceptionV3: 23_626_728},
} as const;

/** ShuffleNet Table 3's gains from the shuffle, in points of top-1 error: [smallest, largest]. */
export function shuffleGainRange(): [number, number] {
  const gains = SHUFFLENET.table3.map(r => r.without - r.with);
  return [Math.min(...gains), Math.max(...gains)];
}

/** Rethinking the Inception architecture (Szegedy et al. 2015, arXiv:1512.00567), Fig. 2: ReLU between factorised convolutions. */
export const RETHINKING_FIG2 = {source: 'Szegedy et al. 2015, Rethinking (arXiv:1512.00567), Fig. 2', relu: 77.2, linear: 76.2} as const;

// ---- 1. The spectrum's cost ----

export interface SpectrumCostRow {
  segments: number;
  params: number;
  macs: number;
  /** Multiply-adds of the 3x3 step alone. */
  spatialMacs: number;
}

/** One module (1x1 then a k-segment 3x3, `channels` in and out, on a size x size grid) for each k. */
export function spectrumCostRows(channels = 64, size = 14): SpectrumCostRow[] {
  const ks: number[] = [];
  for (let k = 1; k <= channels; k *= 2) ks.push(k);
  return ks.map(segments => {
    const input = tf.input({shape: [size, size, channels]});
    const model = tf.model({inputs: input, outputs: spectrumModule(input, {filters: channels, segments, between: 'linear', strides: 1, name: 'm'})});
    try {
      const {totals, layers} = costOf(model);
      const spatial = layers.filter(l => l.name === 'm_spatial_conv').reduce((a, l) => a + l.macs, 0);
      return {segments, params: totals.weightParams, macs: totals.macs, spatialMacs: spatial};
    } finally {
      model.dispose();
    }
  });
}

export function spectrumCostSection(channels = 64, size = 14): Item[] {
  const rows = spectrumCostRows(channels, size);
  const regular = standardConvMacs(3, channels, channels, size);
  const separable = rows[rows.length - 1];
  const formula = separableRatio(3, channels);
  return [
    tableItem(rows, [
      {header: 'segments k', value: r => r.segments === channels ? `${r.segments} (= C: depthwise)` : String(r.segments)},
      {header: 'weights', value: r => r.params},
      {header: 'MACs', value: r => r.macs},
      {header: '3×3 step MACs', value: r => r.spatialMacs},
      {header: 'module vs k = 1', value: r => percent(r.macs / rows[0].macs, 1)},
    ], `One module, ${channels} channels in and out, ${size} × ${size} grid: 1×1 then a 3×3 on k segments`),
    markdownItem(`3×3 step: ${millions(rows[0].spatialMacs, 2)} MACs at k = 1, ${millions(separable.spatialMacs, 3)} at k = C; ` +
        `1×1 step: ${millions(rows[0].macs - rows[0].spatialMacs, 2)} at every k. At k = C the module is ` +
        `${(separable.macs / regular).toFixed(4)} of a regular 3×3 convolution's ${millions(regular, 2)} MACs; the formula ` +
        `1/N + 1/D_K² = 1/${channels} + 1/9 gives ${formula.toFixed(4)}.`),
  ];
}

// ---- The simplified Inception module is a 1x1 plus a grouped 3x3 ----

/**
 * Builds the simplified Inception module of the paper's Fig. 2-3 as k towers
 * (a 1x1 to C/k channels, then a 3x3) and as one 1x1 to C channels plus a
 * k-group 3x3, copies the towers' weights into the second, and returns the
 * largest relative difference of their outputs on one batch.
 */
export function inceptionEquivalence(segments: number, channels = 32, size = 8): number {
  const per = channels / segments;
  const input = tf.input({shape: [size, size, channels]});
  const towers = Array.from({length: segments}, (_, t) => {
    const reduce = tf.layers.conv2d({filters: per, kernelSize: 1, useBias: false, name: `tower${t}_1x1`});
    const spatial = tf.layers.conv2d({filters: per, kernelSize: 3, padding: 'same', useBias: false, name: `tower${t}_3x3`});
    return {reduce, spatial, output: applyTo(spatial, applyTo(reduce, input))};
  });
  const inception = tf.model({inputs: input, outputs: segments === 1 ? towers[0].output :
      applyTo(tf.layers.concatenate({axis: -1}), towers.map(t => t.output))});
  const pointwise = tf.layers.conv2d({filters: channels, kernelSize: 1, useBias: false});
  const grouped = new GroupConv2D({filters: channels, kernelSize: 3, groups: segments});
  const spectrum = tf.model({inputs: input, outputs: applyTo(grouped, applyTo(pointwise, input))});
  try {
    return tf.tidy(() => {
      pointwise.setWeights([tf.concat(towers.map(t => t.reduce.getWeights()[0]), 3)]);
      grouped.setWeights([tf.concat(towers.map(t => t.spatial.getWeights()[0]), 3)]);
      const x = tf.randomNormal([2, size, size, channels], 0, 1, 'float32', 7);
      const a = inception.predict(x) as tf.Tensor, b = spectrum.predict(x) as tf.Tensor;
      return a.sub(b).abs().max().dataSync()[0] / a.abs().max().dataSync()[0];
    });
  } finally {
    inception.dispose();
    spectrum.dispose();
  }
}

/** k = 1, Inception's 3 and 4, and one segment per channel, on 96 channels (which all of them divide). */
export function equivalenceSection(ks: readonly number[] = [1, 3, 4, 96]): Item[] {
  const differences = ks.map(k => ({k, difference: inceptionEquivalence(k, 96)}));
  const worst = Math.max(...differences.map(d => d.difference));
  return [
    tableItem(differences, [
      {header: 'segments k', value: r => r.k},
      {header: 'largest difference (relative)', value: r => r.difference.toExponential(1)},
    ], 'k towers (1×1 → 3×3, concatenated) against one 1×1 and a k-group 3×3 with the towers\' weights'),
    markdownItem(`For each of the ${plural(ks.length, 'value')} of k the two forms ` +
        (worst === 0 ? 'give the same outputs to the last bit' : `agree to float32 rounding (at most ${worst.toExponential(1)})`) +
        ': a simplified Inception module **is** a 1×1 convolution followed by a 3×3 convolution on k non-overlapping channel segments.'),
  ];
}

// ---- 2. Grouped convolutions in TF.js ----

/** The shape chapter 02 times the routes on: a lab-scale stage (64 channels on 14 x 14, batch 32). */
export const ROUTE_SHAPE: RouteShape = {batch: 32, size: 14, channels: 64, kernel: 3};

const ROUTE_NAMES: Record<string, string> = {
  split: 'split: G convolutions, concatenated', depthwise: 'depthwise: one depthwise conv + a sum per group',
  masked: 'masked: one dense conv, zeros off the blocks',
  direct: 'direct: the lab\'s kernel, every group in one pass',
};

/** Time (log) against multiply-adds (log), one line per route over G = 1 ... C. */
function routesFigure(timings: readonly RouteTiming[], kernel: number) {
  const x = paddedRange(timings.map(t => t.macs), true);
  const y = paddedRange(timings.flatMap(t => MEASURED_ROUTES.map(r => t.ms[r])), true);
  return {
    data: MEASURED_ROUTES.map((route, i) => ({
      type: 'scatter', mode: 'lines+markers', name: ROUTE_NAMES[route],
      x: timings.map(t => t.macs), y: timings.map(t => t.ms[route]), text: timings.map(t => `G = ${t.groups}`),
      line: {color: colourOf(i)}, marker: {color: colourOf(i), size: 8},
      hovertemplate: '%{text}<br>%{x:.3s} MACs<br>%{y:.1f} ms<extra></extra>',
    })),
    layout: {
      title: {text: `Grouped ${kernel}×${kernel} convolution: one training step against its multiply-adds`},
      width: FIGURE_SIZE.width, autosize: false, ...legendBelow(MEASURED_ROUTES.map(route => ROUTE_NAMES[route])),
      xaxis: {title: {text: 'multiply-adds per batch (log scale; G = 1 on the right)'}, type: 'log', range: x, ...logTicks(x)},
      yaxis: {title: {text: 'ms per forward + backward step (log scale)'}, type: 'log', range: y,
              tickvals: logTicks(y).tickvals, ticktext: logTicks(y).tickvals.map(v => `${Number(v.toPrecision(2))} ms`)},
    },
    config: {responsive: false},
  };
}

/** The routes agree, then are timed on the engine in use (about ten seconds on two cores). */
export function groupConvSection(shape: RouteShape = ROUTE_SHAPE): Item[] {
  if (!Number.isInteger(shape.channels) || shape.channels < 2) {
    throw new Error(`groupConvSection: channels must be a whole number ≥ 2, got ${shape.channels}`);
  }
  // G = 1, 2, 4, ... while it divides the channels, then one group per channel.
  const groups: number[] = [];
  for (let g = 1; g < shape.channels && shape.channels % g === 0; g *= 2) groups.push(g);
  groups.push(shape.channels);
  const agreementGroups = Math.max(...groups.filter(g => g <= 8));
  const agreement = routeAgreement({...shape, batch: 2, size: 6}, agreementGroups);
  return groupConvItems(shape, timeGroupConvRoutes(shape, groups), agreement, agreementGroups);
}

/**
 * The section from given timings: its words follow whichever route these
 * timings found faster, so a test can feed it timings of either kind.
 */
export function groupConvItems(shape: RouteShape, timings: readonly RouteTiming[], agreement: Record<MeasuredRoute, number>,
                               agreementGroups = 8): Item[] {
  const fastest = (t: RouteTiming) => Math.min(...MEASURED_ROUTES.map(r => t.ms[r]));
  const [dense, depthwise] = [timings[0], timings[timings.length - 1]];
  const split = (g: number) => timings.find(t => t.groups === g)!.ms.split;
  const slowestSplit = timings.reduce((a, t) => t.ms.split > a.ms.split ? t : a);
  const maskedRatios = timings.slice(1).map(t => t.ms.masked / dense.ms.masked);
  const maskedRange = [Math.min(...maskedRatios), Math.max(...maskedRatios)];
  // The direct kernel against split where it runs as SIMD code (inputs a group in multiples of 4), and where it does not.
  const simdRows = timings.slice(1).filter(t => t.inputsPerGroup % 4 === 0);
  const bestDirect = simdRows.reduce<RouteTiming | null>((a, t) => a == null || t.ms.split / t.ms.direct > a.ms.split / a.ms.direct ? t : a, null);
  const loopRows = timings.filter(t => t.inputsPerGroup % 4 !== 0);
  // What these timings measured, one fact a line; why each route behaves so is the notebook's to say.
  const timingFacts = [
    `From G = 1 to G = ${depthwise.groups} the multiply-adds fall **${(dense.macs / depthwise.macs).toFixed(0)}×**; ` +
        `the fastest route's time falls ${(fastest(dense) / fastest(depthwise)).toFixed(1)}×.`,
    `The split route is slowest at G = ${slowestSplit.groups} (${slowestSplit.ms.split.toFixed(1)} ms, ` +
        `${(slowestSplit.ms.split / split(1)).toFixed(1)}× the regular convolution's ${split(1).toFixed(1)} ms for ` +
        `1/${slowestSplit.groups} of its MACs).`,
    `The masked route takes ${maskedRange.map(v => v.toFixed(1)).join('-')}× the regular convolution's time at every G > 1.`,
    ...(bestDirect == null ? [] : [bestDirect.ms.direct < bestDirect.ms.split ?
        `The lab's direct kernel is ${(bestDirect.ms.split / bestDirect.ms.direct).toFixed(1)}× faster than split at ` +
            `G = ${bestDirect.groups} (${bestDirect.ms.direct.toFixed(1)} against ${bestDirect.ms.split.toFixed(1)} ms).` :
        `The lab's direct kernel is no faster than split at any G here (at best ${bestDirect.ms.direct.toFixed(1)} against ` +
            `${bestDirect.ms.split.toFixed(1)} ms at G = ${bestDirect.groups}).`]),
    ...(loopRows.length === 0 ? [] : [`With fewer than 4 inputs a group, the direct kernel runs as plain JavaScript loops ` +
        `(${loopRows.map(t => `${t.ms.direct.toFixed(0)} ms at G = ${t.groups}`).join(', ')}).`]),
  ];
  return [
    markdownItem(`On ${shape.channels} channels with G = ${agreementGroups}, each route's output and gradients differ from the split route's by at most ` +
        `${MEASURED_ROUTES.map(r => `${r} ${agreement[r].toExponential(1)}`).join(', ')} (relative): one function, ` +
        `${plural(MEASURED_ROUTES.length, 'way')}.`),
    tableItem(timings, [
      {header: 'groups G', value: t => t.groups},
      {header: 'inputs per group', value: t => t.inputsPerGroup},
      {header: 'MACs', value: t => t.macs},
      {header: 'split ms', value: t => t.ms.split.toFixed(1)},
      {header: 'depthwise ms', value: t => t.ms.depthwise.toFixed(1)},
      {header: 'masked ms', value: t => t.ms.masked.toFixed(1)},
      {header: 'direct ms', value: t => t.ms.direct.toFixed(1)},
      {header: "'auto' takes", value: t => t.auto},
    ], `One forward + backward step, batch ${shape.batch}, ${shape.size} × ${shape.size} × ${shape.channels}, ${shape.kernel}×${shape.kernel} (median of 5)`),
    plotlyItem(routesFigure(timings, shape.kernel)),
    markdownItem(timingFacts.map(fact => `- ${fact}`).join('\n')),
  ];
}

// ---- 6. Xception against Inception v3 at paper scale ----

export function paperScaleSection(): Item[] {
  const rows = comparePublished(['xception', 'inception_v3', 'inception_v3_keras'], ['trainableParams']);
  const xception = networkCost('xception').totals;
  const v3 = networkCost('inception_v3').totals;
  const paperV3 = XCEPTION_TABLES.params.inceptionV3;
  const keras = rows.find(r => r.variant === 'inception_v3_keras')!;
  return [
    tableItem(rows, [
      {header: 'network', value: r => r.variant},
      {header: 'published', value: r => r.published},
      {header: 'ours', value: r => r.ours},
      {header: 'source', value: r => r.source},
    ], 'Trainable parameters at paper scale (ImageNet, 1000 classes)'),
    markdownItem(`Xception: **${xception.trainableParams.toLocaleString('en-US')}** trainable parameters ` +
        `(${xception.trainableParams === XCEPTION_TABLES.params.xception ? 'the paper\'s Table 3 exactly' :
            `the paper's Table 3: ${XCEPTION_TABLES.params.xception.toLocaleString('en-US')}`}) and ` +
        `${(xception.macs / 1e9).toFixed(2)} G multiply-adds at 299 px; Inception v3: ${v3.trainableParams.toLocaleString('en-US')} ` +
        `and ${(v3.macs / 1e9).toFixed(2)} G. Table 3 gives Inception v3 ${paperV3.toLocaleString('en-US')}, ` +
        `${(keras.ours - paperV3).toLocaleString('en-US')} fewer than Keras's ${keras.ours.toLocaleString('en-US')} trainable. ` +
        `The two networks differ by ${percent(Math.abs(v3.trainableParams - xception.trainableParams) / v3.trainableParams, 1)} in parameters.`),
  ];
}
