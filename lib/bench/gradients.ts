/**
 * Gradient comparisons between backends that `cnnlab bench gpu` runs on a
 * real GPU, and the engine tests too; the helpers only tests use are in
 * test/helpers/gradients.ts.
 */
import * as tf from '@tensorflow/tfjs';

import {buildModel} from '../models';
import {seedWeights} from '../train/seed';

/** Deterministic, non-symmetric test values (no RNG: same on every backend). */
export function wave(shape: number[], phase: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({length: size}, (_, i) => Math.sin(i * 0.37 + phase) + 0.1 * Math.cos(i * 1.3)), shape);
}

/**
 * Gradients of a lab model's cross-entropy loss with respect to every
 * trainable weight, in the model's own weight order (variable names get
 * suffixes when a model is built twice in one process, so names cannot pair
 * them across backends). Inputs are `wave` values, labels cycle over four
 * classes; reads back asynchronously, which webgpu requires.
 */
export async function modelGradients(backend: string, family: string, options: Record<string, unknown>,
                                     {batch, training}: {batch: number; training: boolean}): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const model = buildModel(family, options);
  seedWeights(model, 3);
  const [, h, w, c] = model.inputs[0].shape as number[];
  const x = wave([batch, h, w, c], 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({length: batch}, (_, i) => [1, 3, 0, 2][i % 4]), 'int32'), 4).toFloat();
  const variables = model.trainableWeights.map(v => v.read() as tf.Variable);
  const {grads} = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, {training}) as tf.Tensor) as tf.Scalar, variables);
  const values = await Promise.all(variables.map(async v => Float32Array.from(await grads[v.name].data())));
  tf.dispose([x, y, ...Object.values(grads)]);
  model.dispose();
  return values;
}

/** sqrt(sum (a - b)^2 / sum b^2) over every weight of a model. */
export function normwiseError(ours: Float32Array[], reference: Float32Array[]): number {
  let diff2 = 0, norm2 = 0;
  reference.forEach((r, i) => r.forEach((v, j) => { diff2 += (ours[i][j] - v) ** 2; norm2 += v * v; }));
  return Math.sqrt(diff2 / norm2);
}

/**
 * One lab-scale network of each family, small enough for the cpu backend to
 * serve as the reference: [family, options, whether batch norm trains on
 * batch statistics]. Networks that end on 1x1 grids (the Inception family at
 * lab scale, the spectrum network at 12 px) are compared on moving
 * statistics: with batch statistics over four images of 1x1 the gradient is
 * so ill-conditioned that the cpu backend disagrees with itself by 3e-2 when
 * the input is scaled by 1 + 1e-6.
 */
export const LAB_GRADIENT_CASES: ReadonlyArray<{family: string; options: Record<string, unknown>; training: boolean}> = [
  {family: 'mobilenet_v1', options: {resolution: 16, channels: 1, classes: 4, width: 0.25, stemStride: 1, depth: 4}, training: true},
  {family: 'mobilenet_v1', options: {resolution: 16, channels: 3, classes: 4, width: 0.25, stemStride: 2, depth: 3, convolution: 'full'}, training: true},
  {family: 'mobilenet_v2', options: {resolution: 16, channels: 1, classes: 4, width: 0.35, stemStride: 1, stages: 3}, training: true},
  {family: 'mobilenet_v3', options: {resolution: 32, channels: 1, classes: 4, width: 0.35, stemStride: 1, size: 'small'}, training: true},
  {family: 'condensenet', options: {resolution: 8, channels: 1, classes: 4, stages: [2, 2], growth: [4, 8], groups3x3: 2}, training: true},
  {family: 'xception_spectrum', options: {resolution: 12, channels: 1, classes: 4, width: 0.25, segments: 4, between: 'relu', modulesPerStage: 1},
   training: false},
  // Dropout off: its random masks would differ between backends.
  {family: 'xception', options: {resolution: 33, channels: 1, classes: 4, width: 0.25, middleBlocks: 1, dropout: 0}, training: false},
  {family: 'inception_v1', options: {resolution: 32, channels: 1, classes: 4, dropout: 0}, training: false},
  {family: 'inception_v2', options: {resolution: 32, channels: 1, classes: 4, dropout: 0}, training: false},
];
