/**
 * Mean's gradient as one kernel (packages/tfjs-backend-wasm-train/src/kernels/mean-grad.ts)
 * against TF.js's own formula (dy reshaped, times ones, divided by the
 * count), bit for bit, on cpu and wasm: for a global average pool, a loss's
 * mean over the batch, leading and trailing axes, with and without kept
 * dimensions; the kernel runs where the axes are one run, and the formula
 * where they are not.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../../lib/engine';
import {wave} from '../../../lib/bench/gradients';
import {MEAN_GRAD} from '../../../packages/tfjs-backend-wasm-train/src/kernels/mean-grad';
import {blocksAroundAxes} from '../../../packages/tfjs-backend-wasm-train/src/kernels/reductions';

/** TF.js 4.22's gradient of Mean, written out (tfjs-core gradients/Mean_grad). */
function formula(x: tf.Tensor, dy: tf.Tensor, axes: number[]): tf.Tensor {
  const expanded = x.shape.map((d, i) => axes.includes(i) ? 1 : d);
  const count = axes.reduce((n, axis) => n * x.shape[axis], 1);
  return tf.div(tf.mul(tf.reshape(dy, expanded), tf.ones(x.shape, 'float32')), count);
}

/** dx of mean(x, axes, keepDims) for the upstream gradient dy, and the kernels that ran. */
async function gradient(x: tf.Tensor, dy: tf.Tensor, axes: number[], keepDims: boolean): Promise<{dx: Float32Array; kernels: string[]}> {
  let dx: tf.Tensor | null = null;
  const info = await tf.profile(() => {
    dx = tf.grad((v: tf.Tensor) => tf.mean(v, axes, keepDims))(x, dy);
    return dx;
  });
  const values = dx!.dataSync() as Float32Array;
  dx!.dispose();
  return {dx: values, kernels: info.kernels.map(k => k.name)};
}

const CASES: Array<{name: string; shape: number[]; axes: number[]; keepDims: boolean; kernel: boolean}> = [
  {name: 'a global average pool, mean over [1, 2] of NHWC', shape: [3, 7, 7, 10], axes: [1, 2], keepDims: false, kernel: true},
  {name: 'the same, dimensions kept', shape: [2, 5, 3, 8], axes: [1, 2], keepDims: true, kernel: true},
  {name: "a loss's mean over the batch", shape: [37], axes: [0], keepDims: false, kernel: true},
  {name: 'leading axes [0, 1, 2]', shape: [4, 3, 5, 6], axes: [0, 1, 2], keepDims: true, kernel: true},
  {name: 'the last axis', shape: [6, 11], axes: [1], keepDims: false, kernel: true},
  {name: 'axes [0, 2], not one run: TF.js\'s formula', shape: [4, 3, 5], axes: [0, 2], keepDims: false, kernel: false},
];

for (const backend of ['cpu', 'wasm']) {
  describe(`Mean's gradient on ${backend}`, () => {
    before(async () => {
      await initEngine('wasm');  // registers the gradient
      await tf.setBackend(backend);
    });
    after(async () => initEngine('wasm'));

    for (const c of CASES) {
      it(`${c.name}: the same bits as TF.js's formula${c.kernel ? ', in one kernel' : ''}`, async () => {
        const x = wave(c.shape, 3);
        const outShape = c.shape.map((d, i) => c.axes.includes(i) ? 1 : d).filter((d, i) => c.keepDims || !c.axes.includes(i));
        // Values whose quotients by counts such as 49 or 37 round: multiplying by a float32 1/count gives other bits.
        const dy = wave(outShape, 7).mul(1e3).add(0.1);
        const expected = tf.tidy(() => formula(x, dy, c.axes));
        const {dx, kernels} = await gradient(x, dy, c.axes, c.keepDims);
        assert.deepEqual(Array.from(dx), Array.from(expected.dataSync()));
        assert.equal(kernels.includes(MEAN_GRAD), c.kernel, `kernels: ${kernels.join(', ')}`);
        tf.dispose([x, dy, expected]);
      });
    }

    it('names the axes when the kernel is asked for ones that are not one run', () => {
      const dy = tf.zeros([4, 3]);
      assert.throws(() => tf.engine().runKernel(MEAN_GRAD, {dy}, {shape: [4, 3, 5], axes: [0, 2]}),
                    /axes \[0, 2\] are not one run of neighbouring axes of \[4, 3, 5\]/);
      assert.throws(() => tf.engine().runKernel(MEAN_GRAD, {dy}, {shape: [4, 3, 5], axes: [1]}), /dy has 12 values; .* has 20/);
      dy.dispose();
    });
  });
}

describe('blocksAroundAxes', () => {
  it('splits a shape into [outer, rows, cols] around one run of axes, and refuses others', () => {
    assert.deepEqual(blocksAroundAxes([64, 7, 7, 64], [2, 1]), [64, 49, 64]);
    assert.deepEqual(blocksAroundAxes([64], [0]), [1, 64, 1]);
    assert.equal(blocksAroundAxes([4, 3, 5], [0, 2]), null);
    assert.equal(blocksAroundAxes([4, 3, 5], []), null);
  });
});
