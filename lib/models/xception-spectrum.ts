/**
 * The Xception paper's spectrum (Chollet 2017, §2 and Fig. 4) as a lab-scale
 * network: each module is a 1x1 convolution followed by a 3x3 convolution
 * applied separately to k segments of the channels. k = 1 is a regular 3x3
 * after the 1x1 (an Inception-style tower with one branch); k = channels is a
 * depthwise separable convolution (pointwise first, the "extreme" Inception);
 * Inception modules sit in between with 3 or 4 segments. The activation
 * between the two steps is the subject of the paper's §4.7 ablation.
 */
import * as tf from '@tensorflow/tfjs';

import {Act, activation, batchNorm, convBnAct} from '../blocks/conv-bn-act';
import {channelsOf} from '../blocks/util';
import {GroupConv2D} from '../layers/group-conv';
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
}

export const DEFAULTS: XceptionSpectrumOptions = {
  resolution: 28, width: 1, classes: 10, channels: 1, segments: 0, between: 'linear', modulesPerStage: 2,
  residual: true, stemStride: 1,
};

/** One spectrum module: 1x1 conv (BN) -> between -> k-segment 3x3 conv (BN, ReLU). */
export function spectrumModule(x: tf.SymbolicTensor, args: {filters: number; segments: number; between: Act; strides: number;
                                                           name: string}): tf.SymbolicTensor {
  const {filters, strides, name} = args;
  const segments = args.segments === 0 ? filters : args.segments;
  if (filters % segments !== 0) {
    throw new Error(`xception_spectrum: ${filters} channels do not divide into ${segments} segments`);
  }
  let y = convBnAct(x, {filters, kernelSize: 1, act: 'linear', name: `${name}_pointwise`});
  y = activation(y, args.between, `${name}_between`);
  y = new GroupConv2D({filters, kernelSize: 3, groups: segments, strides, padding: 'same', name: `${name}_spatial_conv`})
          .apply(y) as tf.SymbolicTensor;
  return activation(batchNorm(y, `${name}_spatial_bn`), 'relu', `${name}_spatial_act`);
}

export function buildXceptionSpectrum(options: Partial<XceptionSpectrumOptions> = {}): tf.LayersModel {
  const o: XceptionSpectrumOptions = {...DEFAULTS, ...options};
  checkRange('xception_spectrum: modulesPerStage', o.modulesPerStage, 1, 8, true);
  checkRange('xception_spectrum: segments', o.segments, 0, 4096, true);
  checkStemStride('xception_spectrum', o.stemStride);
  if (!['linear', 'relu', 'elu'].includes(o.between)) {
    throw new Error(`xception_spectrum: between must be one of linear, relu, elu, got '${o.between}'`);
  }
  checkCommon('xception_spectrum', o, minResolutionFor(STAGE_CHANNELS.length - 1 + (o.stemStride === 2 ? 1 : 0)));
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = convBnAct(input, {filters: Math.max(8, Math.round(32 * o.width)), kernelSize: 3, strides: o.stemStride, name: 'stem'});
  STAGE_CHANNELS.forEach((channels, stage) => {
    const filters = Math.max(8, Math.round(channels * o.width));
    for (let i = 0; i < o.modulesPerStage; i++) {
      const strides = stage > 0 && i === 0 ? 2 : 1;
      const y = spectrumModule(x, {filters, segments: o.segments, between: o.between, strides, name: `stage${stage + 1}_module${i + 1}`});
      x = o.residual && strides === 1 && channelsOf(x) === filters ?
          tf.layers.add({name: `stage${stage + 1}_module${i + 1}_add`}).apply([x, y]) as tf.SymbolicTensor : y;
    }
  });
  x = tf.layers.globalAveragePooling2d({name: 'pool'}).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({units: o.classes, name: 'logits'}).apply(x) as tf.SymbolicTensor;
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
  },
  build: buildXceptionSpectrum,
};

/** A lab network: no published numbers to reproduce. */
export const VARIANTS: readonly ModelVariant[] = [];
