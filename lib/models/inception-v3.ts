/**
 * Inception v3 (Szegedy et al. 2015, "Rethinking the Inception Architecture",
 * arXiv:1512.00567): 5x5 convolutions factorised into two 3x3 (§3.1), n x n
 * into 1 x n + n x 1 (§3.2), grid reduction by parallel stride-2 conv and
 * pool branches (§5), an auxiliary classifier (§4). The widths are those of
 * the released model (Keras, torchvision: "Mixed_5b" ... "Mixed_7c"); the
 * paper's Table 1 gives only the stage shapes.
 */
import * as tf from '@tensorflow/tfjs';

import {InceptionConv as Conv, concat, inceptionConv, maxPoolDown, poolSame, tower} from '../blocks/inception';
import {applyTo} from '../layers/apply';
import {checkCommon, checkNoWidthMultiplier} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

const avgPool = (x: tf.SymbolicTensor, name: string) => poolSame(x, 'avg', name);

/** 35x35 module: two 3x3 in place of a 5x5 in one branch (Fig. 5). */
function moduleA(x: tf.SymbolicTensor, poolFeatures: number, conv: Conv, n: string): tf.SymbolicTensor {
  return concat([
    conv(x, {filters: 64, kernel: 1, name: `${n}_1x1`}),
    tower(conv, x, [{filters: 48, kernel: 1, name: `${n}_5x5_reduce`}, {filters: 64, kernel: 5, name: `${n}_5x5`}]),
    tower(conv, x, [
        {filters: 64, kernel: 1, name: `${n}_3x3dbl_reduce`},
        {filters: 96, kernel: 3, name: `${n}_3x3dbl_1`},
        {filters: 96, kernel: 3, name: `${n}_3x3dbl_2`},
    ]),
    conv(avgPool(x, `${n}_pool`), {filters: poolFeatures, kernel: 1, name: `${n}_pool_proj`}),
  ], `${n}_concat`);
}

/** Grid reduction 35 -> 17 (Fig. 10): stride-2 convs beside a stride-2 pool. */
function reductionA(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  return concat([
    conv(x, {filters: 384, kernel: 3, name: `${n}_3x3`, strides: 2, padding: 'valid'}),
    tower(conv, x, [
        {filters: 64, kernel: 1, name: `${n}_3x3dbl_reduce`},
        {filters: 96, kernel: 3, name: `${n}_3x3dbl_1`},
        {filters: 96, kernel: 3, name: `${n}_3x3dbl_2`, strides: 2, padding: 'valid'},
    ]),
    maxPoolDown(x, `${n}_pool`),
  ], `${n}_concat`);
}

/** 17x17 module: 7x7 factorised into 1x7 and 7x1 (Fig. 6). */
function moduleC(x: tf.SymbolicTensor, c7: number, conv: Conv, n: string): tf.SymbolicTensor {
  const b7 = tower(conv, x, [
      {filters: c7, kernel: 1, name: `${n}_7x7_reduce`},
      {filters: c7, kernel: [1, 7], name: `${n}_1x7`},
      {filters: 192, kernel: [7, 1], name: `${n}_7x1`},
  ]);
  let dbl = conv(x, {filters: c7, kernel: 1, name: `${n}_7x7dbl_reduce`});
  dbl = conv(dbl, {filters: c7, kernel: [7, 1], name: `${n}_7x7dbl_1`});
  dbl = conv(dbl, {filters: c7, kernel: [1, 7], name: `${n}_7x7dbl_2`});
  dbl = conv(dbl, {filters: c7, kernel: [7, 1], name: `${n}_7x7dbl_3`});
  dbl = conv(dbl, {filters: 192, kernel: [1, 7], name: `${n}_7x7dbl_4`});
  return concat([
    conv(x, {filters: 192, kernel: 1, name: `${n}_1x1`}),
    b7,
    dbl,
    conv(avgPool(x, `${n}_pool`), {filters: 192, kernel: 1, name: `${n}_pool_proj`}),
  ], `${n}_concat`);
}

/** Grid reduction 17 -> 8. */
function reductionB(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  const b3 = tower(conv, x, [
      {filters: 192, kernel: 1, name: `${n}_3x3_reduce`},
      {filters: 320, kernel: 3, name: `${n}_3x3`, strides: 2, padding: 'valid'},
  ]);
  let b7 = conv(x, {filters: 192, kernel: 1, name: `${n}_7x7x3_reduce`});
  b7 = tower(conv, b7, [{filters: 192, kernel: [1, 7], name: `${n}_1x7`}, {filters: 192, kernel: [7, 1], name: `${n}_7x1`}]);
  b7 = conv(b7, {filters: 192, kernel: 3, name: `${n}_7x7x3_3x3`, strides: 2, padding: 'valid'});
  return concat([b3, b7, maxPoolDown(x, `${n}_pool`)], `${n}_concat`);
}

/** 8x8 module with expanded filter banks (Fig. 7): 1x3 and 3x1 side by side. */
function moduleE(x: tf.SymbolicTensor, conv: Conv, n: string): tf.SymbolicTensor {
  const split = (y: tf.SymbolicTensor, part: string) =>
      concat([
        conv(y, {filters: 384, kernel: [1, 3], name: `${part}_1x3`}),
        conv(y, {filters: 384, kernel: [3, 1], name: `${part}_3x1`}),
      ], `${part}_concat`);
  const b3 = split(conv(x, {filters: 384, kernel: 1, name: `${n}_3x3_reduce`}), `${n}_3x3`);
  const dbl = split(tower(conv, x, [
      {filters: 448, kernel: 1, name: `${n}_3x3dbl_reduce`},
      {filters: 384, kernel: 3, name: `${n}_3x3dbl_1`},
  ]), `${n}_3x3dbl`);
  return concat([
    conv(x, {filters: 320, kernel: 1, name: `${n}_1x1`}),
    b3,
    dbl,
    conv(avgPool(x, `${n}_pool`), {filters: 192, kernel: 1, name: `${n}_pool_proj`}),
  ], `${n}_concat`);
}

export interface InceptionV3Options extends CommonOptions {
  /** Build the auxiliary classifier on the last 17x17 module (a second output, training only). */
  auxHead: boolean;
  dropout: number;
  /** Batch norm with a learned scale (torchvision); false is Keras's (scale=False). */
  bnScale: boolean;
}

export const DEFAULTS: InceptionV3Options = {
  resolution: 299, width: 1, classes: 1000, channels: 3, auxHead: false, dropout: 0.5, bnScale: true,
};

export function buildInceptionV3(options: Partial<InceptionV3Options> = {}): tf.LayersModel {
  const o: InceptionV3Options = {...DEFAULTS, ...options};
  checkNoWidthMultiplier('inception_v3', o.width, 'for a narrower Inception network use inception_lab, which has a width option');
  // Five valid stride-2 steps and valid 3x3s: 75 px is the smallest input that keeps an 8x8 grid >= 1.
  checkCommon('inception_v3', o, 75);
  const conv = inceptionConv(o.bnScale);
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = conv(input, {filters: 32, kernel: 3, name: 'stem1', strides: 2, padding: 'valid'});   // 149x149x32
  x = conv(x, {filters: 32, kernel: 3, name: 'stem2', padding: 'valid'});           // 147x147x32
  x = conv(x, {filters: 64, kernel: 3, name: 'stem3'});                       // 147x147x64
  x = maxPoolDown(x, 'stem3_pool');                  // 73x73x64
  x = conv(x, {filters: 80, kernel: 1, name: 'stem4', padding: 'valid'});
  x = conv(x, {filters: 192, kernel: 3, name: 'stem5', padding: 'valid'});          // 71x71x192
  x = maxPoolDown(x, 'stem5_pool');                  // 35x35x192
  [32, 64, 64].forEach((pool, i) => { x = moduleA(x, pool, conv, `mixed5${'bcd'[i]}`); });   // 35x35x288
  x = reductionA(x, conv, 'mixed6a');                                                        // 17x17x768
  [128, 160, 160, 192].forEach((c7, i) => { x = moduleC(x, c7, conv, `mixed6${'bcde'[i]}`); });
  const auxInput = x;
  x = reductionB(x, conv, 'mixed7a');                                                        // 8x8x1280
  x = moduleE(x, conv, 'mixed7b');
  x = moduleE(x, conv, 'mixed7c');                                                           // 8x8x2048
  x = applyTo(tf.layers.globalAveragePooling2d({name: 'pool'}), x);
  if (o.dropout > 0) x = applyTo(tf.layers.dropout({rate: o.dropout, name: 'dropout'}), x);
  const logits = applyTo(tf.layers.dense({units: o.classes, name: 'logits'}), x);
  if (!o.auxHead) return tf.model({inputs: input, outputs: logits, name: 'inception_v3'});
  // §4: 5x5/3 average pool, 1x1 conv, then (torchvision) a 5x5 conv to 768 and the classifier.
  let aux = applyTo(tf.layers.averagePooling2d({poolSize: 5, strides: 3, padding: 'valid', name: 'aux_pool'}), auxInput);
  aux = conv(aux, {filters: 128, kernel: 1, name: 'aux_1x1'});
  aux = conv(aux, {filters: 768, kernel: 5, name: 'aux_5x5', padding: 'valid'});
  aux = applyTo(tf.layers.globalAveragePooling2d({name: 'aux_gap'}), aux);
  const auxLogits = applyTo(tf.layers.dense({units: o.classes, name: 'aux_logits'}), aux);
  return tf.model({inputs: input, outputs: [logits, auxLogits], name: 'inception_v3'});
}

export const FAMILY: Family<InceptionV3Options> = {
  name: 'inception_v3',
  paper: 'Szegedy et al. 2015, Rethinking the Inception Architecture, arXiv:1512.00567',
  defaults: DEFAULTS,
  options: {
    auxHead: {type: 'boolean', description: 'build the auxiliary classifier (a second output, training only)'},
    dropout: {type: 'number', description: 'dropout before the classifier'},
    bnScale: {type: 'boolean', description: "batch norm with a learned scale (false: Keras's scale=False)"},
  },
  build: buildInceptionV3,
};

const TV = 'torchvision Inception_V3_Weights.IMAGENET1K_V1 meta';

export const VARIANTS: readonly ModelVariant[] = [
  {
    name: 'inception_v3',
    family: 'inception_v3',
    options: {},
    published: {
      trainableParams: [{value: 23_834_568, tolerance: 0, source: 'imgclsmob README (docs/references.md A6)',
                         countingNote: 'no auxiliary head; BN scale and shift'}],
      macs: [{value: 5.713e9, tolerance: 0.0005e9, source: `${TV}["_ops"]`, countingNote: 'GFLOPs = MACs at 299 px, aux head not run'}],
    },
    notes: 'Not reconciled: the Xception paper (Table 3) gives 23,626,728 parameters, 190,624 fewer than Keras\'s ' +
        'trainable count (docs/references.md A6); the paper itself gives 4.8 Bn ops (Table 3) and "5 billion ' +
        'multiply-adds" (abstract) where the released network counts 5.71 G MACs.',
  },
  {
    name: 'inception_v3_keras',
    family: 'inception_v3',
    options: {bnScale: false},
    published: {
      params: [{value: 23_851_784, tolerance: 0, source: 'Keras Applications InceptionV3 summary (docs/references.md B)',
                countingNote: 'Keras "Total params": BN without scale, moving statistics included'}],
      trainableParams: [{value: 23_817_352, tolerance: 0, source: 'Keras Applications InceptionV3 summary (docs/references.md B)',
                         countingNote: 'Keras "Trainable params": BN shift only'}],
    },
  },
  {
    name: 'inception_v3_aux',
    family: 'inception_v3',
    options: {auxHead: true},
    published: {
      trainableParams: [{value: 27_161_264, tolerance: 0, source: `${TV}["num_params"]`,
                         countingNote: 'includes the AuxLogits branch (torchvision builds it by default)'}],
    },
  },
];
