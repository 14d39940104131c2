/**
 * Chapter 01's arithmetic, every number computed from layers the lab builds:
 * what a 1x1 reduction saves (and, on a thin input, costs), the modules as
 * the sources write them, kernel replacements with their receptive fields,
 * grid reductions, and the ResNet bottleneck.
 */
import * as tf from '@tensorflow/tfjs';

import {costOf} from '../../cost';
import {LayerCost} from '../../cost/types';
import {millions, percent} from '../../display/format';
import {Item, markdownItem, tableItem} from '../../display/show';
import {BODY as GOOGLENET_BODY} from '../../models/inception-v1';
import {applyTo} from '../../layers/apply';
import {Erratum, erratumText} from '../common/errata';

/** One convolution of a chain: filters and a square or [height, width] kernel. */
export interface ConvStep {
  filters: number;
  kernel: number | [number, number];
  strides?: number;
}

/** Weights and multiply-adds of each step of a chain of convolutions (no biases, no BN) on an input of `shape`. */
export function chainCost(shape: [number, number, number], steps: readonly ConvStep[]): LayerCost[] {
  const input = tf.input({shape});
  let x = input;
  steps.forEach((s, i) => {
    x = applyTo(tf.layers.conv2d({filters: s.filters, kernelSize: s.kernel, strides: s.strides ?? 1, padding: 'same', useBias: false,
                                  name: `step${i + 1}`}), x);
  });
  const model = tf.model({inputs: input, outputs: x});
  try {
    return costOf(model).layers.filter(l => l.macs > 0);
  } finally {
    model.dispose();
  }
}

const sum = (layers: readonly LayerCost[], key: 'weightParams' | 'macs') => layers.reduce((a, l) => a + l[key], 0);

/** [height, width] of the input window one output of a stack of convolutions sees: 1 + sum (k - 1) x the stride so far. */
export function receptiveField(steps: readonly ConvStep[]): [number, number] {
  let field: [number, number] = [1, 1];
  let jump = 1;
  for (const s of steps) {
    const [kh, kw] = typeof s.kernel === 'number' ? [s.kernel, s.kernel] : s.kernel;
    field = [field[0] + (kh - 1) * jump, field[1] + (kw - 1) * jump];
    jump *= s.strides ?? 1;
  }
  return field;
}

const count = (n: number) => n.toLocaleString('en-US');
const giga = (n: number) => (n / 1e9).toFixed(2);

// ---- 1. Why 1x1 convolutions ----

/** The classic example: 100 x 100 x 128 through 256 5x5 filters, directly or after 32 1x1 filters. */
export function reductionExample(): {direct: LayerCost[]; reduced: LayerCost[]} {
  return {
    direct: chainCost([100, 100, 128], [{filters: 256, kernel: 5}]),
    reduced: chainCost([100, 100, 128], [{filters: 32, kernel: 1}, {filters: 256, kernel: 5}]),
  };
}

/** A GoogLeNet module with (Fig. 2b) or without (Fig. 2a, "naive") its 1x1 reductions and pool projection, on `shape`. */
export function googLeNetModuleCost(shape: [number, number, number], row: '3a' | '3b', reductions: boolean):
    {weights: number; macs: number; channels: number} {
  const w = GOOGLENET_BODY.find(r => r !== 'pool' && r.name === row) as Exclude<typeof GOOGLENET_BODY[number], 'pool'>;
  const input = tf.input({shape});
  const conv = (x: tf.SymbolicTensor, filters: number, kernelSize: number, name: string) =>
      applyTo(tf.layers.conv2d({filters, kernelSize, padding: 'same', useBias: false, name}), x);
  const pooled = applyTo(tf.layers.maxPooling2d({poolSize: 3, strides: 1, padding: 'same'}), input);
  const branches = reductions ?
      [conv(input, w.b1, 1, 'b1'), conv(conv(input, w.b3Reduce, 1, 'b3r'), w.b3, 3, 'b3'), conv(conv(input, w.b5Reduce, 1, 'b5r'), w.b5, 5, 'b5'),
       conv(pooled, w.poolProj, 1, 'pool_proj')] :
      [conv(input, w.b1, 1, 'b1'), conv(input, w.b3, 3, 'b3'), conv(input, w.b5, 5, 'b5'), pooled];
  const output = applyTo(tf.layers.concatenate(), branches);
  const model = tf.model({inputs: input, outputs: output});
  try {
    const {totals} = costOf(model);
    return {weights: totals.weightParams, macs: totals.macs, channels: output.shape[3]!};
  } finally {
    model.dispose();
  }
}

/** The survey's sum for the reduced example, against the built layers' sum. */
export function reductionErratum(): Erratum {
  const [reduce, wide] = reductionExample().reduced;
  return {
    source: 'the survey of lightweight CNNs',
    claim: `it adds 128·1·1·32 and 32·5·5·256 and gives ${count(wide.weightParams)}, which is the 5×5 layer alone`,
    computed: `${count(reduce.weightParams)} + ${count(wide.weightParams)} = ${count(reduce.weightParams + wide.weightParams)}`,
  };
}

export function oneByOneSection(): Item[] {
  const {direct, reduced} = reductionExample();
  const [reduce, wide] = reduced;
  const modules = (['3a', '3b'] as const).map(row => {
    const shape: [number, number, number] = row === '3a' ? [28, 28, 192] : [28, 28, 256];
    return {row, shape, naive: googLeNetModuleCost(shape, row, false), reduced: googLeNetModuleCost(shape, row, true)};
  });
  const expand = chainCost([56, 56, 24], [{filters: 144, kernel: 1}]);
  return [
    tableItem([
      {what: '256 5×5 filters', layers: direct},
      {what: '32 1×1 filters, then 256 5×5', layers: reduced},
    ], [
      {header: 'on 100 × 100 × 128', value: r => r.what},
      {header: 'weights', value: r => r.layers.map(l => count(l.weightParams)).join(' + ')},
      {header: 'total weights', value: r => sum(r.layers, 'weightParams')},
      {header: 'multiply-adds', value: r => sum(r.layers, 'macs')},
    ], 'The classic example of a 1×1 reduction, computed from built layers'),
    markdownItem(`Directly, 256·5·5·128 = **${count(direct[0].weightParams)}** weights. With 32 1×1 filters first, ` +
        `128·1·1·32 = ${count(reduce.weightParams)} and 32·5·5·256 = **${count(wide.weightParams)}**, ` +
        `${count(sum(reduced, 'weightParams'))} in all (${percent(sum(reduced, 'weightParams') / direct[0].weightParams)} of the direct layer); ` +
        `multiply-adds ${giga(direct[0].macs)} G against ${giga(sum(reduced, 'macs'))} G.`),
    markdownItem(erratumText(reductionErratum())),
    tableItem(modules, [
      {header: 'GoogLeNet module', value: m => `${m.row} on ${m.shape.join(' × ')}`},
      {header: 'naive: weights', value: m => m.naive.weights},
      {header: 'naive: MACs', value: m => m.naive.macs},
      {header: 'naive: out channels', value: m => m.naive.channels},
      {header: 'with 1×1 reductions: weights', value: m => m.reduced.weights},
      {header: 'MACs', value: m => m.reduced.macs},
      {header: 'out channels', value: m => m.reduced.channels},
    ], 'GoogLeNet\'s 3a and 3b without and with their 1×1 reductions (Table 1\'s widths)'),
    markdownItem(`Out of 3a the naive module gives ${modules[0].naive.channels} channels, the reduced one ${modules[0].reduced.channels}; ` +
        `with the reductions 3a costs ${percent(modules[0].reduced.macs / modules[0].naive.macs)} and 3b ` +
        `${percent(modules[1].reduced.macs / modules[1].naive.macs)} of the naive module's multiply-adds.`),
    markdownItem(`MobileNetV2's 1×1 expansion, 24 to 144 channels at 56 × 56: ${count(expand[0].weightParams)} weights, ` +
        `${millions(expand[0].macs)} multiply-adds.`),
    oneByOneNonLinearityItem(),
  ];
}

/**
 * Why a 1x1 convolution adds non-linearity: per pixel it is a linear map of
 * the channels, and the ReLU after it is not. One built 1x1 convolution from
 * two channels to one (weights +1 and -1, no bias) on two pixels, a and b,
 * and on their sum: a linear layer gives f(a) + f(b) = f(a + b); with its
 * ReLU the two sides differ.
 */
export function oneByOneNonLinearity(a: [number, number] = [2, 1], b: [number, number] = [1, 3]) {
  const outputs = (relu: boolean) => tf.tidy(() => {
    const layer = tf.layers.conv2d({filters: 1, kernelSize: 1, useBias: false, activation: relu ? 'relu' : 'linear',
                                    kernelInitializer: 'zeros', inputShape: [1, 1, 2]});
    const model = tf.sequential({layers: [layer]});
    layer.setWeights([tf.tensor4d([1, -1], [1, 1, 2, 1])]);
    const pixels = tf.tensor4d([...a, ...b, a[0] + b[0], a[1] + b[1]], [3, 1, 1, 2]);
    const [fa, fb, fSum] = Array.from((model.predict(pixels) as tf.Tensor).dataSync());
    model.dispose();
    return {fa, fb, fSum};
  });
  return {a, b, linear: outputs(false), withReLU: outputs(true)};
}

function oneByOneNonLinearityItem(): Item {
  const {a, b, linear, withReLU} = oneByOneNonLinearity();
  const pixel = (p: readonly number[]) => `(${p.join(', ')})`;
  return markdownItem(`A built 1×1 layer from two channels to one (weights +1 and −1), without activation: a = ${pixel(a)} gives ` +
      `${linear.fa}, b = ${pixel(b)} gives ${linear.fb}, a + b gives ${linear.fSum}. With its ReLU they give ${withReLU.fa} and ` +
      `${withReLU.fb}, but a + b gives ${withReLU.fSum}, not ${withReLU.fa + withReLU.fb}.`);
}

// ---- 2. The modules as the sources write them: source-modules.ts ----

// ---- 4. Kernel replacement ----

export interface Replacement {
  name: string;
  before: ConvStep[];
  after: ConvStep[];
  /** What the paper says the replacement saves. */
  claim: string;
}

/** On C = 64 channels in and out (α = 1, the papers' arithmetic). */
export const REPLACEMENTS: readonly Replacement[] = [
  {name: '5×5 → two 3×3', before: [{filters: 64, kernel: 5}], after: [{filters: 64, kernel: 3}, {filters: 64, kernel: 3}],
   claim: 'Rethinking §3.1: (9+9)/25, "a relative gain of 28 %"'},
  {name: '3×3 → 1×3 then 3×1', before: [{filters: 64, kernel: 3}], after: [{filters: 64, kernel: [1, 3]}, {filters: 64, kernel: [3, 1]}],
   claim: 'Rethinking §3.2: "33 % cheaper"'},
  {name: '3×3 → two 2×2', before: [{filters: 64, kernel: 3}], after: [{filters: 64, kernel: 2}, {filters: 64, kernel: 2}],
   claim: 'Rethinking §3.2: "saves only 11 %"'},
  {name: '7×7 → 1×7 then 7×1', before: [{filters: 64, kernel: 7}], after: [{filters: 64, kernel: [1, 7]}, {filters: 64, kernel: [7, 1]}],
   claim: 'Inception v3\'s 17 × 17 modules'},
];

export function replacementRows(shape: [number, number, number] = [17, 17, 64]) {
  return REPLACEMENTS.map(r => {
    const before = sum(chainCost(shape, r.before), 'weightParams');
    const after = sum(chainCost(shape, r.after), 'weightParams');
    return {...r, weightsBefore: before, weightsAfter: after, saving: 1 - after / before,
            fieldBefore: receptiveField(r.before), fieldAfter: receptiveField(r.after)};
  });
}

export function replacementSection(): Item[] {
  const rows = replacementRows();
  const five = chainCost([17, 17, 64], [{filters: 64, kernel: 5}])[0];
  const three = chainCost([17, 17, 64], [{filters: 64, kernel: 3}])[0];
  return [
    tableItem(rows, [
      {header: 'replacement (64 → 64 channels)', value: r => r.name},
      {header: 'weights before', value: r => r.weightsBefore},
      {header: 'after', value: r => r.weightsAfter},
      {header: 'saving', value: r => percent(r.saving)},
      {header: 'receptive field before', value: r => r.fieldBefore.join(' × ')},
      {header: 'after', value: r => r.fieldAfter.join(' × ')},
      {header: 'the paper', value: r => r.claim},
    ], 'Kernel replacements: weights from built layers, receptive fields computed by the lab'),
    markdownItem(`A 5×5 costs ${(five.macs / three.macs).toFixed(2)}× a 3×3 with the same channels. Two 3×3 see the same ` +
        `${rows[0].fieldAfter.join(' × ')} window with ${percent(rows[0].weightsAfter / rows[0].weightsBefore)} of its weights; 1×3 then 3×1 ` +
        `see a 3×3 window for ${percent(1 - rows[1].saving, 1)} of its weights; two 2×2 save ${percent(rows[2].saving, 0)}.`),
  ];
}

// ---- 5. Grid reduction and 9. the bottleneck ----

/** Rethinking §5 at the paper's example size: d x d x k to (d/2) x (d/2) x 2k with 3x3 filters, before or after a stride-2 pool. */
export function gridReductionExample(d = 35, k = 320): {convThenPool: number; poolThenConv: number} {
  return {
    convThenPool: chainCost([d, d, k], [{filters: 2 * k, kernel: 3}])[0].macs,
    poolThenConv: chainCost([Math.ceil(d / 2), Math.ceil(d / 2), k], [{filters: 2 * k, kernel: 3}])[0].macs,
  };
}

/**
 * Rethinking §5's arithmetic as a table, for any grid and width: d x d x k
 * to half the grid and 2k channels, the 3x3 convolution before the stride-2
 * pool or after it, and each order's multiply-adds against the first's.
 */
export function gridReductionTable(d = 35, k = 320): Item {
  const {convThenPool, poolThenConv} = gridReductionExample(d, k);
  const half = Math.ceil(d / 2);
  return tableItem([
    {order: `3×3 to ${2 * k} channels on ${d} × ${d}, then pool`, macs: convThenPool},
    {order: `pool to ${half} × ${half}, then 3×3 to ${2 * k} channels`, macs: poolThenConv},
  ], [
    {header: `${d} × ${d} × ${k} to half the grid`, value: r => r.order},
    {header: 'MACs', value: r => r.macs},
    {header: 'against convolution first', value: r => percent(r.macs / convThenPool)},
  ], 'Rethinking §5: a grid reduction\'s convolution before or after its pool, from built layers');
}

/** ResNet's bottleneck (256 -> 64 -> 64 -> 256) against one 3x3 convolution from 256 to 256 channels. */
export function bottleneckExample(): {bottleneck: LayerCost[]; plain: LayerCost[]} {
  return {
    bottleneck: chainCost([56, 56, 256], [{filters: 64, kernel: 1}, {filters: 64, kernel: 3}, {filters: 256, kernel: 1}]),
    plain: chainCost([56, 56, 256], [{filters: 256, kernel: 3}]),
  };
}

export function bottleneckSection(): Item[] {
  const {bottleneck, plain} = bottleneckExample();
  return [markdownItem(`ResNet's bottleneck, 256 → 64 (1×1) → 64 (3×3) → 256 (1×1): ${bottleneck.map(l => count(l.weightParams)).join(' + ')} ` +
      `= **${count(sum(bottleneck, 'weightParams'))}** weights, against **${count(plain[0].weightParams)}** for one 3×3 from 256 to ` +
      `256 channels (${percent(sum(bottleneck, 'weightParams') / plain[0].weightParams)}).`)];
}
