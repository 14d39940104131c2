/**
 * ReLU, ReLU6 and ClipByValue on wasm with the lab's kernel
 * (packages/tfjs-backend-wasm-train/src/kernels/clamp.ts) against the cpu
 * backend, bit for bit (any NaN for NaN, -0 for +0): both SIMD lanes and the scalar tail, the edges, NaN,
 * infinities and -0.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../../lib/engine';
import {wave} from '../../../lib/bench/gradients';

const SPECIAL = [NaN, -0, 0, -1e-7, 1e-7, 6, 6 + 1e-6, -0.5, 3, Infinity, -Infinity, -3];

/**
 * Each element's float32 bits with -0 read as +0 (ReLU keeps -0 where cpu
 * gives +0: equal as numbers), every NaN as 'NaN' (its sign and payload mean nothing).
 */
function bits(t: tf.Tensor): Array<number | 'NaN'> {
  const values = Float32Array.from(t.dataSync(), v => v + 0);
  return Array.from(new Uint32Array(values.buffer), (b, i) => Number.isNaN(values[i]) ? 'NaN' : b);
}

const OPS: Array<[string, (x: tf.Tensor) => tf.Tensor]> = [
  ['Relu', x => tf.relu(x)],
  ['Relu6', x => tf.relu6(x)],
  ['ClipByValue [-0.5, 3]', x => tf.clipByValue(x, -0.5, 3)],
];

describe('clipped activations on wasm: the lab\'s one pass', () => {
  before(async () => { await initEngine('wasm'); });
  after(async () => initEngine('wasm'));

  async function onBoth(op: (x: tf.Tensor) => tf.Tensor, values: Float32Array, shape: number[]): Promise<Array<Array<number | 'NaN'>>> {
    await tf.setBackend('cpu');
    const expected = bits(op(tf.tensor(values, shape)));
    await tf.setBackend('wasm');
    return [bits(op(tf.tensor(values, shape))), expected];
  }

  for (const [name, op] of OPS) {
    it(`${name} equals cpu's bit for bit, from 1 to 4,099 elements and on a [8, 14, 14, 32] activation`, async () => {
      for (const size of [1, 3, 4, 5, SPECIAL.length, 4099]) {
        const values = Float32Array.from({length: size}, (_, i) => i < SPECIAL.length ? SPECIAL[i] : 8 * Math.sin(i * 0.37));
        const [ours, expected] = await onBoth(op, values, [size]);
        assert.deepEqual(ours, expected, `${size} elements`);
      }
      const activation = wave([8, 14, 14, 32], 2).mul(4);
      const [ours, expected] = await onBoth(op, activation.dataSync() as Float32Array, activation.shape);
      assert.deepEqual(ours, expected);
    });
  }

  it('ReLU6 and ClipByValue pass NaN through, where stock wasm gave 0 and the lower bound', async () => {
    const nan = tf.tensor1d([NaN, 1, NaN, 2, NaN]);
    assert.ok(Number.isNaN(tf.relu6(nan).dataSync()[4]));
    assert.ok(Number.isNaN(tf.clipByValue(nan, -0.5, 3).dataSync()[0]));
  });

  it('int32 tensors keep the stock kernel', () => {
    assert.deepEqual(Array.from(tf.relu(tf.tensor1d([3, -2, 0], 'int32')).dataSync()), [3, 0, 0]);
  });
});
