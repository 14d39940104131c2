/**
 * The benchmark's networks, built by the lab's builders where the lab has
 * them. bench/torch_peer.py builds the same networks in PyTorch; the runner
 * checks that both sides count the same trainable parameters.
 */
import * as tf from '@tensorflow/tfjs';

import {batchNorm, convBnAct} from '../blocks/conv-bn-act';
import {InceptionWidths, inceptionV1Module} from '../blocks/inception';
import {labReLU} from '../layers/activation-fusion';
import {applyTo} from '../layers/apply';
import {buildCondenseNet, buildInceptionLab, buildMobileNetV1, buildMobileNetV2, buildXception, buildXceptionSpectrum} from '../models';

export interface BenchNet {
  name: string;
  /** Input [H, W, C]. */
  input: [number, number, number];
  build(): tf.LayersModel;
}

/** The tiny net the engine was first sized on: conv, BN, depthwise, separable, max-pool on 28x28x1 inputs. */
function tinyNet(): tf.LayersModel {
  const input = tf.input({shape: [28, 28, 1]});
  let x = applyTo(tf.layers.conv2d({filters: 16, kernelSize: 3, padding: 'same', useBias: false}), input);
  x = batchNorm(x, 'bn');
  x = applyTo(labReLU(), x);
  x = applyTo(tf.layers.depthwiseConv2d({kernelSize: 3, padding: 'same', strides: 2}), x);
  x = applyTo(tf.layers.conv2d({filters: 32, kernelSize: 1}), x);
  x = applyTo(tf.layers.separableConv2d({filters: 64, kernelSize: 3, padding: 'same', strides: 2}), x);
  x = applyTo(tf.layers.maxPooling2d({poolSize: 3, strides: 1, padding: 'same'}), x);
  x = applyTo(tf.layers.globalAveragePooling2d({}), x);
  const logits = applyTo(tf.layers.dense({units: 10}), x);
  return tf.model({inputs: input, outputs: logits, name: 'tiny'});
}

/** A small GoogLeNet (Fig. 2b modules, 5x5 branch) for 32 px; torch_peer.py's inception_lab mirrors it. */
export const INCEPTION_LAB_MODULES: ReadonlyArray<InceptionWidths | 'pool'> = [
  {b1: 16, b3Reduce: 16, b3: 24, b5Reduce: 4, b5: 8, poolProj: 8},     // 32x32x56
  {b1: 24, b3Reduce: 24, b3: 32, b5Reduce: 8, b5: 16, poolProj: 8},    // 32x32x80
  'pool',
  {b1: 32, b3Reduce: 24, b3: 48, b5Reduce: 8, b5: 16, poolProj: 16},   // 16x16x112
  'pool',
  {b1: 48, b3Reduce: 32, b3: 64, b5Reduce: 8, b5: 16, poolProj: 16},   // 8x8x144
];

function inceptionLab(): tf.LayersModel {
  const input = tf.input({shape: [32, 32, 3]});
  let x = convBnAct(input, {filters: 32, kernelSize: 3, name: 'stem'});
  INCEPTION_LAB_MODULES.forEach((row, i) => {
    x = row === 'pool' ?
        applyTo(tf.layers.maxPooling2d({poolSize: 3, strides: 2, padding: 'same', name: `pool${i}`}), x) :
        inceptionV1Module(x, {widths: row, name: `module${i}`});
  });
  x = applyTo(tf.layers.globalAveragePooling2d({}), x);
  const logits = applyTo(tf.layers.dense({units: 10}), x);
  return tf.model({inputs: input, outputs: logits, name: 'inception_lab'});
}

export const BENCH_NETS: readonly BenchNet[] = [
  {name: 'tiny', input: [28, 28, 1], build: tinyNet},
  {
    name: 'mobilenet_v1_0.5_32', input: [32, 32, 3],
    build: () => buildMobileNetV1({resolution: 32, channels: 3, classes: 10, width: 0.5, stemStride: 1, depth: 7}),
  },
  {
    name: 'mobilenet_v2_0.5_32', input: [32, 32, 3],
    build: () => buildMobileNetV2({resolution: 32, channels: 3, classes: 10, width: 0.5, stemStride: 1, stages: 5}),
  },
  {name: 'inception_lab_32', input: [32, 32, 3], build: inceptionLab},
  {
    // The smallest input the two valid stem convs and four stride-2 steps allow is 33.
    name: 'xception_0.25_36', input: [36, 36, 3],
    build: () => buildXception({resolution: 36, channels: 3, classes: 10, width: 0.25, middleBlocks: 2}),
  },
  {
    name: 'condensenet_lab_32', input: [32, 32, 3],
    build: () => buildCondenseNet({resolution: 32, channels: 3, classes: 10, stages: [4, 4, 4], growth: [8, 16, 32]}),
  },
  // Chapter 02's network at the regular end, at Inception's k = 4 and at the depthwise end (grouped convolutions by 'auto').
  ...([[1, 'k1'], [4, 'k4'], [0, 'kC']] as const).map(([segments, k]) => ({
    name: `spectrum_${k}_28`, input: [28, 28, 1] as [number, number, number],
    build: () => buildXceptionSpectrum({resolution: 28, channels: 1, classes: 10, width: 0.5, stemStride: 2, modulesPerStage: 2, segments}),
  })),
  // Chapter 01's network (two stacked 3x3, parallel grid reductions) and its 1x3 / 3x1 version.
  ...([['3x3-3x3', '3x3'], ['1x3-3x1', '1x3']] as const).map(([kernels, tag]) => ({
    name: `inception_ch01_${tag}_28`, input: [28, 28, 1] as [number, number, number],
    build: () => buildInceptionLab({resolution: 28, channels: 1, classes: 10, width: 0.5, stemStride: 2, modulesPerStage: 1, kernels}),
  })),
  // Chapter 04's network as it trains (learned group convolutions, G = C = 4).
  {
    name: 'condensenet_ch04_28', input: [28, 28, 1],
    build: () => buildCondenseNet({resolution: 28, channels: 1, classes: 10, stemStride: 2, stages: [3, 3, 3], growth: [8, 16, 32]}),
  },
];
