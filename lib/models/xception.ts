/**
 * Xception (Chollet 2017, arXiv:1610.02357): "extreme Inception", a linear
 * stack of depthwise separable convolutions with residual connections, in an
 * entry flow, a middle flow repeated 8 times and an exit flow (Fig. 5).
 *
 * ENTRY_BLOCKS and the constants below are Fig. 5; `buildXception` is their
 * only interpreter. Lab scale: fewer middle blocks (`middleBlocks`), and a
 * width multiplier that scales every layer (not in the paper).
 */
import * as tf from '@tensorflow/tfjs';

import {activation, batchNorm, convBnAct} from '../blocks/conv-bn-act';
import {applyTo} from '../layers/apply';
import {xceptionChannels} from './channels';
import {checkCommon, checkRange} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

/** Entry-flow blocks after the two stem convs: output channels of each. */
export const ENTRY_BLOCKS = [128, 256, 728] as const;   // 147x147x64 -> 19x19x728
export const MIDDLE_CHANNELS = 728;                     // 19x19x728
export const EXIT_BLOCK = [728, 1024] as const;         // 19x19x728 -> 10x10x1024
export const EXIT_CONVS = [1536, 2048] as const;        // 10x10x1024 -> 10x10x2048

export interface XceptionOptions extends CommonOptions {
  /** Repeats of the middle flow (paper: 8). */
  middleBlocks: number;
  dropout: number;
}

export const DEFAULTS: XceptionOptions = {resolution: 299, width: 1, classes: 1000, channels: 3, middleBlocks: 8, dropout: 0};

/** SeparableConv2D (depth multiplier 1, no bias) -> BN: Fig. 5's "SeparableConv". */
function separableBn(x: tf.SymbolicTensor, filters: number, name: string): tf.SymbolicTensor {
  const y = applyTo(tf.layers.separableConv2d({filters, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_conv`}), x);
  return batchNorm(y, `${name}_bn`);
}

function add(a: tf.SymbolicTensor, b: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return applyTo(tf.layers.add({name}), [a, b]);
}

/** A downsampling block: two separable convs and a stride-2 max-pool, 1x1/2 conv on the shortcut. */
function downBlock(x: tf.SymbolicTensor, filters: [number, number], reluFirst: boolean, name: string): tf.SymbolicTensor {
  const shortcut = convBnAct(x, {filters: filters[1], kernelSize: 1, strides: 2, act: 'linear', name: `${name}_shortcut`});
  let y = reluFirst ? activation(x, 'relu', `${name}_act1`) : x;
  y = separableBn(y, filters[0], `${name}_sep1`);
  y = separableBn(activation(y, 'relu', `${name}_act2`), filters[1], `${name}_sep2`);
  y = applyTo(tf.layers.maxPooling2d({poolSize: 3, strides: 2, padding: 'same', name: `${name}_pool`}), y);
  return add(y, shortcut, `${name}_add`);
}

export function buildXception(options: Partial<XceptionOptions> = {}): tf.LayersModel {
  const o: XceptionOptions = {...DEFAULTS, ...options};
  checkRange('xception: middleBlocks', o.middleBlocks, 0, 16, true);
  // Two valid 3x3 convs and four stride-2 steps.
  checkCommon('xception', o, 33);
  const c = (n: number) => xceptionChannels(n, o.width);
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = convBnAct(input, {filters: c(32), kernelSize: 3, strides: 2, padding: 'valid', name: 'stem1'});  // 149x149x32
  x = convBnAct(x, {filters: c(64), kernelSize: 3, padding: 'valid', name: 'stem2'});                     // 147x147x64
  ENTRY_BLOCKS.forEach((filters, i) => {
    // The first block's input was just activated by the stem.
    x = downBlock(x, [c(filters), c(filters)], i > 0, `entry${i + 1}`);
  });
  for (let i = 0; i < o.middleBlocks; i++) {
    let y = x;
    for (let j = 1; j <= 3; j++) y = separableBn(activation(y, 'relu', `middle${i + 1}_act${j}`), c(MIDDLE_CHANNELS), `middle${i + 1}_sep${j}`);
    x = add(y, x, `middle${i + 1}_add`);
  }
  x = downBlock(x, [c(EXIT_BLOCK[0]), c(EXIT_BLOCK[1])], true, 'exit1');
  EXIT_CONVS.forEach((filters, i) => {
    x = activation(separableBn(x, c(filters), `exit_sep${i + 1}`), 'relu', `exit_act${i + 1}`);
  });
  x = applyTo(tf.layers.globalAveragePooling2d({name: 'pool'}), x);
  if (o.dropout > 0) x = applyTo(tf.layers.dropout({rate: o.dropout, name: 'dropout'}), x);
  const logits = applyTo(tf.layers.dense({units: o.classes, name: 'logits'}), x);
  return tf.model({inputs: input, outputs: logits, name: 'xception'});
}

export const FAMILY: Family<XceptionOptions> = {
  name: 'xception',
  paper: 'Chollet 2017, Xception, arXiv:1610.02357',
  defaults: DEFAULTS,
  options: {
    middleBlocks: {type: 'integer', description: 'repeats of the middle flow (paper: 8)'},
    dropout: {type: 'number', description: 'dropout before the classifier (paper: 0.5 on ImageNet)'},
  },
  build: buildXception,
};

export const VARIANTS: readonly ModelVariant[] = [{
  name: 'xception',
  family: 'xception',
  options: {},
  published: {
    trainableParams: [
      {value: 22_855_952, tolerance: 0, source: 'Chollet 2017, Table 3',
       countingNote: 'ImageNet, 1000 classes: conv and separable weights, BN scale/shift, logistic layer'},
      {value: 22_855_952, tolerance: 0, source: 'keras.applications.Xception() summary, "Trainable params"'},
    ],
    params: [{value: 22_910_480, tolerance: 0, source: 'keras.applications.Xception() summary, "Total params"',
              countingNote: 'includes BN moving mean/variance'}],
  },
}];
