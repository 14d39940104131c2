/** Gradient comparisons between backends, shared by the engine tests. */
import * as tf from '@tensorflow/tfjs';

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
