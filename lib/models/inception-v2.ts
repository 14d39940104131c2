/**
 * Inception v2 / BN-Inception (Ioffe & Szegedy 2015, "Batch Normalization",
 * arXiv:1502.03167, Fig. 5): GoogLeNet with batch norm after every conv and
 * each 5x5 replaced by two stacked 3x3 (the "double 3x3" branch); 28x28 and
 * 14x14 grids are reduced inside stride-2 modules (3c, 4e) instead of by
 * separate pools. TF-slim releases this network as `inception_v2`; the
 * "Rethinking" paper calls it BN-Inception (Table 3: 2.0 Bn ops) and keeps
 * the name Inception-v2 for a different, larger network.
 *
 * BODY is Fig. 5's table; `buildInceptionV2` is its only interpreter.
 */
import * as tf from '@tensorflow/tfjs';

import {InceptionConv, concat, inceptionConv, maxPoolDown, poolSame, stem7x7, tower} from '../blocks/inception';
import {classifierHead} from '../blocks/util';
import {checkCommon, checkNoWidthMultiplier} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

/** One row of Fig. 5; b1 = 0 and `pool: 'max-pass'` mark the stride-2 modules. */
interface Row {
  readonly name: string;
  readonly b1: number;
  readonly b3Reduce: number;
  readonly b3: number;
  readonly dblReduce: number;
  readonly dbl: number;
  /** Pool then 1x1 projection to `poolProj`, or a stride-2 max pool passed through. */
  readonly pool: 'avg' | 'max' | 'max-pass';
  readonly poolProj: number;
}

// prettier-ignore
export const BODY: readonly Row[] = [
  //                 #1x1     #3x3 reduce, #3x3       double #3x3 reduce, double #3x3  pool + proj
  {name: '3a', b1: 64,  b3Reduce: 64,  b3: 64,      dblReduce: 64,  dbl: 96,  pool: 'avg', poolProj: 32},   // 28x28x192
  {name: '3b', b1: 64,  b3Reduce: 64,  b3: 96,      dblReduce: 64,  dbl: 96,  pool: 'avg', poolProj: 64},
  {name: '3c', b1: 0,   b3Reduce: 128, b3: 160,     dblReduce: 64,  dbl: 96,  pool: 'max-pass', poolProj: 0}, // -> 14x14x576
  {name: '4a', b1: 224, b3Reduce: 64,  b3: 96,      dblReduce: 96,  dbl: 128, pool: 'avg', poolProj: 128},
  {name: '4b', b1: 192, b3Reduce: 96,  b3: 128,     dblReduce: 96,  dbl: 128, pool: 'avg', poolProj: 128},
  {name: '4c', b1: 160, b3Reduce: 128, b3: 160,     dblReduce: 128, dbl: 160, pool: 'avg', poolProj: 96},
  {name: '4d', b1: 96,  b3Reduce: 128, b3: 192,     dblReduce: 160, dbl: 192, pool: 'avg', poolProj: 96},
  {name: '4e', b1: 0,   b3Reduce: 128, b3: 192,     dblReduce: 192, dbl: 256, pool: 'max-pass', poolProj: 0}, // -> 7x7x1024
  {name: '5a', b1: 352, b3Reduce: 192, b3: 320,     dblReduce: 160, dbl: 224, pool: 'avg', poolProj: 128},
  {name: '5b', b1: 352, b3Reduce: 192, b3: 320,     dblReduce: 192, dbl: 224, pool: 'max', poolProj: 128},
];

function module(x: tf.SymbolicTensor, row: Row, conv: InceptionConv): tf.SymbolicTensor {
  const n = `inception${row.name}`;
  const reduces = row.pool === 'max-pass';
  // Fig. 5's stride-2 modules (3c, 4e) reduce in their last 3x3s; every conv pads 'same'.
  const stride = reduces ? 2 : 1;
  const branches: tf.SymbolicTensor[] = [];
  if (row.b1 > 0) branches.push(conv(x, {filters: row.b1, kernel: 1, name: `${n}_1x1`}));
  branches.push(tower(conv, x, [
      {filters: row.b3Reduce, kernel: 1, name: `${n}_3x3_reduce`},
      {filters: row.b3, kernel: 3, name: `${n}_3x3`, strides: stride},
  ]));
  let dbl = conv(x, {filters: row.dblReduce, kernel: 1, name: `${n}_3x3dbl_reduce`});
  dbl = conv(dbl, {filters: row.dbl, kernel: 3, name: `${n}_3x3dbl_1`});
  branches.push(conv(dbl, {filters: row.dbl, kernel: 3, name: `${n}_3x3dbl_2`, strides: stride}));
  if (reduces) {
    branches.push(maxPoolDown(x, `${n}_pool`, 'same'));
  } else {
    branches.push(conv(poolSame(x, row.pool, `${n}_pool`), {filters: row.poolProj, kernel: 1, name: `${n}_pool_proj`}));
  }
  return concat(branches, `${n}_concat`);
}

export interface InceptionV2Options extends CommonOptions {
  /**
   * 'conv' (default): the plain 7x7/2 of Fig. 5, which gives Rethinking
   * Table 3's 2.0 Bn ops (2.02 G). 'separable': a depthwise separable 7x7/2
   * with depth multiplier 8, as TF-slim's released `inception_v2` builds it
   * and as the Xception paper says Inception V1 and V2 used (1.93 G, which
   * would print as 1.9).
   */
  stem: 'conv' | 'separable';
  dropout: number;
}

export const DEFAULTS: InceptionV2Options = {
  resolution: 224, width: 1, classes: 1000, channels: 3, stem: 'conv', dropout: 0.2,
};

export function buildInceptionV2(options: Partial<InceptionV2Options> = {}): tf.LayersModel {
  const o: InceptionV2Options = {...DEFAULTS, ...options};
  if (o.stem !== 'conv' && o.stem !== 'separable') throw new Error(`inception_v2: stem must be 'conv' or 'separable', got '${o.stem}'`);
  checkNoWidthMultiplier('inception_v2', o.width, 'for a narrower Inception network use inception_lab, which has a width option');
  checkCommon('inception_v2', o, 32);
  const conv = inceptionConv();
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = stem7x7(input, o.stem, 'stem1');   // 112x112x64
  x = maxPoolDown(x, 'stem1_pool', 'same');                                           // 56x56x64
  x = conv(x, {filters: 64, kernel: 1, name: 'stem2'});
  x = conv(x, {filters: 192, kernel: 3, name: 'stem3'});
  x = maxPoolDown(x, 'stem3_pool', 'same');                                           // 28x28x192
  for (const row of BODY) x = module(x, row, conv);                                   // 7x7x1024
  const logits = classifierHead(x, o.classes, {dropout: o.dropout});
  return tf.model({inputs: input, outputs: logits, name: 'inception_v2'});
}

export const FAMILY: Family<InceptionV2Options> = {
  name: 'inception_v2',
  paper: 'Ioffe & Szegedy 2015, Batch Normalization, arXiv:1502.03167 (Fig. 5: BN-Inception)',
  defaults: DEFAULTS,
  options: {
    stem: {type: 'string', choices: ['conv', 'separable'], description: "first layer: 'conv' 7x7/2 (Fig. 5) or 'separable' (dm 8, TF-slim)"},
    dropout: {type: 'number', description: 'dropout before the classifier'},
  },
  build: buildInceptionV2,
};

export const VARIANTS: readonly ModelVariant[] = [
  {
    name: 'inception_v2',
    family: 'inception_v2',
    options: {},
    published: {
      macs: [{value: 2.0e9, tolerance: 0.05e9, source: 'Szegedy et al. 2015, Rethinking, Table 3 row "BN-Inception"',
              countingNote: 'Bn ops to one decimal, counted as multiply-adds'}],
    },
    notes: "With TF-slim's separable stem (--set stem=separable) the count is 1.93 G, which rounds to 1.9, not 2.0.",
  },
];
