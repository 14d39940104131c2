/**
 * GoogLeNet / Inception v1 (Szegedy et al. 2015, arXiv:1409.4842), with batch
 * norm after every conv as in torchvision's port (the paper predates batch
 * norm; BN adds no multiply-adds under the `macs` convention). The two
 * auxiliary classifiers (on 4a and 4d, §5) are optional extra outputs: they
 * train, they are not part of the inference cost.
 *
 * BODY is Table 1 after the stem; `buildInceptionV1` is its only interpreter.
 */
import * as tf from '@tensorflow/tfjs';

import {convBnAct} from '../blocks/conv-bn-act';
import {InceptionWidths, inceptionV1Module, stem7x7} from '../blocks/inception';
import {classifierHead} from '../blocks/util';
import {applyTo} from '../layers/apply';
import {checkCommon, checkNoWidthMultiplier} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

type Row = InceptionWidths & {readonly name: string};

// prettier-ignore
export const BODY: ReadonlyArray<Row | 'pool'> = [
  //                 b1   b3r  b3   b5r  b5   pool   input (224 px)
  {name: '3a', b1: 64,  b3Reduce: 96,  b3: 128, b5Reduce: 16, b5: 32,  poolProj: 32},   // 28x28x192
  {name: '3b', b1: 128, b3Reduce: 128, b3: 192, b5Reduce: 32, b5: 96,  poolProj: 64},   // 28x28x256
  'pool',
  {name: '4a', b1: 192, b3Reduce: 96,  b3: 208, b5Reduce: 16, b5: 48,  poolProj: 64},   // 14x14x480
  {name: '4b', b1: 160, b3Reduce: 112, b3: 224, b5Reduce: 24, b5: 64,  poolProj: 64},
  {name: '4c', b1: 128, b3Reduce: 128, b3: 256, b5Reduce: 24, b5: 64,  poolProj: 64},
  {name: '4d', b1: 112, b3Reduce: 144, b3: 288, b5Reduce: 32, b5: 64,  poolProj: 64},
  {name: '4e', b1: 256, b3Reduce: 160, b3: 320, b5Reduce: 32, b5: 128, poolProj: 128},
  'pool',
  {name: '5a', b1: 256, b3Reduce: 160, b3: 320, b5Reduce: 32, b5: 128, poolProj: 128},  // 7x7x832
  {name: '5b', b1: 384, b3Reduce: 192, b3: 384, b5Reduce: 48, b5: 128, poolProj: 128},
];

export interface InceptionV1Options extends CommonOptions {
  /** 5 as in the paper; 3 is torchvision's port (pytorch/vision#906). */
  wideKernel: number;
  /**
   * 'conv': a plain 7x7/2 convolution, as Table 1 reads and torchvision builds.
   * 'separable': a depthwise separable 7x7 with depth multiplier 8, the only
   * stem consistent with Table 1's 2.7K parameters and 34M ops for that row
   * (and with the Xception paper's remark that Inception V1 used one).
   */
  stem: 'conv' | 'separable';
  dropout: number;
  /** Build the two auxiliary classifiers on 4a and 4d (extra outputs, training only). */
  auxHeads: boolean;
}

export const DEFAULTS: InceptionV1Options = {
  resolution: 224, width: 1, classes: 1000, channels: 3, wideKernel: 5, stem: 'conv', dropout: 0.4, auxHeads: false,
};

/**
 * §5: "an average pooling layer with 5x5 filter size and stride 3, a 1x1
 * convolution with 128 filters ..., a fully connected layer with 1024 units
 * ..., a dropout layer with 70% ratio ..., a linear layer with softmax".
 */
function auxClassifier(x: tf.SymbolicTensor, classes: number, n: string): tf.SymbolicTensor {
  let y = applyTo(tf.layers.averagePooling2d({poolSize: 5, strides: 3, padding: 'valid', name: `${n}_pool`}), x);
  y = convBnAct(y, {filters: 128, kernelSize: 1, name: `${n}_1x1`});
  y = applyTo(tf.layers.flatten({name: `${n}_flatten`}), y);
  y = applyTo(tf.layers.dense({units: 1024, activation: 'relu', name: `${n}_fc`}), y);
  y = applyTo(tf.layers.dropout({rate: 0.7, name: `${n}_dropout`}), y);
  return applyTo(tf.layers.dense({units: classes, name: `${n}_logits`}), y);
}

export function buildInceptionV1(options: Partial<InceptionV1Options> = {}): tf.LayersModel {
  const o: InceptionV1Options = {...DEFAULTS, ...options};
  if (o.wideKernel !== 3 && o.wideKernel !== 5) throw new Error(`inception_v1: wideKernel must be 3 or 5, got ${o.wideKernel}`);
  if (o.stem !== 'conv' && o.stem !== 'separable') throw new Error(`inception_v1: stem must be 'conv' or 'separable', got '${o.stem}'`);
  checkNoWidthMultiplier('inception_v1', o.width, 'for a narrower Inception network use inception_lab, which has a width option');
  checkCommon('inception_v1', o, 32);
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  const maxPool = (x: tf.SymbolicTensor, name: string) =>
      applyTo(tf.layers.maxPooling2d({poolSize: 3, strides: 2, padding: 'same', name}), x);

  let x = stem7x7(input, o.stem, 'stem1');   // 112x112x64
  x = maxPool(x, 'stem1_pool');                                                       // 56x56x64
  x = convBnAct(x, {filters: 64, kernelSize: 1, name: 'stem2'});
  x = convBnAct(x, {filters: 192, kernelSize: 3, name: 'stem3'});
  x = maxPool(x, 'stem3_pool');                                                       // 28x28x192
  const aux: tf.SymbolicTensor[] = [];
  BODY.forEach((row, i) => {
    x = row === 'pool' ? maxPool(x, `pool${i}`) :
        inceptionV1Module(x, {widths: row, wideKernel: o.wideKernel as 3 | 5, name: `inception${row.name}`});
    if (o.auxHeads && row !== 'pool' && (row.name === '4a' || row.name === '4d')) {
      aux.push(auxClassifier(x, o.classes, `aux${row.name}`));
    }
  });
  const logits = classifierHead(x, o.classes, {dropout: o.dropout});
  return tf.model({inputs: input, outputs: o.auxHeads ? [logits, ...aux] : logits, name: 'inception_v1'});
}

export const FAMILY: Family<InceptionV1Options> = {
  name: 'inception_v1',
  paper: 'Szegedy et al. 2015, Going deeper with convolutions, arXiv:1409.4842',
  defaults: DEFAULTS,
  options: {
    wideKernel: {type: 'integer', description: 'kernel of the "5x5" branch: 5 (paper) or 3 (torchvision)'},
    stem: {type: 'string', choices: ['conv', 'separable'], description: "first layer: 'conv' 7x7/2 or 'separable' (dm 8)"},
    dropout: {type: 'number', description: 'dropout before the classifier (paper 0.4)'},
    auxHeads: {type: 'boolean', description: 'build the auxiliary classifiers on 4a and 4d (training only)'},
  },
  build: buildInceptionV1,
};

const TV = 'torchvision GoogLeNet_Weights.IMAGENET1K_V1 meta';

export const VARIANTS: readonly ModelVariant[] = [
  {
    name: 'inception_v1_224_torchvision',
    family: 'inception_v1',
    options: {wideKernel: 3, stem: 'conv'},
    published: {
      trainableParams: [{value: 6_624_904, tolerance: 0, source: `${TV}["num_params"]`,
                         countingNote: 'aux heads removed; 3x3 in the "5x5" branch; BN scale/shift'}],
      macs: [{value: 1.498e9, tolerance: 0.0005e9, source: `${TV}["_ops"]`, countingNote: 'GFLOPs to 3 decimals, counted as MACs'}],
    },
  },
  {
    name: 'inception_v1_224',
    family: 'inception_v1',
    options: {wideKernel: 5, stem: 'separable'},
    published: {
      macs: [
        {value: 1.5e9, tolerance: 0.01e9, source: 'Szegedy et al. 2015, §5: "1.5 billion multiply-adds"', countingNote: 'multiply-adds'},
        {value: 1.499e9, tolerance: 0.001e9, source: 'docs/references.md A5, recount of Table 1 ops'},
      ],
    },
    notes: 'Table 1\'s parameter column does not add up from its own filter counts (recount 6.98M vs ~6.8M printed); ' +
        'only the ops are claimed.',
  },
];
