/**
 * CondenseNet (Huang, Liu, van der Maaten & Weinberger, CVPR 2018,
 * arXiv:1711.09224; official code ShichenLiu/CondenseNet): DenseNet with
 * learned group convolutions. Each dense layer is BN-ReLU-learned group 1x1
 * conv to 4k, then BN-ReLU-3x3 group conv to k, concatenated to its input;
 * transitions are 2x2 average pools only (fully dense connectivity across
 * blocks); the growth rate k doubles from block to block.
 *
 * The same builder makes the training-time network (learned group convs
 * with masks) and, with `converted`, the test-time network (index layer,
 * real group convolution, channel shuffle; the classifier reads a fraction
 * of the features). `convertCondenseNet` (condensenet-convert.ts) fills the
 * test-time network from a trained one.
 */
import * as tf from '@tensorflow/tfjs';

import {activation, batchNorm} from '../blocks/conv-bn-act';
import {ChannelGather, ChannelShuffle, GroupConv2D, LearnedGroupConv2D} from '../layers';
import {applyTo} from '../layers/apply';
import {checkCommon, checkIntegerList, checkNoWidthMultiplier, checkRange} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

export interface CondenseNetOptions extends CommonOptions {
  /** Dense layers per block, e.g. [14, 14, 14] (CondenseNet-86) or [4, 6, 8, 10, 8] (ImageNet). */
  stages: number[];
  /** Growth rate k per block, e.g. [8, 16, 32]. */
  growth: number[];
  /** G: groups of the learned 1x1 group convolutions. */
  groups: number;
  /** Groups of the 3x3 convolutions (4 in the paper). */
  groups3x3: number;
  /** C: condensation factor; 1/C of the 1x1 connections survive. */
  condenseFactor: number;
  /** The 1x1 widens to bottleneck * k. */
  bottleneck: number;
  /** Stride of the first 3x3 conv: 1 on CIFAR (32 px), 2 on ImageNet. */
  stemStride: number;
  /** Dropout before each learned group conv (official default 0). */
  dropout: number;
  /** Build the test-time network: index layers, group convs, shuffles. */
  converted: boolean;
  /** Share of the classifier's input features the converted network keeps (official 0.5). */
  classifierKeep: number;
  /**
   * The 1x1 convolutions: 'learned' (CondenseNet's learned group convolution),
   * or a standard group convolution with G fixed groups, without ('group') or
   * with ('group-shuffle', ShuffleNet's answer) a channel shuffle after it.
   */
  pointwise: 'learned' | 'group' | 'group-shuffle';
  /** Weight of the group lasso during training (official --group-lasso-lambda; 0 = off). Read by the trainer, not the builder. */
  groupLasso: number;
}

export const DEFAULTS: CondenseNetOptions = {
  resolution: 32, width: 1, classes: 10, channels: 3, stages: [14, 14, 14], growth: [8, 16, 32], groups: 4,
  groups3x3: 4, condenseFactor: 4, bottleneck: 4, stemStride: 1, dropout: 0, converted: false, classifierKeep: 0.5,
  pointwise: 'learned', groupLasso: 0,
};

/**
 * Which inputs each converted layer gathers: the surviving input channels
 * of every group, group after group, per learned group conv; and the
 * classifier's kept features.
 */
export interface ConversionPlan {
  gathers: ReadonlyMap<string, readonly number[]>;
  classifier: readonly number[] | null;
}

/** Block structure and checks shared by the builder and the conversion. */
export function condenseNetPlan(o: CondenseNetOptions): {stages: number[]; growth: number[]} {
  const stages = checkIntegerList('condensenet: stages', o.stages);
  const growth = checkIntegerList('condensenet: growth', o.growth);
  if (stages.length !== growth.length) {
    throw new Error(`condensenet: stages ${JSON.stringify(stages)} and growth ${JSON.stringify(growth)} must list the same number of blocks`);
  }
  checkNoWidthMultiplier('condensenet', o.width, 'scale the network with growth (e.g. [4, 8, 16]) and stages instead');
  for (const key of ['groups', 'groups3x3', 'condenseFactor', 'bottleneck'] as const) checkRange(`condensenet: ${key}`, o[key], 1, 64, true);
  if (o.stemStride !== 1 && o.stemStride !== 2) throw new Error(`condensenet: stemStride must be 1 or 2, got ${o.stemStride}`);
  checkRange('condensenet: dropout', o.dropout, 0, 0.99);
  if (!(o.classifierKeep > 0 && o.classifierKeep <= 1)) throw new Error(`condensenet: classifierKeep must be in (0, 1], got ${o.classifierKeep}`);
  if (!['learned', 'group', 'group-shuffle'].includes(o.pointwise)) {
    throw new Error(`condensenet: pointwise must be one of learned, group, group-shuffle, got '${o.pointwise}'`);
  }
  if (o.pointwise !== 'learned' && o.converted) throw new Error('condensenet: only a learned pointwise network is converted');
  checkRange('condensenet: groupLasso', o.groupLasso, 0, 1);
  checkCommon('condensenet', o, o.stemStride * 2 ** (stages.length - 1));
  // The official code's requirements, checked for every dense layer so the
  // error names the first that fails.
  let features = 2 * growth[0];
  stages.forEach((count, b) => {
    for (let l = 0; l < count; l++) {
      const wide = o.bottleneck * growth[b];
      const where = `block ${b + 1} layer ${l + 1}`;
      if (features % o.groups !== 0 || features % o.condenseFactor !== 0) {
        throw new Error(`condensenet: ${where} has ${features} input channels, not divisible by groups (G = ${o.groups}) ` +
            `and the condensation factor (C = ${o.condenseFactor})`);
      }
      if (wide % o.groups !== 0 || wide % o.groups3x3 !== 0 || growth[b] % o.groups3x3 !== 0) {
        throw new Error(`condensenet: ${where}: ${wide} bottleneck and ${growth[b]} output channels must divide into ` +
            `groups = ${o.groups} and groups3x3 = ${o.groups3x3}`);
      }
      features += growth[b];
    }
  });
  return {stages, growth};
}

/** Default gathers for a converted network built without a trained one: group g keeps C_in/C consecutive channels. */
function defaultGather(inChannels: number, o: CondenseNetOptions): number[] {
  const keep = inChannels / o.condenseFactor;
  return Array.from({length: o.groups * keep}, (_, p) => (Math.floor(p / keep) * keep + (p % keep)) % inChannels);
}

function learnedGroupConv(x: tf.SymbolicTensor, filters: number, o: CondenseNetOptions, n: string,
                          plan: ConversionPlan | undefined): tf.SymbolicTensor {
  if (!o.converted) {
    let y = activation(batchNorm(x, `${n}_bn`), 'relu', `${n}_act`);
    if (o.dropout > 0) y = applyTo(tf.layers.dropout({rate: o.dropout, name: `${n}_dropout`}), y);
    if (o.pointwise !== 'learned') {
      y = applyTo(new GroupConv2D({filters, kernelSize: 1, groups: o.groups, name: `${n}_gconv`}), y);
      return o.pointwise === 'group-shuffle' ? applyTo(new ChannelShuffle({groups: o.groups, name: `${n}_shuffle`}), y) : y;
    }
    return applyTo(new LearnedGroupConv2D({filters, groups: o.groups, condenseFactor: o.condenseFactor, name: n}), y);
  }
  const indices = plan?.gathers.get(n) ?? defaultGather(x.shape[3] as number, o);
  let y = applyTo(new ChannelGather({indices, name: `${n}_gather`}), x);
  y = activation(batchNorm(y, `${n}_bn`), 'relu', `${n}_act`);
  y = applyTo(new GroupConv2D({filters, kernelSize: 1, groups: o.groups, name: `${n}_gconv`}), y);
  return applyTo(new ChannelShuffle({groups: o.groups, name: `${n}_shuffle`}), y);
}

export function buildCondenseNet(options: Partial<CondenseNetOptions> = {}, plan?: ConversionPlan): tf.LayersModel {
  const o: CondenseNetOptions = {...DEFAULTS, ...options};
  const {stages, growth} = condenseNetPlan(o);
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = applyTo(tf.layers.conv2d({filters: 2 * growth[0], kernelSize: 3, strides: o.stemStride, padding: 'same', useBias: false,
                            name: 'stem_conv'}), input);
  stages.forEach((count, b) => {
    for (let l = 1; l <= count; l++) {
      const n = `block${b + 1}_layer${l}`;
      let y = learnedGroupConv(x, o.bottleneck * growth[b], o, `${n}_lgc`, plan);
      y = activation(batchNorm(y, `${n}_conv_bn`), 'relu', `${n}_conv_act`);
      y = applyTo(new GroupConv2D({filters: growth[b], kernelSize: 3, groups: o.groups3x3, name: `${n}_conv`}), y);
      x = applyTo(tf.layers.concatenate({name: `${n}_concat`}), [x, y]);
    }
    if (b < stages.length - 1) {
      x = applyTo(tf.layers.averagePooling2d({poolSize: 2, strides: 2, name: `transition${b + 1}`}), x);
    }
  });
  x = activation(batchNorm(x, 'final_bn'), 'relu', 'final_act');
  // The official network pools with a fixed window equal to the last grid (8 on CIFAR, 7 on ImageNet).
  x = applyTo(tf.layers.averagePooling2d({poolSize: x.shape[1] as number, name: 'final_pool'}), x);
  x = applyTo(tf.layers.flatten({name: 'flatten'}), x);
  if (o.converted) {
    const features = x.shape[1] as number;
    const kept = plan?.classifier ?? Array.from({length: Math.round(features * o.classifierKeep)}, (_, i) => i);
    x = applyTo(new ChannelGather({indices: kept, name: 'classifier_gather'}), x);
  }
  const logits = applyTo(tf.layers.dense({units: o.classes, name: 'logits'}), x);
  return tf.model({inputs: input, outputs: logits, name: o.converted ? 'condensenet_converted' : 'condensenet'});
}

export const FAMILY: Family<CondenseNetOptions> = {
  name: 'condensenet',
  paper: 'Huang, Liu, van der Maaten & Weinberger 2018, CondenseNet, arXiv:1711.09224',
  defaults: DEFAULTS,
  options: {
    stages: {type: 'integers', description: 'dense layers per block (CIFAR-86: 14-14-14)'},
    growth: {type: 'integers', description: 'growth rate per block (CIFAR: 8-16-32)'},
    groups: {type: 'integer', description: 'G, groups of the learned 1x1 group convolutions'},
    groups3x3: {type: 'integer', description: 'groups of the 3x3 convolutions'},
    condenseFactor: {type: 'integer', description: 'C, condensation factor (1/C of the 1x1 connections survive)'},
    bottleneck: {type: 'integer', description: 'the 1x1 widens to bottleneck x growth'},
    stemStride: {type: 'integer', description: 'stride of the first conv (1 on CIFAR, 2 on ImageNet)'},
    dropout: {type: 'number', description: 'dropout before each learned group conv'},
    converted: {type: 'boolean', description: 'build the test-time network (index layers, group convs, shuffles)'},
    classifierKeep: {type: 'number', description: 'share of features the converted classifier keeps (0.5)'},
    pointwise: {type: 'string', choices: ['learned', 'group', 'group-shuffle'], description: 'the 1x1 convolutions: learned groups, or fixed groups without or with a shuffle'},
    groupLasso: {type: 'number', description: 'weight of the group lasso in training (0: off)'},
  },
  build: buildCondenseNet,
};

const README = 'CondenseNet official README (ShichenLiu/CondenseNet), docs/references.md A8';
const RECOUNT = 'docs/references.md A8, recount with the official utils.measure_model';
const COUNTER = 'official measure_model: MACs + ReLU and pooling ops + linear bias adds, learned group convs at 1/C';

/**
 * A CIFAR-10 CondenseNet-<depth> (depth = 6 x layers per block + 2, G = C = 4)
 * as the official main.py measures it: the training network, learned group
 * convs at 1/C, the classifier whole. Its parameters round to the README's
 * (0.2165M -> 0.22M); the converted network's (0.214M) would not.
 */
function cifarVariant(depth: number, readme: {flops: number; params: number}, growth = [8, 16, 32]): ModelVariant {
  const perBlock = (depth - 2) / 6;
  // The README prints 3 significant digits: 0.01M / 0.1M below 1M / 100M, 0.1M / 1M above.
  const digits = (v: number, small: number) => (v >= 100 * small ? 10 * small : small) / 2;
  return {
    name: `condensenet_${depth}_cifar10`,
    family: 'condensenet',
    options: {stages: [perBlock, perBlock, perBlock], growth},
    convention: 'condensenet',
    published: {
      macs: [{value: readme.flops, tolerance: digits(readme.flops, 0.1e6), source: `${README}, CIFAR table "FLOPs"`, countingNote: COUNTER}],
      trainableParams: [{value: readme.params, tolerance: digits(readme.params, 0.01e6), source: `${README}, CIFAR table "Params"`,
                         countingNote: 'training network: learned group convs at 1/C, classifier whole, BN scale and shift'}],
    },
  };
}

/** ImageNet CondenseNet-74 with G = C = 4 or 8, measured on the converted (test-time) network. */
function imagenetVariant(factor: 4 | 8, readme: {flops: number; params: number}, recount: {flops: number; params: number}): ModelVariant {
  return {
    name: `condensenet_74_c${factor}_g${factor}_imagenet`,
    family: 'condensenet',
    options: {stages: [4, 6, 8, 10, 8], growth: [8, 16, 32, 64, 128], resolution: 224, classes: 1000, stemStride: 2,
              groups: factor, groups3x3: factor, condenseFactor: factor, converted: true},
    convention: 'condensenet',
    published: {
      macs: [{value: readme.flops, tolerance: 0.5e6, source: `${README}, ImageNet table "FLOPs"`, countingNote: `${COUNTER}; converted network`},
             {value: recount.flops, tolerance: 0.05e6, source: RECOUNT}],
      trainableParams: [{value: readme.params, tolerance: 0.05e6, source: `${README}, ImageNet table "Params"`,
                         countingNote: 'converted network: classifier on 50 % of the features'},
                        {value: recount.params, tolerance: 0.0005e6, source: RECOUNT}],
    },
  };
}

export const VARIANTS: readonly ModelVariant[] = [
  cifarVariant(50, {flops: 28.6e6, params: 0.22e6}),
  cifarVariant(74, {flops: 51.9e6, params: 0.41e6}),
  cifarVariant(86, {flops: 65.8e6, params: 0.52e6}),
  cifarVariant(98, {flops: 81.3e6, params: 0.65e6}),
  cifarVariant(110, {flops: 98.2e6, params: 0.79e6}),
  cifarVariant(122, {flops: 116.7e6, params: 0.95e6}),
  {
    ...cifarVariant(182, {flops: 513e6, params: 4.2e6}, [12, 24, 48]),
    notes: 'The README does not print -182\'s growth rates; 12-24-48 is inferred from the match (docs/references.md A8).',
  },
  {
    name: 'condensenet_86_cifar10_converted',
    family: 'condensenet',
    options: {stages: [14, 14, 14], growth: [8, 16, 32], converted: true},
    convention: 'condensenet',
    published: {
      macs: [{value: 65.8e6, tolerance: 0.05e6, source: RECOUNT, countingNote: `${COUNTER}; converted network`}],
      trainableParams: [{value: 0.516e6, tolerance: 0.0005e6, source: RECOUNT, countingNote: 'converted network: classifier on 50 % of the features'}],
    },
    notes: 'The test-time network. The README\'s CIFAR parameters (0.52M) are the training network\'s (520,202); ' +
        'this one has 516,202, which the recount in docs/references.md A8 gives as 0.516M.',
  },
  imagenetVariant(4, {flops: 529e6, params: 4.8e6}, {flops: 529.3e6, params: 4.774e6}),
  imagenetVariant(8, {flops: 274e6, params: 2.9e6}, {flops: 274.2e6, params: 2.935e6}),
];
