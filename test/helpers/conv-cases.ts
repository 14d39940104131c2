/**
 * A convolution case the kernel tests run on several backends and routes
 * (test/engine/kernels/direct-conv.test.ts, winograd-conv.test.ts): the
 * fused forward pass and both gradients, from deterministic inputs.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {wave} from '../../lib/bench/gradients';
import {relativeError} from './gradients';

export interface ConvCase {
  batch: number; size: [number, number]; inChannels: number; outChannels: number;
  kernel: [number, number]; strides: [number, number]; padding: 'same' | 'valid';
  bias: boolean; activation: 'linear' | 'relu';
}

export function describeConvCase(c: ConvCase): string {
  return `${c.batch}x${c.size.join('x')}x${c.inChannels} -> ${c.outChannels}, ${c.kernel.join('x')}, stride ${c.strides.join('/')}, ` +
         `${c.padding}${c.bias ? ', bias' : ''}${c.activation === 'relu' ? ', ReLU' : ''}`;
}

/** The fused forward pass (bias, activation), and the gradients of a probe-weighted sum of the linear convolution. */
export async function convOutputsOn(backend: string, c: ConvCase): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = wave([c.batch, ...c.size, c.inChannels], 1) as tf.Tensor4D;
    const w = wave([...c.kernel, c.inChannels, c.outChannels], 2) as tf.Tensor4D;
    const b = c.bias ? wave([c.outChannels], 3) as tf.Tensor1D : undefined;
    // Outside a gradient tf.fused.conv2d keeps bias and activation fused: FusedConv2D.
    const y = tf.fused.conv2d({x, filter: w, strides: c.strides, pad: c.padding, bias: b, activation: c.activation});
    const loss = (xx: tf.Tensor, ww: tf.Tensor) => {
      const z = tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.strides, c.padding);
      return z.mul(wave(z.shape, 4)).sum() as tf.Scalar;
    };
    const [dx, dw] = tf.grads(loss)([x, w]);
    return [y, dx, dw].map(t => Float32Array.from(t.dataSync()));
  });
}

/**
 * Runs `c` on cpu and on each of `runs` (a name, and how it computes the
 * case's outputs), and asserts each run's output and gradients equal cpu's
 * to 1e-5 relative error.
 */
export async function expectRunsEqualCpu(c: ConvCase, runs: Array<[string, () => Promise<Float32Array[]>]>): Promise<void> {
  const reference = await convOutputsOn('cpu', c);
  for (const [where, run] of runs) {
    const ours = await run();
    ['output', 'input gradient', 'filter gradient'].forEach((what, i) =>
        assert.ok(relativeError(ours[i], reference[i]) < 1e-5, `${what} on ${where}: ${relativeError(ours[i], reference[i])}`));
  }
}
