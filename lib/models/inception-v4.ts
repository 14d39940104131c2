/**
 * Inception-v4 (Szegedy et al. 2016, "Inception-v4, Inception-ResNet and the
 * Impact of Residual Connections", arXiv:1602.07261, Figs. 3-9): the pure
 * Inception network made uniform, with the stem of Fig. 3, 4 x Inception-A
 * (35x35), Reduction-A, 7 x Inception-B (17x17, 1x7 + 7x1), Reduction-B and
 * 3 x Inception-C (8x8, 1x3 and 3x1 side by side). Widths are the figures'.
 */
import * as tf from '@tensorflow/tfjs';

import {InceptionConv as Conv, concat, inceptionConv, maxPoolDown, poolSame, tower} from '../blocks/inception';
import {classifierHead} from '../blocks/util';
import {checkCommon, checkIntegerList, checkNoWidthMultiplier} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

/** Fig. 3: 299x299x3 -> 35x35x384, with concatenated conv and pool branches. */
function stem(input: tf.SymbolicTensor, conv: Conv): tf.SymbolicTensor {
  let x = conv(input, {filters: 32, kernel: 3, name: 'stem1', strides: 2, padding: 'valid'});                       // 149x149x32
  x = conv(x, {filters: 32, kernel: 3, name: 'stem2', padding: 'valid'});                                // 147x147x32
  x = conv(x, {filters: 64, kernel: 3, name: 'stem3'});                                            // 147x147x64
  x = concat([
    maxPoolDown(x, 'mixed3a_pool'),
    conv(x, {filters: 96, kernel: 3, name: 'mixed3a_3x3', strides: 2, padding: 'valid'}),
  ], 'mixed3a');   // 73x73x160
  const left = tower(conv, x, [
      {filters: 64, kernel: 1, name: 'mixed4a_b0_1x1'},
      {filters: 96, kernel: 3, name: 'mixed4a_b0_3x3', padding: 'valid'},
  ]);
  let right = conv(x, {filters: 64, kernel: 1, name: 'mixed4a_b1_1x1'});
  right = tower(conv, right, [
      {filters: 64, kernel: [1, 7], name: 'mixed4a_b1_1x7'},
      {filters: 64, kernel: [7, 1], name: 'mixed4a_b1_7x1'},
  ]);
  right = conv(right, {filters: 96, kernel: 3, name: 'mixed4a_b1_3x3', padding: 'valid'});
  x = concat([left, right], 'mixed4a');                                  // 71x71x192
  return concat([
    conv(x, {filters: 192, kernel: 3, name: 'mixed5a_3x3', strides: 2, padding: 'valid'}),
    maxPoolDown(x, 'mixed5a_pool'),
  ], 'mixed5a');   // 35x35x384
}

/** Fig. 4: the 35x35 module. */
function inceptionA(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  let dbl = conv(x, {filters: 64, kernel: 1, name: `${n}_b3_1x1`});
  dbl = tower(conv, dbl, [{filters: 96, kernel: 3, name: `${n}_b3_3x3a`}, {filters: 96, kernel: 3, name: `${n}_b3_3x3b`}]);
  return concat([
    conv(poolSame(x, 'avg', `${n}_pool`), {filters: 96, kernel: 1, name: `${n}_pool_proj`}),
    conv(x, {filters: 96, kernel: 1, name: `${n}_b1_1x1`}),
    tower(conv, x, [{filters: 64, kernel: 1, name: `${n}_b2_1x1`}, {filters: 96, kernel: 3, name: `${n}_b2_3x3`}]),
    dbl,
  ], `${n}_concat`);
}

/** Fig. 7 with Table 1's k, l, m, n = 192, 224, 256, 384: 35 -> 17. */
function reductionA(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  let b = conv(x, {filters: 192, kernel: 1, name: `${n}_b1_1x1`});
  b = tower(conv, b, [
      {filters: 224, kernel: 3, name: `${n}_b1_3x3a`},
      {filters: 256, kernel: 3, name: `${n}_b1_3x3b`, strides: 2, padding: 'valid'},
  ]);
  return concat([
    conv(x, {filters: 384, kernel: 3, name: `${n}_b0_3x3`, strides: 2, padding: 'valid'}),
    b,
    maxPoolDown(x, `${n}_pool`),
  ], `${n}_concat`);
}

/** Fig. 5: the 17x17 module, 7x7 factorised into 1x7 and 7x1. */
function inceptionB(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  let b2 = conv(x, {filters: 192, kernel: 1, name: `${n}_b2_1x1`});
  b2 = tower(conv, b2, [
      {filters: 224, kernel: [1, 7], name: `${n}_b2_1x7`},
      {filters: 256, kernel: [7, 1], name: `${n}_b2_7x1`},
  ]);
  let b3 = conv(x, {filters: 192, kernel: 1, name: `${n}_b3_1x1`});
  b3 = tower(conv, b3, [
      {filters: 192, kernel: [1, 7], name: `${n}_b3_1x7a`},
      {filters: 224, kernel: [7, 1], name: `${n}_b3_7x1a`},
  ]);
  b3 = tower(conv, b3, [
      {filters: 224, kernel: [1, 7], name: `${n}_b3_1x7b`},
      {filters: 256, kernel: [7, 1], name: `${n}_b3_7x1b`},
  ]);
  return concat([
    conv(poolSame(x, 'avg', `${n}_pool`), {filters: 128, kernel: 1, name: `${n}_pool_proj`}),
    conv(x, {filters: 384, kernel: 1, name: `${n}_b1_1x1`}),
    b2,
    b3,
  ], `${n}_concat`);
}

/** Fig. 8: 17 -> 8. */
function reductionB(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  const b0 = tower(conv, x, [
      {filters: 192, kernel: 1, name: `${n}_b0_1x1`},
      {filters: 192, kernel: 3, name: `${n}_b0_3x3`, strides: 2, padding: 'valid'},
  ]);
  let b1 = conv(x, {filters: 256, kernel: 1, name: `${n}_b1_1x1`});
  b1 = tower(conv, b1, [
      {filters: 256, kernel: [1, 7], name: `${n}_b1_1x7`},
      {filters: 320, kernel: [7, 1], name: `${n}_b1_7x1`},
  ]);
  b1 = conv(b1, {filters: 320, kernel: 3, name: `${n}_b1_3x3`, strides: 2, padding: 'valid'});
  return concat([b0, b1, maxPoolDown(x, `${n}_pool`)], `${n}_concat`);
}

/** Fig. 6: the 8x8 module with 1x3 and 3x1 side by side. */
function inceptionC(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  const split = (y: tf.SymbolicTensor, part: string) =>
      [conv(y, {filters: 256, kernel: [1, 3], name: `${part}_1x3`}), conv(y, {filters: 256, kernel: [3, 1], name: `${part}_3x1`})];
  const b2 = conv(x, {filters: 384, kernel: 1, name: `${n}_b2_1x1`});
  let b3 = conv(x, {filters: 384, kernel: 1, name: `${n}_b3_1x1`});
  b3 = tower(conv, b3, [
      {filters: 448, kernel: [1, 3], name: `${n}_b3_1x3a`},
      {filters: 512, kernel: [3, 1], name: `${n}_b3_3x1a`},
  ]);
  return concat([
    conv(poolSame(x, 'avg', `${n}_pool`), {filters: 256, kernel: 1, name: `${n}_pool_proj`}),
    conv(x, {filters: 256, kernel: 1, name: `${n}_b1_1x1`}),
    ...split(b2, `${n}_b2`),
    ...split(b3, `${n}_b3_split`),
  ], `${n}_concat`);
}

export interface InceptionV4Options extends CommonOptions {
  /** Dropout before the classifier (paper: keep 0.8). */
  dropout: number;
  /** Inception-A, -B, -C modules per grid, [4, 7, 3] in the paper; fewer for lab-scale runs. */
  blocks: number[];
}

export const DEFAULTS: InceptionV4Options = {resolution: 299, width: 1, classes: 1000, channels: 3, dropout: 0.2, blocks: [4, 7, 3]};

export function buildInceptionV4(options: Partial<InceptionV4Options> = {}): tf.LayersModel {
  const o: InceptionV4Options = {...DEFAULTS, ...options};
  checkNoWidthMultiplier('inception_v4', o.width, 'for a smaller network set blocks (e.g. [1, 1, 1]), or use inception_lab, which has a width option');
  // Four valid stride-2 steps and valid 3x3s; 75 px keeps the 8x8 grid at 1x1.
  checkCommon('inception_v4', o, 75);
  const [blocksA, blocksB, blocksC] = checkIntegerList('inception_v4: blocks', o.blocks, {length: 3, max: 100});
  const conv = inceptionConv();
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = stem(input, conv);
  for (let i = 0; i < blocksA; i++) x = inceptionA(x, conv, `inceptionA${i + 1}`);    // 35x35x384
  x = reductionA(x, conv, 'reductionA');                                          // 17x17x1024
  for (let i = 0; i < blocksB; i++) x = inceptionB(x, conv, `inceptionB${i + 1}`);
  x = reductionB(x, conv, 'reductionB');                                          // 8x8x1536
  for (let i = 0; i < blocksC; i++) x = inceptionC(x, conv, `inceptionC${i + 1}`);
  const logits = classifierHead(x, o.classes, {dropout: o.dropout});
  return tf.model({inputs: input, outputs: logits, name: 'inception_v4'});
}

export const FAMILY: Family<InceptionV4Options> = {
  name: 'inception_v4',
  paper: 'Szegedy et al. 2016, Inception-v4, Inception-ResNet and the Impact of Residual Connections, arXiv:1602.07261',
  defaults: DEFAULTS,
  options: {
    dropout: {type: 'number', description: 'dropout before the classifier'},
    blocks: {type: 'integers', description: 'Inception-A, -B, -C modules per grid (paper 4-7-3)'},
  },
  build: buildInceptionV4,
};

export const VARIANTS: readonly ModelVariant[] = [
  {
    name: 'inception_v4',
    family: 'inception_v4',
    options: {},
    published: {
      trainableParams: [{value: 42_679_816, tolerance: 0, source: 'imgclsmob README, InceptionV4 (docs/references.md A7)',
                         countingNote: 'conv + dense weights and biases, BN scale and shift'}],
      macs: [{value: 12.3e9, tolerance: 0.1e9, source: 'imgclsmob README, InceptionV4 FLOPs (docs/references.md A7)',
              countingNote: "'FLOPs' to 0.1 G, counted as multiply-adds"}],
    },
    notes: 'The paper publishes no parameter or operation counts; these are the released port\'s.',
  },
];
