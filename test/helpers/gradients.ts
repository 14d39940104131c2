/**
 * Gradient comparisons only the tests make (lib/bench/gradients.ts keeps
 * what `cnnlab bench gpu` shares with them): error measures and gradients
 * of a function on a named backend.
 */
import * as tf from '@tensorflow/tfjs';

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
