/**
 * Inception's ideas as one lab-scale network with a switch for each, so that
 * chapter 01 can train them one at a time on 28 x 28 images:
 *
 * - `kernels`: the widest branch as GoogLeNet's 5x5, as two stacked 3x3
 *   (Rethinking §3.1, Fig. 5), or with every 3x3 split into 1x3 then 3x1
 *   (§3.2, Fig. 6 with n = 3);
 * - `wideReduction`: the widest branch's 1x1 at half the branch's width
 *   (GoogLeNet's pattern: the convolution after it widens) or its full width
 *   (every convolution in the branch keeps its width, the case of
 *   Rethinking §3.1's arithmetic, where two 3x3 cost 18/25 of a 5x5);
 * - `between`: the network's activation or none between the factors of a
 *   factorised convolution (the control experiment of §3.1, Fig. 2);
 * - `reduction`: how the grid halves between stages (§5): a module then
 *   pooling, pooling then a module, or Fig. 10's parallel stride-2
 *   convolutions and pooling;
 * - `batchNorm` and `act` (ReLU or sigmoid): BN-Inception's experiment
 *   (Ioffe & Szegedy 2015);
 * - `residual` and `residualScale`: Inception-ResNet's modules (Szegedy et
 *   al. 2016), the module's output projected back to its input's width,
 *   scaled and added.
 *
 * Module widths follow GoogLeNet's pattern with the four branches equal:
 * a quarter of the module's output each, the 1x1 reductions an eighth.
 */
import * as tf from '@tensorflow/tfjs';

import {Act, activation, batchNorm, convBnAct} from '../blocks/conv-bn-act';
import {channelsOf} from '../blocks/util';
import {applyTo} from '../layers/apply';
import {ScaledAdd} from '../layers/scaled-add';
import {labChannels} from './channels';
import {STEM_STRIDE_OPTION, checkCommon, checkRange, checkStemStride, minResolutionFor} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

/** Module output channels of each stage at width 1; the grid halves between stages. */
export const STAGE_CHANNELS = [64, 128, 256] as const;

export const KERNELS = ['5x5', '3x3-3x3', '1x3-3x1'] as const;
export const REDUCTIONS = ['conv-pool', 'pool-conv', 'parallel'] as const;
export const WIDE_REDUCTIONS = ['half', 'full'] as const;

export interface InceptionLabOptions extends CommonOptions {
  kernels: typeof KERNELS[number];
  /** The widest branch's 1x1 reduction: half the branch's width, or all of it (the branch keeps one width throughout). */
  wideReduction: typeof WIDE_REDUCTIONS[number];
  /** Between the two factors of a factorised convolution: the network's activation, or none. */
  between: 'activation' | 'linear';
  reduction: typeof REDUCTIONS[number];
  batchNorm: boolean;
  act: 'relu' | 'sigmoid';
  residual: boolean;
  /** The residual's scale before the addition (Inception-v4 §3.3: 0.1-0.3 keeps wide networks training). */
  residualScale: number;
  /** Modules per stage after its grid reduction. */
  modulesPerStage: number;
  stemStride: number;
}

export const DEFAULTS: InceptionLabOptions = {
  resolution: 28, width: 1, classes: 10, channels: 1, kernels: '3x3-3x3', wideReduction: 'half', between: 'activation',
  reduction: 'parallel', batchNorm: true, act: 'relu', residual: false, residualScale: 1, modulesPerStage: 2, stemStride: 2,
};

interface Conv {
  (x: tf.SymbolicTensor, filters: number, kernel: number | [number, number], name: string,
   options?: {strides?: number; act?: Act | 'sigmoid'}): tf.SymbolicTensor;
}

/** Conv -> BN (when on) -> activation, with sigmoid alongside the activations convBnAct knows. */
function convFor(o: InceptionLabOptions): Conv {
  return (x, filters, kernel, name, {strides = 1, act = o.act} = {}) => {
    if (act !== 'sigmoid') return convBnAct(x, {filters, kernelSize: kernel, strides, act, batchNorm: o.batchNorm, name});
    let y = applyTo(tf.layers.conv2d({filters, kernelSize: kernel, strides, padding: 'same', useBias: !o.batchNorm, name: `${name}_conv`}), x);
    if (o.batchNorm) y = batchNorm(y, `${name}_bn`);
    return applyTo(tf.layers.activation({activation: 'sigmoid', name: `${name}_act`}), y);
  };
}

/** A 3x3 as the options build it: one 3x3, or 1x3 then 3x1 with the chosen activation between. */
function conv3x3(conv: Conv, o: InceptionLabOptions, x: tf.SymbolicTensor, filters: number, name: string, strides = 1): tf.SymbolicTensor {
  if (o.kernels !== '1x3-3x1' || strides !== 1) return conv(x, filters, 3, name, {strides});
  const between = o.between === 'linear' ? 'linear' : o.act;
  return conv(conv(x, filters, [1, 3], `${name}_1x3`, {act: between}), filters, [3, 1], `${name}_3x1`);
}

/** The widest branch after its reduction: a 5x5, or two 3x3 (each perhaps factorised) with the chosen activation between. */
function wideBranch(conv: Conv, o: InceptionLabOptions, x: tf.SymbolicTensor, filters: number, name: string): tf.SymbolicTensor {
  if (o.kernels === '5x5') return conv(x, filters, 5, `${name}_5x5`);
  const between = o.between === 'linear' ? 'linear' : o.act;
  const first = o.kernels === '1x3-3x1' ?
      conv(conv(x, filters, [1, 3], `${name}_3x3a_1x3`, {act: between}), filters, [3, 1], `${name}_3x3a_3x1`, {act: between}) :
      conv(x, filters, 3, `${name}_3x3a`, {act: between});
  return conv3x3(conv, o, first, filters, `${name}_3x3b`);
}

/** One module of `filters` output channels: 1x1 | 1x1 -> 3x3 | 1x1 -> wide | 3x3 max pool -> 1x1. */
export function labModule(x: tf.SymbolicTensor, filters: number, o: InceptionLabOptions, name: string): tf.SymbolicTensor {
  if (filters % 8 !== 0) throw new Error(`inception_lab: a module's ${filters} channels must divide by 8 (module ${name})`);
  const conv = convFor(o);
  const branch = filters / 4;
  const reduce = filters / 8;
  const b1 = conv(x, branch, 1, `${name}_b1`);
  const b3 = conv3x3(conv, o, conv(x, reduce, 1, `${name}_b3_reduce`), branch, `${name}_b3`);
  const wideReduce = o.wideReduction === 'full' ? branch : reduce;
  const bWide = wideBranch(conv, o, conv(x, wideReduce, 1, `${name}_wide_reduce`), branch, `${name}_wide`);
  const pooled = applyTo(tf.layers.maxPooling2d({poolSize: 3, strides: 1, padding: 'same', name: `${name}_pool`}), x);
  const bPool = conv(pooled, branch, 1, `${name}_pool_proj`);
  const y = applyTo(tf.layers.concatenate({name: `${name}_concat`}), [b1, b3, bWide, bPool]);
  if (!o.residual || channelsOf(x) !== filters) return y;
  // Inception-ResNet: a linear 1x1 back to the input's width, scaled, added, then the activation.
  const up = applyTo(tf.layers.conv2d({filters, kernelSize: 1, name: `${name}_up_conv`}), y);
  const sum = applyTo(new ScaledAdd({scale: o.residualScale, name: `${name}_add`}), [x, up]);
  return o.act === 'sigmoid' ? applyTo(tf.layers.activation({activation: 'sigmoid', name: `${name}_act`}), sum) :
      activation(sum, 'relu', `${name}_act`);
}

function maxPoolDown(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return applyTo(tf.layers.maxPooling2d({poolSize: 3, strides: 2, padding: 'same', name}), x);
}

/**
 * The grid halves and the channels grow to `filters` (Rethinking §5):
 * 'conv-pool' runs a module at the full grid and pools (the expensive way),
 * 'pool-conv' pools and runs a module at half the grid (a quarter of the
 * cost, and a representational bottleneck), 'parallel' concatenates two
 * stride-2 convolution branches with the pooled input (Fig. 10).
 */
export function gridReduction(x: tf.SymbolicTensor, filters: number, o: InceptionLabOptions, name: string): tf.SymbolicTensor {
  if (o.reduction === 'conv-pool') return maxPoolDown(labModule(x, filters, o, `${name}_module`), `${name}_pool`);
  if (o.reduction === 'pool-conv') return labModule(maxPoolDown(x, `${name}_pool`), filters, o, `${name}_module`);
  const input = channelsOf(x);
  const branch = (filters - input) / 2;
  if (!(Number.isInteger(branch) && branch > 0)) {
    throw new Error(`inception_lab: a parallel reduction from ${input} to ${filters} channels needs an even difference above 0 (${name})`);
  }
  const conv = convFor(o);
  const b3 = conv3x3(conv, o, conv(x, branch / 2, 1, `${name}_b3_reduce`), branch, `${name}_b3`, 2);
  const deep = conv3x3(conv, o, conv(x, branch / 2, 1, `${name}_b33_reduce`), branch, `${name}_b33a`);
  const b33 = conv(deep, branch, 3, `${name}_b33b`, {strides: 2});
  return applyTo(tf.layers.concatenate({name: `${name}_concat`}), [b3, b33, maxPoolDown(x, `${name}_pool`)]);
}

export function buildInceptionLab(options: Partial<InceptionLabOptions> = {}): tf.LayersModel {
  const o: InceptionLabOptions = {...DEFAULTS, ...options};
  const oneOf = <T extends string>(what: string, value: T, allowed: readonly T[]) => {
    if (!allowed.includes(value)) throw new Error(`inception_lab: ${what} must be one of ${allowed.join(', ')}, got '${value}'`);
  };
  oneOf('kernels', o.kernels, KERNELS);
  oneOf('wideReduction', o.wideReduction, WIDE_REDUCTIONS);
  oneOf('between', o.between, ['activation', 'linear'] as const);
  oneOf('reduction', o.reduction, REDUCTIONS);
  oneOf('act', o.act, ['relu', 'sigmoid'] as const);
  checkRange('inception_lab: modulesPerStage', o.modulesPerStage, 1, 8, true);
  checkRange('inception_lab: residualScale', o.residualScale, 0.001, 1, false);
  checkStemStride('inception_lab', o.stemStride);
  checkCommon('inception_lab', o, minResolutionFor(STAGE_CHANNELS.length - 1 + (o.stemStride === 2 ? 1 : 0)));
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  const conv = convFor(o);
  let x = conv(input, labChannels(32, o.width), 3, 'stem', {strides: o.stemStride});
  STAGE_CHANNELS.forEach((channels, stage) => {
    const filters = labChannels(channels, o.width);
    x = stage === 0 ? labModule(x, filters, o, 'stage1_entry') : gridReduction(x, filters, o, `reduction${stage}`);
    for (let i = 0; i < o.modulesPerStage; i++) x = labModule(x, filters, o, `stage${stage + 1}_module${i + 1}`);
  });
  x = applyTo(tf.layers.globalAveragePooling2d({name: 'pool'}), x);
  const logits = applyTo(tf.layers.dense({units: o.classes, name: 'logits'}), x);
  return tf.model({inputs: input, outputs: logits, name: 'inception_lab'});
}

export const FAMILY: Family<InceptionLabOptions> = {
  name: 'inception_lab',
  paper: 'Szegedy et al. 2015 (GoogLeNet, arXiv:1409.4842; Rethinking, arXiv:1512.00567), Ioffe & Szegedy 2015 (arXiv:1502.03167), ' +
      'Szegedy et al. 2016 (Inception-v4, arXiv:1602.07261): their ideas one switch at a time',
  defaults: DEFAULTS,
  options: {
    kernels: {type: 'string', choices: [...KERNELS], description: 'the widest branch: one 5x5, two 3x3, or every 3x3 as 1x3 then 3x1'},
    wideReduction: {type: 'string', choices: [...WIDE_REDUCTIONS],
                    description: "the widest branch's 1x1: half the branch's width, or all of it (one width throughout)"},
    between: {type: 'string', choices: ['activation', 'linear'], description: 'between the factors of a factorised convolution'},
    reduction: {type: 'string', choices: [...REDUCTIONS], description: 'how the grid halves between stages (Rethinking §5)'},
    batchNorm: {type: 'boolean', description: 'batch norm after every convolution'},
    act: {type: 'string', choices: ['relu', 'sigmoid'], description: 'the activation of every convolution'},
    residual: {type: 'boolean', description: 'Inception-ResNet residual modules'},
    residualScale: {type: 'number', description: 'scale of the residual before the addition'},
    modulesPerStage: {type: 'integer', description: 'modules in each of the 3 stages after its entry'},
    stemStride: STEM_STRIDE_OPTION,
  },
  build: buildInceptionLab,
};

/** A lab network: no published numbers to reproduce. */
export const VARIANTS: readonly ModelVariant[] = [];
