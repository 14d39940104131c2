/**
 * Inception-ResNet-v2 (Szegedy et al. 2016, arXiv:1602.07261, Figs. 3, 16-20):
 * Inception modules whose concatenated branches are projected back to the
 * input width by a linear 1x1 (with bias, no batch norm) and added to the
 * input, scaled by 0.17 / 0.10 / 0.20 (§3.3). The released model (Keras,
 * TF-slim, imgclsmob) uses Inception-v3's stem and a 35x35 "mixed_5b"
 * module instead of Fig. 3's stem; widths are those of the released model.
 */
import * as tf from '@tensorflow/tfjs';

import {InceptionConv as Conv, concat, inceptionConv, maxPoolDown, poolSame, tower} from '../blocks/inception';
import {classifierHead} from '../blocks/util';
import {applyTo} from '../layers/apply';
import {ScaledAdd} from '../layers/scaled-add';
import {checkCommon, checkIntegerList, checkNoWidthMultiplier} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

/** Concatenate branches, project linearly to the input width, add scaled, then ReLU (or not, for the last block). */
function residual(x: tf.SymbolicTensor, branches: tf.SymbolicTensor[], scale: number, relu: boolean, n: string): tf.SymbolicTensor {
  const width = x.shape[3] as number;
  const mixed = concat(branches, `${n}_mixed`);
  const up = applyTo(tf.layers.conv2d({filters: width, kernelSize: 1, useBias: true, name: `${n}_up`}), mixed);
  const sum = applyTo(new ScaledAdd({scale, name: `${n}_add`}), [x, up]);
  return relu ? applyTo(tf.layers.reLU({name: `${n}_act`}), sum) : sum;
}

/** Fig. 16: the 35x35 residual block. */
function block35(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  let dbl = conv(x, {filters: 32, kernel: 1, name: `${n}_b2_1x1`});
  dbl = tower(conv, dbl, [{filters: 48, kernel: 3, name: `${n}_b2_3x3a`}, {filters: 64, kernel: 3, name: `${n}_b2_3x3b`}]);
  return residual(x, [conv(x, {filters: 32, kernel: 1, name: `${n}_b0_1x1`}), tower(conv, x, [
      {filters: 32, kernel: 1, name: `${n}_b1_1x1`},
      {filters: 32, kernel: 3, name: `${n}_b1_3x3`},
  ]), dbl],
                  0.17, true, n);
}

/** Fig. 17: the 17x17 residual block, 1x7 then 7x1. */
function block17(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  let b1 = conv(x, {filters: 128, kernel: 1, name: `${n}_b1_1x1`});
  b1 = tower(conv, b1, [
      {filters: 160, kernel: [1, 7], name: `${n}_b1_1x7`},
      {filters: 192, kernel: [7, 1], name: `${n}_b1_7x1`},
  ]);
  return residual(x, [conv(x, {filters: 192, kernel: 1, name: `${n}_b0_1x1`}), b1], 0.1, true, n);
}

/** Fig. 19: the 8x8 residual block, 1x3 then 3x1. */
function block8(x: tf.SymbolicTensor, conv: Conv, n: string, scale: number, relu: boolean): tf.SymbolicTensor {
  let b1 = conv(x, {filters: 192, kernel: 1, name: `${n}_b1_1x1`});
  b1 = tower(conv, b1, [
      {filters: 224, kernel: [1, 3], name: `${n}_b1_1x3`},
      {filters: 256, kernel: [3, 1], name: `${n}_b1_3x1`},
  ]);
  return residual(x, [conv(x, {filters: 192, kernel: 1, name: `${n}_b0_1x1`}), b1], scale, relu, n);
}

export interface InceptionResNetV2Options extends CommonOptions {
  dropout: number;
  /** Batch norm with a learned scale (imgclsmob); false is Keras's and TF-slim's (scale=False). */
  bnScale: boolean;
  /** Residual blocks per grid (35, 17, 8), '10-20-10' as released; fewer for lab-scale runs. */
  blocks: number[];
}

export const DEFAULTS: InceptionResNetV2Options = {
  resolution: 299, width: 1, classes: 1000, channels: 3, dropout: 0.2, bnScale: true, blocks: [10, 20, 10],
};

export function buildInceptionResNetV2(options: Partial<InceptionResNetV2Options> = {}): tf.LayersModel {
  const o: InceptionResNetV2Options = {...DEFAULTS, ...options};
  checkNoWidthMultiplier('inception_resnet_v2', o.width, 'for a smaller network set blocks (e.g. [1, 2, 1]), or use inception_lab, which has a width option');
  checkCommon('inception_resnet_v2', o, 75);
  const [blocks35, blocks17, blocks8] = checkIntegerList('inception_resnet_v2: blocks', o.blocks, {length: 3, max: 100});
  const conv = inceptionConv(o.bnScale);
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = conv(input, {filters: 32, kernel: 3, name: 'stem1', strides: 2, padding: 'valid'});       // 149x149x32
  x = conv(x, {filters: 32, kernel: 3, name: 'stem2', padding: 'valid'});               // 147x147x32
  x = conv(x, {filters: 64, kernel: 3, name: 'stem3'});
  x = maxPoolDown(x, 'stem3_pool');                      // 73x73x64
  x = conv(x, {filters: 80, kernel: 1, name: 'stem4', padding: 'valid'});
  x = conv(x, {filters: 192, kernel: 3, name: 'stem5', padding: 'valid'});              // 71x71x192
  x = maxPoolDown(x, 'stem5_pool');                      // 35x35x192
  let dbl = conv(x, {filters: 64, kernel: 1, name: 'mixed5b_b2_1x1'});
  dbl = tower(conv, dbl, [
      {filters: 96, kernel: 3, name: 'mixed5b_b2_3x3a'},
      {filters: 96, kernel: 3, name: 'mixed5b_b2_3x3b'},
  ]);
  x = concat([
    conv(x, {filters: 96, kernel: 1, name: 'mixed5b_b0_1x1'}),
    tower(conv, x, [{filters: 48, kernel: 1, name: 'mixed5b_b1_1x1'}, {filters: 64, kernel: 5, name: 'mixed5b_b1_5x5'}]),
    dbl,
    conv(poolSame(x, 'avg', 'mixed5b_pool'), {filters: 64, kernel: 1, name: 'mixed5b_pool_proj'}),
  ], 'mixed5b');   // 35x35x320
  for (let i = 1; i <= blocks35; i++) x = block35(x, conv, `block35_${i}`);
  // Fig. 18 (Reduction-A with k, l, m, n = 256, 256, 384, 384): 35 -> 17.
  let b1 = conv(x, {filters: 256, kernel: 1, name: 'mixed6a_b1_1x1'});
  b1 = tower(conv, b1, [
      {filters: 256, kernel: 3, name: 'mixed6a_b1_3x3a'},
      {filters: 384, kernel: 3, name: 'mixed6a_b1_3x3b', strides: 2, padding: 'valid'},
  ]);
  x = concat([
    conv(x, {filters: 384, kernel: 3, name: 'mixed6a_b0_3x3', strides: 2, padding: 'valid'}),
    b1,
    maxPoolDown(x, 'mixed6a_pool'),
  ], 'mixed6a');   // 17x17x1088
  for (let i = 1; i <= blocks17; i++) x = block17(x, conv, `block17_${i}`);
  // Fig. 18 (Reduction-B): 17 -> 8.
  const down = (y: tf.SymbolicTensor, filters: number, branch: string) =>
      conv(y, {filters, kernel: 3, name: `mixed7a_${branch}_3x3`, strides: 2, padding: 'valid'});
  let b2 = conv(x, {filters: 256, kernel: 1, name: 'mixed7a_b2_1x1'});
  b2 = down(conv(b2, {filters: 288, kernel: 3, name: 'mixed7a_b2_3x3a'}), 320, 'b2');
  x = concat([
    down(conv(x, {filters: 256, kernel: 1, name: 'mixed7a_b0_1x1'}), 384, 'b0'),
    down(conv(x, {filters: 256, kernel: 1, name: 'mixed7a_b1_1x1'}), 288, 'b1'),
    b2,
    maxPoolDown(x, 'mixed7a_pool'),
  ], 'mixed7a');                                          // 8x8x2080
  // The last 8x8 block is added unscaled and not followed by a ReLU.
  for (let i = 1; i < blocks8; i++) x = block8(x, conv, `block8_${i}`, 0.2, true);
  x = block8(x, conv, `block8_${blocks8}`, 1, false);
  x = conv(x, {filters: 1536, kernel: 1, name: 'conv7b'});
  const logits = classifierHead(x, o.classes, {dropout: o.dropout});
  return tf.model({inputs: input, outputs: logits, name: 'inception_resnet_v2'});
}

export const FAMILY: Family<InceptionResNetV2Options> = {
  name: 'inception_resnet_v2',
  paper: 'Szegedy et al. 2016, Inception-v4, Inception-ResNet and the Impact of Residual Connections, arXiv:1602.07261',
  defaults: DEFAULTS,
  options: {
    dropout: {type: 'number', description: 'dropout before the classifier'},
    bnScale: {type: 'boolean', description: "batch norm with a learned scale (false: Keras's scale=False)"},
    blocks: {type: 'integers', description: 'residual blocks per grid (released 10-20-10)'},
  },
  build: buildInceptionResNetV2,
};

const IMGCLSMOB = 'imgclsmob README, InceptionResNetV2 (docs/references.md A7)';

export const VARIANTS: readonly ModelVariant[] = [
  {
    name: 'inception_resnet_v2',
    family: 'inception_resnet_v2',
    options: {},
    published: {
      trainableParams: [{value: 55_843_464, tolerance: 0, source: IMGCLSMOB, countingNote: 'weights, biases, BN scale and shift'}],
      macs: [{value: 13.2e9, tolerance: 0.1e9, source: `${IMGCLSMOB}, FLOPs`, countingNote: "'FLOPs' to 0.1 G, counted as multiply-adds"}],
    },
    notes: 'The paper publishes no parameter or operation counts; these are the released ports\'.',
  },
  {
    name: 'inception_resnet_v2_keras',
    family: 'inception_resnet_v2',
    options: {bnScale: false},
    published: {
      params: [{value: 55_873_736, tolerance: 0, source: 'Keras Applications InceptionResNetV2 summary (docs/references.md B)',
                countingNote: 'Keras "Total params": BN without scale, moving mean and variance included'}],
    },
  },
];
