/**
 * The networks the efficient architectures were measured against: AlexNet
 * (Krizhevsky et al. 2012) as torchvision builds it (one tower, the 64 /
 * 192 / 384 / 256 / 256 channels of "One weird trick", arXiv:1404.5997) and
 * VGG-16 (Simonyan & Zisserman 2014, arXiv:1409.1556, configuration D), and
 * SqueezeNet 1.0 (Iandola et al. 2016, arXiv:1602.07360) as torchvision
 * builds it. GoogLeNet's "12x fewer parameters than AlexNet" and MobileNet's
 * comparisons are computed against these. Plain convolutions with biases,
 * no batch norm, as published.
 */
import * as tf from '@tensorflow/tfjs';

import {applyInOrder} from '../layers/apply';
import {classicChannels} from './channels';
import {checkCommon} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

export type ClassicOptions = CommonOptions;

export const DEFAULTS: ClassicOptions = {resolution: 224, width: 1, classes: 1000, channels: 3};

const relu = (name: string) => tf.layers.reLU({name});
const conv = (filters: number, kernelSize: number, name: string, strides = 1, padding: 'same' | 'valid' = 'same') =>
    tf.layers.conv2d({filters, kernelSize, strides, padding, name});
const maxPool = (name: string, poolSize = 2, strides = 2) => tf.layers.maxPooling2d({poolSize, strides, name});

/** The classifier both share: two 4096-unit layers with dropout, then the logits. */
function classifier(x: tf.SymbolicTensor, width: number, classes: number): tf.SymbolicTensor {
  return applyInOrder(x, [
    tf.layers.flatten({name: 'flatten'}),
    tf.layers.dropout({rate: 0.5, name: 'fc6_dropout'}), tf.layers.dense({units: classicChannels(4096, width), name: 'fc6'}), relu('fc6_relu'),
    tf.layers.dropout({rate: 0.5, name: 'fc7_dropout'}), tf.layers.dense({units: classicChannels(4096, width), name: 'fc7'}), relu('fc7_relu'),
    tf.layers.dense({units: classes, name: 'logits'}),
  ]);
}

/** torchvision's AlexNet: 11x11/4 with padding 2, 3x3/2 max pools; 6 x 6 x 256 into the classifier at 224 px. */
export function buildAlexNet(options: Partial<ClassicOptions> = {}): tf.LayersModel {
  const o = {...DEFAULTS, ...options};
  checkCommon('alexnet', o, 63);
  const w = (n: number) => classicChannels(n, o.width);
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  const x = applyInOrder(input, [
    tf.layers.zeroPadding2d({padding: 2, name: 'conv1_pad'}), conv(w(64), 11, 'conv1', 4, 'valid'), relu('conv1_relu'), maxPool('pool1', 3),
    conv(w(192), 5, 'conv2'), relu('conv2_relu'), maxPool('pool2', 3),
    conv(w(384), 3, 'conv3'), relu('conv3_relu'),
    conv(w(256), 3, 'conv4'), relu('conv4_relu'),
    conv(w(256), 3, 'conv5'), relu('conv5_relu'), maxPool('pool5', 3),
  ]);
  return tf.model({inputs: input, outputs: classifier(x, o.width, o.classes), name: 'alexnet'});
}

/** VGG-16 (configuration D): thirteen 3x3 convolutions in five blocks, each closed by a 2x2 max pool. */
export const VGG16_BLOCKS = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]] as const;

export function buildVgg16(options: Partial<ClassicOptions> = {}): tf.LayersModel {
  const o = {...DEFAULTS, ...options};
  checkCommon('vgg16', o, 32);
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = input;
  VGG16_BLOCKS.forEach((block, b) => {
    const convs = block.flatMap((n, i) => [conv(classicChannels(n, o.width), 3, `block${b + 1}_conv${i + 1}`), relu(`block${b + 1}_relu${i + 1}`)]);
    x = applyInOrder(x, [...convs, maxPool(`block${b + 1}_pool`)]);
  });
  return tf.model({inputs: input, outputs: classifier(x, o.width, o.classes), name: 'vgg16'});
}

/**
 * A fire module: a 1x1 squeeze to `squeeze` channels, then 1x1 and 3x3
 * expands side by side, concatenated; ReLU after each convolution.
 */
function fire(x: tf.SymbolicTensor, squeeze: number, expand: number, name: string): tf.SymbolicTensor {
  const s = applyInOrder(x, [conv(squeeze, 1, `${name}_squeeze`), relu(`${name}_squeeze_relu`)]);
  const e1 = applyInOrder(s, [conv(expand, 1, `${name}_expand1x1`), relu(`${name}_expand1x1_relu`)]);
  const e3 = applyInOrder(s, [conv(expand, 3, `${name}_expand3x3`), relu(`${name}_expand3x3_relu`)]);
  return tf.layers.concatenate({name: `${name}_concat`}).apply([e1, e3]) as tf.SymbolicTensor;
}

/**
 * torchvision's 3x3/2 max pools round up (ceil_mode): one row and column of
 * zeros on the bottom right does the same after a ReLU (every value >= 0).
 */
const ceilMaxPool = (name: string) => [tf.layers.zeroPadding2d({padding: [[0, 1], [0, 1]], name: `${name}_pad`}), maxPool(name, 3)];

/** SqueezeNet 1.0's fire modules after the stem: [squeeze, expand] each, a 3x3/2 max pool after fire4 and fire8. */
export const SQUEEZENET_FIRES = [[16, 64], [16, 64], [32, 128], 'pool', [32, 128], [48, 192], [48, 192], [64, 256], 'pool', [64, 256]] as const;

/** SqueezeNet 1.0: a 7x7/2 stem with 96 channels, eight fire modules, a 1x1 convolution to the classes, global average pool. */
export function buildSqueezeNet(options: Partial<ClassicOptions> = {}): tf.LayersModel {
  const o = {...DEFAULTS, ...options};
  checkCommon('squeezenet', o, 63);
  const w = (n: number) => classicChannels(n, o.width);
  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = applyInOrder(input, [conv(w(96), 7, 'conv1', 2, 'valid'), relu('conv1_relu'), maxPool('pool1', 3)]);
  let module = 2;
  let pool = 4;
  for (const step of SQUEEZENET_FIRES) {
    if (step === 'pool') x = applyInOrder(x, ceilMaxPool(`pool${pool++}`));
    else x = fire(x, w(step[0]), w(step[1]), `fire${module++}`);
  }
  x = applyInOrder(x, [
    tf.layers.dropout({rate: 0.5, name: 'classifier_dropout'}), conv(o.classes, 1, 'conv10'), relu('conv10_relu'),
    tf.layers.globalAveragePooling2d({name: 'pool10'}),
  ]);
  return tf.model({inputs: input, outputs: x, name: 'squeezenet'});
}

export const ALEXNET: Family<ClassicOptions> = {
  name: 'alexnet', paper: 'Krizhevsky et al. 2012 (one tower, as torchvision builds it after arXiv:1404.5997)',
  defaults: DEFAULTS, options: {}, build: buildAlexNet,
};

export const VGG16: Family<ClassicOptions> = {
  name: 'vgg16', paper: 'Simonyan & Zisserman 2014, arXiv:1409.1556, configuration D',
  defaults: DEFAULTS, options: {}, build: buildVgg16,
};

export const SQUEEZENET: Family<ClassicOptions> = {
  name: 'squeezenet', paper: 'Iandola et al. 2016, arXiv:1602.07360, version 1.0 as torchvision builds it',
  defaults: DEFAULTS, options: {}, build: buildSqueezeNet,
};

export const VARIANTS: readonly ModelVariant[] = [
  {
    name: 'alexnet_224_torchvision', family: 'alexnet', options: {},
    published: {
      trainableParams: [{value: 61_100_840, tolerance: 0, source: 'torchvision AlexNet_Weights.IMAGENET1K_V1 meta["num_params"]'}],
      macs: [{value: 0.714e9, tolerance: 0.0005e9, source: 'torchvision AlexNet_Weights.IMAGENET1K_V1 meta["_ops"]',
              countingNote: 'GFLOPs to 3 decimals, counted as MACs'}],
    },
    notes: 'The MobileNet paper (Table 9) lists AlexNet at 60M parameters and 720M multiply-adds: the two-tower original.',
  },
  {
    name: 'vgg16_224', family: 'vgg16', options: {},
    published: {
      trainableParams: [
        {value: 138_357_544, tolerance: 0, source: 'torchvision VGG16_Weights.IMAGENET1K_V1 meta["num_params"]'},
        {value: 138e6, tolerance: 0.5e6, source: 'Howard et al. 2017, MobileNets (arXiv:1704.04861), Table 8'},
      ],
      macs: [
        {value: 15.47e9, tolerance: 0.005e9, source: 'torchvision VGG16_Weights.IMAGENET1K_V1 meta["_ops"]', countingNote: 'GFLOPs to 2 decimals, counted as MACs'},
        {value: 15.3e9, tolerance: 0.2e9, source: 'Howard et al. 2017, MobileNets (arXiv:1704.04861), Table 8', countingNote: 'multiply-adds'},
      ],
    },
  },
  {
    name: 'squeezenet1_0_224_torchvision', family: 'squeezenet', options: {},
    published: {
      trainableParams: [
        {value: 1_248_424, tolerance: 0, source: 'torchvision SqueezeNet1_0_Weights.IMAGENET1K_V1 meta["num_params"]'},
        {value: 1.25e6, tolerance: 0.005e6, source: 'Howard et al. 2017, MobileNets (arXiv:1704.04861), Table 9'},
      ],
      macs: [{value: 0.819e9, tolerance: 0.0005e9, source: 'torchvision SqueezeNet1_0_Weights.IMAGENET1K_V1 meta["_ops"]',
               countingNote: 'GFLOPs to 3 decimals, counted as MACs'}],
    },
    notes: 'The MobileNet paper (Table 9) lists SqueezeNet at 1,700M Mult-Adds, about twice this count, without saying how it ' +
        'counted; chapter 03 names it as an erratum.',
  },
];
