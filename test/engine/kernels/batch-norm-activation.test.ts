/**
 * Batch norm with the activation after it in its own kernels
 * (packages/tfjs-backend-wasm-train/src/kernels/batch-norm.ts, `activation`):
 * the same bits as batch norm followed by TF.js's Relu or Relu6, forward
 * and in every gradient, on each path (wasm SIMD, wasm's JavaScript loops,
 * cpu), with the band's edges and its masked gradient exercised.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../../lib/engine';
import {wave} from '../../../lib/bench/gradients';
import {FusedActivation, batchNormTrain, withoutChannelSumsBy8} from '../../../packages/tfjs-backend-wasm-train/src/kernels/batch-norm';
import {withoutSimdKernels} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';

const ACTIVATIONS: ReadonlyArray<[string, FusedActivation, (t: tf.Tensor) => tf.Tensor]> = [
  ['ReLU', {low: 0, high: Infinity}, t => tf.relu(t)],
  ['ReLU6', {low: 0, high: 6}, t => tf.relu6(t)],
];

/** y, then the gradients for x, gamma and beta of sum(y * w), with the activation fused or applied after. */
function outputAndGradients(shape: number[], activation: FusedActivation, after: (t: tf.Tensor) => tf.Tensor, fused: boolean): Float32Array[] {
  return tf.tidy(() => {
    const channels = shape[shape.length - 1];
    const x = wave(shape, 2).mul(3).add(1);
    // A gamma of up to 6 puts outputs past ReLU6's top edge as well as below 0.
    const gamma = wave([channels], 7).mul(4).add(2) as tf.Tensor1D, beta = wave([channels], 8) as tf.Tensor1D;
    const weights = wave(shape, 11);
    const forward = (input: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const {y} = fused ? batchNormTrain(input, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3, undefined, activation) :
          batchNormTrain(input, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3);
      return fused ? y : after(y);
    };
    const y = forward(x, gamma, beta);
    const grads = tf.grads((input, g, b) => forward(input, g, b).mul(weights).sum())([x, gamma, beta]);
    return [y, ...grads].map(t => Float32Array.from(t.dataSync()));
  });
}

describe('batch norm with its activation in the same kernels', () => {
  before(async () => { await initEngine('wasm'); });
  after(async () => { await tf.setBackend('wasm'); });

  // 16 and 24: sums 8 channels at a time; 6 and 13: 4 at a time with a tail; 3: the tail only.
  const SHAPES = [[2, 3, 5, 16], [3, 7, 5, 24], [3, 5, 4, 6], [2, 4, 3, 13], [4, 3, 3, 3]];
  const PATHS: ReadonlyArray<[string, string, <T>(body: () => Promise<T>) => Promise<T>]> = [
    ['wasm SIMD', 'wasm', body => body()],
    ['wasm SIMD, sums 4 channels at a time', 'wasm', body => withoutChannelSumsBy8(body)],
    ['wasm JavaScript loops', 'wasm', body => withoutSimdKernels(body)],
    ['cpu', 'cpu', body => body()],
  ];
  for (const [path, backend, around] of PATHS) {
    for (const [name, activation, after] of ACTIVATIONS) {
      it(`${name} on ${path}: the output and the gradients for x, gamma and beta are batch norm's then ${name}'s, bit for bit`, async () => {
        await tf.setBackend(backend);
        for (const shape of SHAPES) {
          const [separate, fused] = await around(async () =>
              [outputAndGradients(shape, activation, after, false), outputAndGradients(shape, activation, after, true)]);
          ['y', 'dx', 'dgamma', 'dbeta'].forEach((what, i) =>
              assert.deepEqual(Array.from(fused[i]), Array.from(separate[i]), `${what}, x [${shape}]`));
          const y = separate[0];
          assert.ok(y.some(v => v === 0) && y.some(v => v > 0), `x [${shape}]: outputs on both sides of the band's low edge`);
          if (activation.high === 6) assert.ok(y.some(v => v === 6), `x [${shape}]: outputs clamped at 6`);
        }
      });
    }
  }

  it('refuses a band whose low edge is not below its high edge, naming both', async () => {
    await tf.setBackend('wasm');
    const x = wave([2, 2, 2, 4], 1), gamma = tf.ones([4]) as tf.Tensor1D, beta = tf.zeros([4]) as tf.Tensor1D;
    assert.throws(() => batchNormTrain(x, gamma, beta, 1e-3, undefined, {low: 6, high: 0}), /low < high, got \[6, 0\]/);
    tf.dispose([x, gamma, beta]);
  });
});
