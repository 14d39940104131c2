/**
 * Inception-v4 (Szegedy et al. 2016, "Inception-v4, Inception-ResNet and the
 * Impact of Residual Connections", arXiv:1602.07261, Figs. 3-9): the pure
 * Inception network made uniform, with the stem of Fig. 3, 4 x Inception-A
 * (35x35), Reduction-A, 7 x Inception-B (17x17, 1x7 + 7x1), Reduction-B and
 * 3 x Inception-C (8x8, 1x3 and 3x1 side by side). Widths are the figures'.
 */
import * as tf from '@tensorflow/tfjs';

import {InceptionConv as Conv, concat, inceptionConv, maxPoolDown, poolSame} from '../blocks/inception';
import {classifierHead} from '../blocks/util';
import {checkCommon, parseBlocks} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

/** Fig. 3: 299x299x3 -> 35x35x384, with concatenated conv and pool branches. */
function stem(input: tf.SymbolicTensor, conv: Conv): tf.SymbolicTensor {
  let x = conv(input, 32, 3, 'stem1', 2, 'valid');                       // 149x149x32
  x = conv(x, 32, 3, 'stem2', 1, 'valid');                                // 147x147x32
  x = conv(x, 64, 3, 'stem3');                                            // 147x147x64
  x = concat([maxPoolDown(x, 'mixed3a_pool'), conv(x, 96, 3, 'mixed3a_3x3', 2, 'valid')], 'mixed3a');   // 73x73x160
  const left = conv(conv(x, 64, 1, 'mixed4a_b0_1x1'), 96, 3, 'mixed4a_b0_3x3', 1, 'valid');
  let right = conv(x, 64, 1, 'mixed4a_b1_1x1');
  right = conv(conv(right, 64, [1, 7], 'mixed4a_b1_1x7'), 64, [7, 1], 'mixed4a_b1_7x1');
  right = conv(right, 96, 3, 'mixed4a_b1_3x3', 1, 'valid');
  x = concat([left, right], 'mixed4a');                                  // 71x71x192
  return concat([conv(x, 192, 3, 'mixed5a_3x3', 2, 'valid'), maxPoolDown(x, 'mixed5a_pool')], 'mixed5a');   // 35x35x384
}

/** Fig. 4: the 35x35 module. */
function inceptionA(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  let dbl = conv(x, 64, 1, `${n}_b3_1x1`);
  dbl = conv(conv(dbl, 96, 3, `${n}_b3_3x3a`), 96, 3, `${n}_b3_3x3b`);
  return concat([
    conv(poolSame(x, 'avg', `${n}_pool`), 96, 1, `${n}_pool_proj`),
    conv(x, 96, 1, `${n}_b1_1x1`),
    conv(conv(x, 64, 1, `${n}_b2_1x1`), 96, 3, `${n}_b2_3x3`),
    dbl,
  ], `${n}_concat`);
}

/** Fig. 7 with Table 1's k, l, m, n = 192, 224, 256, 384: 35 -> 17. */
function reductionA(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  let b = conv(x, 192, 1, `${n}_b1_1x1`);
  b = conv(conv(b, 224, 3, `${n}_b1_3x3a`), 256, 3, `${n}_b1_3x3b`, 2, 'valid');
  return concat([conv(x, 384, 3, `${n}_b0_3x3`, 2, 'valid'), b, maxPoolDown(x, `${n}_pool`)], `${n}_concat`);
}

/** Fig. 5: the 17x17 module, 7x7 factorised into 1x7 and 7x1. */
function inceptionB(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  let b2 = conv(x, 192, 1, `${n}_b2_1x1`);
  b2 = conv(conv(b2, 224, [1, 7], `${n}_b2_1x7`), 256, [7, 1], `${n}_b2_7x1`);
  let b3 = conv(x, 192, 1, `${n}_b3_1x1`);
  b3 = conv(conv(b3, 192, [1, 7], `${n}_b3_1x7a`), 224, [7, 1], `${n}_b3_7x1a`);
  b3 = conv(conv(b3, 224, [1, 7], `${n}_b3_1x7b`), 256, [7, 1], `${n}_b3_7x1b`);
  return concat([conv(poolSame(x, 'avg', `${n}_pool`), 128, 1, `${n}_pool_proj`), conv(x, 384, 1, `${n}_b1_1x1`), b2, b3],
                `${n}_concat`);
}

/** Fig. 8: 17 -> 8. */
function reductionB(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  const b0 = conv(conv(x, 192, 1, `${n}_b0_1x1`), 192, 3, `${n}_b0_3x3`, 2, 'valid');
  let b1 = conv(x, 256, 1, `${n}_b1_1x1`);
  b1 = conv(conv(b1, 256, [1, 7], `${n}_b1_1x7`), 320, [7, 1], `${n}_b1_7x1`);
  b1 = conv(b1, 320, 3, `${n}_b1_3x3`, 2, 'valid');
  return concat([b0, b1, maxPoolDown(x, `${n}_pool`)], `${n}_concat`);
}

/** Fig. 6: the 8x8 module with 1x3 and 3x1 side by side. */
function inceptionC(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  const split = (y: tf.SymbolicTensor, part: string) =>
      [conv(y, 256, [1, 3], `${part}_1x3`), conv(y, 256, [3, 1], `${part}_3x1`)];
  const b2 = conv(x, 384, 1, `${n}_b2_1x1`);
  let b3 = conv(x, 384, 1, `${n}_b3_1x1`);
  b3 = conv(conv(b3, 448, [1, 3], `${n}_b3_1x3a`), 512, [3, 1], `${n}_b3_3x1a`);
  return concat([conv(poolSame(x, 'avg', `${n}_pool`), 256, 1, `${n}_pool_proj`), conv(x, 256, 1, `${n}_b1_1x1`),
                 ...split(b2, `${n}_b2`), ...split(b3, `${n}_b3_split`)], `${n}_concat`);
}

export interface InceptionV4Options extends CommonOptions {
  /** Dropout before the classifier (paper: keep 0.8). */
  dropout: number;
  /** Inception-A, -B, -C modules per grid, '4-7-3' in the paper; fewer for lab-scale runs. */
  blocks: string;
}

export const DEFAULTS: InceptionV4Options = {resolution: 299, width: 1, classes: 1000, channels: 3, dropout: 0.2, blocks: '4-7-3'};

export function buildInceptionV4(options: Partial<InceptionV4Options> = {}): tf.LayersModel {
  const o: InceptionV4Options = {...DEFAULTS, ...options};
  if (o.width !== 1) throw new Error(`inception_v4: the paper defines no width multiplier; width must be 1, got ${o.width}`);
  // Four valid stride-2 steps and valid 3x3s; 75 px keeps the 8x8 grid at 1x1.
  checkCommon('inception_v4', o, 75);
  const [blocksA, blocksB, blocksC] = parseBlocks('inception_v4', o.blocks);
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
    blocks: {type: 'string', description: "Inception-A, -B, -C modules per grid (paper '4-7-3')"},
  },
  build: buildInceptionV4,
};

export const VARIANTS: readonly ModelVariant[] = [
  {
    name: 'inception_v4',
    family: 'inception_v4',
    options: {},
    published: {
      trainableParams: [{value: 42_679_816, tolerance: 0, source: 'imgclsmob README, InceptionV4 (../shared/REFERENCE.md A7)',
                         convention: 'conv + dense weights and biases, BN scale and shift'}],
      macs: [{value: 12.3e9, tolerance: 0.1e9, source: 'imgclsmob README, InceptionV4 FLOPs (../shared/REFERENCE.md A7)',
              convention: "'FLOPs' to 0.1 G, counted as multiply-adds"}],
    },
    notes: 'The paper publishes no parameter or operation counts; these are the released port\'s.',
  },
];
