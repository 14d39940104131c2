/** Gradient comparisons between backends, shared by the engine tests. */
import * as tf from '@tensorflow/tfjs';

import {buildModel} from '../../lib/models';
import {seedWeights} from '../../lib/train/seed';

/** Deterministic, non-symmetric test values (no RNG: same on every backend). */
export function wave(shape: number[], phase: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({length: size}, (_, i) => Math.sin(i * 0.37 + phase) + 0.1 * Math.cos(i * 1.3)), shape);
}

/** ||a - b||_inf / ||b||_inf, the error measure the issue specifies. */
export function relativeError(a: Float32Array | number[], b: Float32Array | number[]): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Runs `fn` on a backend and returns the gradients of each input as arrays. */
export async function gradsOn(
    backend: string, fn: (...xs: tf.Tensor[]) => tf.Scalar, inputs: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const xs = inputs();
  const grads = tf.grads(fn)(xs);
  const values = grads.map(g => g.dataSync() as Float32Array).map(v => Float32Array.from(v));
  tf.dispose([...xs, ...grads]);
  return values;
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

/**
 * The worst per-weight error of a model's gradients: each weight's largest
 * difference relative to that weight's gradient, but never to less than
 * 1e-3 of the model's largest. Some gradients are zero in exact arithmetic
 * (the beta of a batch norm whose output feeds another batch norm, which
 * removes any constant shift), and their float32 residue has no relative error.
 */
export function worstWeightError(ours: Float32Array[], reference: Float32Array[]): {error: number; weight: number} {
  const largest = (r: Float32Array) => r.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const modelScale = Math.max(...reference.map(largest));
  const errors = reference.map((r, i) => {
    const scale = Math.max(largest(r), 1e-3 * modelScale);
    return ours[i].reduce((m, v, j) => Math.max(m, Math.abs(v - r[j])), 0) / scale;
  });
  const error = Math.max(...errors);
  return {error, weight: errors.indexOf(error)};
}

/** sqrt(sum (a - b)^2 / sum b^2) over every weight of a model. */
export function normwiseError(ours: Float32Array[], reference: Float32Array[]): number {
  let diff2 = 0, norm2 = 0;
  reference.forEach((r, i) => r.forEach((v, j) => { diff2 += (ours[i][j] - v) ** 2; norm2 += v * v; }));
  return Math.sqrt(diff2 / norm2);
}
