/**
 * The Xception paper's spectrum (Chollet 2017, §2 and Fig. 4) as a lab-scale
 * network: each module is a 1x1 convolution followed by a 3x3 convolution
 * applied separately to k segments of the channels. k = 1 is a regular 3x3
 * after the 1x1 (an Inception-style tower with one branch); k = channels is a
 * depthwise separable convolution (pointwise first, the "extreme" Inception);
 * Inception modules sit in between with 3 or 4 segments. The activation
 * between the two steps is the subject of the paper's §4.7 ablation.
 *
 * Two switches the paper discusses but does not measure: the order of the
 * two steps (pointwise first, as the spectrum is derived, or depthwise
 * first, as Xception is built: "unimportant when stacked"), and ShuffleNet's
 * grouped 1x1 with or without a channel shuffle before the 3x3 step (without
 * one, a stack of grouped steps never mixes its groups).
 */
import * as tf from '@tensorflow/tfjs';

import {Act, activation, batchNorm, convBnAct} from '../blocks/conv-bn-act';
import {channelsOf} from '../blocks/util';
import {applyTo} from '../layers/apply';
import {ChannelShuffle, GroupConv2D} from '../layers/group-conv';
import {xceptionChannels} from './channels';
import {STEM_STRIDE_OPTION, checkCommon, checkRange, checkStemStride, minResolutionFor} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

/** Stage widths at width 1; each stage after the first starts with stride 2. */
export const STAGE_CHANNELS = [64, 128, 256] as const;   // 28x28 -> 14x14 -> 7x7 at lab scale

export interface XceptionSpectrumOptions extends CommonOptions {
  /** Channel segments k of the 3x3 step; 0 means one per channel (depthwise separable). */
  segments: number;
  /** Activation between the 1x1 and the 3x3 step: 'linear' (none, the paper's best), 'relu' or 'elu'. */
  between: 'linear' | 'relu' | 'elu';
  /** Modules per stage. */
  modulesPerStage: number;
  /** Identity shortcuts around modules that keep the shape (Xception's residuals). */
  residual: boolean;
  stemStride: number;
  /** Which step comes first: the 1x1 ('pointwise-first', the spectrum's derivation) or the 3x3 ('depthwise-first', Xception). */
  order: 'pointwise-first' | 'depthwise-first';
  /** Groups of the 1x1 step (1: dense; above 1: ShuffleNet's grouped pointwise). */
  pointwiseGroups: number;
  /** Channel shuffle between a grouped 1x1 and the 3x3 step. */
  shuffle: boolean;
}

export const DEFAULTS: XceptionSpectrumOptions = {
  resolution: 28, width: 1, classes: 10, channels: 1, segments: 0, between: 'linear', modulesPerStage: 2,
  residual: true, stemStride: 1, order: 'pointwise-first', pointwiseGroups: 1, shuffle: false,
};

export interface SpectrumModuleArgs {
  filters: number;
  /** Segments k of the 3x3 step; 0 means one per channel. */
  segments: number;
  between: Act;
  strides: number;
  name: string;
  order?: XceptionSpectrumOptions['order'];
  pointwiseGroups?: number;
  shuffle?: boolean;
}

/**
 * One spectrum module, pointwise first: 1x1 conv (BN) -> between [-> shuffle]
 * -> k-segment 3x3 conv (BN, ReLU); depthwise first: k-segment 3x3 conv (BN)
 * -> between -> 1x1 conv (BN, ReLU).
 */
export function spectrumModule(x: tf.SymbolicTensor, args: SpectrumModuleArgs): tf.SymbolicTensor {
  const {filters, strides, name, order = 'pointwise-first', pointwiseGroups = 1, shuffle = false} = args;
  const spatialChannels = order === 'pointwise-first' ? filters : channelsOf(x);
  const segments = args.segments === 0 ? spatialChannels : args.segments;
  if (spatialChannels % segments !== 0) {
    throw new Error(`xception_spectrum: ${spatialChannels} channels do not divide into ${segments} segments (module ${name})`);
  }
  for (const [what, channels] of [['input', channelsOf(x)], ['output', filters]] as const) {
    if (channels % pointwiseGroups !== 0) {
      throw new Error(`xception_spectrum: ${channels} ${what} channels do not divide into ${pointwiseGroups} pointwise groups (module ${name})`);
    }
  }
  if (shuffle && pointwiseGroups === 1) throw new Error('xception_spectrum: shuffle needs pointwiseGroups above 1 (a dense 1x1 mixes every channel already)');
  const pointwise = (input: tf.SymbolicTensor) => {
    if (pointwiseGroups === 1) return applyTo(tf.layers.conv2d({filters, kernelSize: 1, useBias: false, name: `${name}_pointwise_conv`}), input);
    return applyTo(new GroupConv2D({filters, kernelSize: 1, groups: pointwiseGroups, name: `${name}_pointwise_conv`}), input);
  };
  const spatial = (input: tf.SymbolicTensor) => applyTo(new GroupConv2D({
    filters: channelsOf(input), kernelSize: 3, groups: segments, strides, padding: 'same', name: `${name}_spatial_conv`,
  }), input);
  if (order === 'depthwise-first') {
    let y = activation(batchNorm(spatial(x), `${name}_spatial_bn`), args.between, `${name}_between`);
    y = batchNorm(pointwise(y), `${name}_pointwise_bn`);
    return activation(y, 'relu', `${name}_pointwise_act`);
  }
  let y = activation(batchNorm(pointwise(x), `${name}_pointwise_bn`), args.between, `${name}_between`);
  if (shuffle) y = applyTo(new ChannelShuffle({groups: pointwiseGroups, name: `${name}_shuffle`}), y);
  return activation(batchNorm(spatial(y), `${name}_spatial_bn`), 'relu', `${name}_spatial_act`);
}

/**
 * A stage's channels at `width`, rounded to the nearest multiple of the
 * segments and of the pointwise groups where the plain rounding would not
 * divide into them: every width then builds, so networks can be matched in
 * cost at any k (a count that divides already is kept as it is).
 */
export function stageFilters(channels: number, o: Pick<XceptionSpectrumOptions, 'width' | 'segments' | 'pointwiseGroups'>): number {
  const plain = xceptionChannels(channels, o.width);
  const unit = lcm(o.segments === 0 ? 1 : o.segments, o.pointwiseGroups);
  return plain % unit === 0 ? plain : Math.max(unit, Math.round(plain / unit) * unit);
}

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => y === 0 ? x : gcd(y, x % y);
  return a / gcd(a, b) * b;
}

export function buildXceptionSpectrum(options: Partial<XceptionSpectrumOptions> = {}): tf.LayersModel {
  const o: XceptionSpectrumOptions = {...DEFAULTS, ...options};
  checkRange('xception_spectrum: modulesPerStage', o.modulesPerStage, 1, 8, true);
  checkRange('xception_spectrum: segments', o.segments, 0, 4096, true);
  checkStemStride('xception_spectrum', o.stemStride);
  if (!['linear', 'relu', 'elu'].includes(o.between)) {
    throw new Error(`xception_spectrum: between must be one of linear, relu, elu, got '${o.between}'`);
  }
  if (!['pointwise-first', 'depthwise-first'].includes(o.order)) {
    throw new Error(`xception_spectrum: order must be one of pointwise-first, depthwise-first, got '${o.order}'`);
  }
  checkRange('xception_spectrum: pointwiseGroups', o.pointwiseGroups, 1, 4096, true);
  checkCommon('xception_spectrum', o, minResolutionFor(STAGE_CHANNELS.length - 1 + (o.stemStride === 2 ? 1 : 0)));
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = convBnAct(input, {filters: xceptionChannels(32, o.width), kernelSize: 3, strides: o.stemStride, name: 'stem'});
  STAGE_CHANNELS.forEach((channels, stage) => {
    const filters = stageFilters(channels, o);
    for (let i = 0; i < o.modulesPerStage; i++) {
      const strides = stage > 0 && i === 0 ? 2 : 1;
      const y = spectrumModule(x, {filters, segments: o.segments, between: o.between, strides, order: o.order,
                                   pointwiseGroups: o.pointwiseGroups, shuffle: o.shuffle, name: `stage${stage + 1}_module${i + 1}`});
      x = o.residual && strides === 1 && channelsOf(x) === filters ?
          applyTo(tf.layers.add({name: `stage${stage + 1}_module${i + 1}_add`}), [x, y]) : y;
    }
  });
  x = applyTo(tf.layers.globalAveragePooling2d({name: 'pool'}), x);
  const logits = applyTo(tf.layers.dense({units: o.classes, name: 'logits'}), x);
  return tf.model({inputs: input, outputs: logits, name: 'xception_spectrum'});
}

export const FAMILY: Family<XceptionSpectrumOptions> = {
  name: 'xception_spectrum',
  paper: 'Chollet 2017, Xception, arXiv:1610.02357, §2 (the spectrum) and §4.7 (the activation between steps)',
  defaults: DEFAULTS,
  options: {
    segments: {type: 'integer', description: 'channel segments k of the 3x3 step (1 = regular conv; 0 = one per channel)'},
    between: {type: 'string', choices: ['linear', 'relu', 'elu'], description: 'activation between the 1x1 and the 3x3 step'},
    modulesPerStage: {type: 'integer', description: 'modules in each of the 3 stages'},
    residual: {type: 'boolean', description: 'identity shortcuts around shape-preserving modules'},
    stemStride: STEM_STRIDE_OPTION,
    order: {type: 'string', choices: ['pointwise-first', 'depthwise-first'], description: 'which step of a module comes first'},
    pointwiseGroups: {type: 'integer', description: 'groups of the 1x1 step (ShuffleNet\'s grouped pointwise)'},
    shuffle: {type: 'boolean', description: 'channel shuffle between a grouped 1x1 and the 3x3 step'},
  },
  build: buildXceptionSpectrum,
};

/** A lab network: no published numbers to reproduce. */
export const VARIANTS: readonly ModelVariant[] = [];
