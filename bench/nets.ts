/**
 * The benchmark's networks, built by the lab's builders where the lab has
 * them. bench/torch_peer.py builds the same networks in PyTorch; the runner
 * checks that both sides count the same trainable parameters.
 */
import * as tf from '@tensorflow/tfjs';

import {batchNorm} from '../lib/blocks/conv-bn-act';
import {buildMobileNetV1, buildMobileNetV2} from '../lib/models';

export interface BenchNet {
  name: string;
  /** Input [H, W, C]. */
  input: [number, number, number];
  build(): tf.LayersModel;
}

/** The tiny net of ../shared/PLATFORM.md: conv, BN, depthwise, separable, max-pool. */
function tinyNet(): tf.LayersModel {
  const input = tf.input({shape: [28, 28, 1]});
  let x = tf.layers.conv2d({filters: 16, kernelSize: 3, padding: 'same', useBias: false}).apply(input) as tf.SymbolicTensor;
  x = batchNorm(x, 'bn');
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({kernelSize: 3, padding: 'same', strides: 2}).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({filters: 32, kernelSize: 1}).apply(x) as tf.SymbolicTensor;
  x = tf.layers.separableConv2d({filters: 64, kernelSize: 3, padding: 'same', strides: 2}).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({poolSize: 3, strides: 1, padding: 'same'}).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({units: 10}).apply(x) as tf.SymbolicTensor;
  return tf.model({inputs: input, outputs: logits, name: 'tiny'});
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
];
