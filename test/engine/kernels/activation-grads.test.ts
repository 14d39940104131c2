/**
 * The fused gradients of ClipByValue, Relu6 and Relu (packages/tfjs-backend-wasm-train/src/kernels/activation-grads.ts)
 * against the masks computed directly with element-wise ops, on the band's
 * edges included, on cpu and wasm; and that the fused kernel is what runs.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../../lib/engine';
import {wave} from '../../../lib/bench/gradients';

// Every interesting point: below, at and between the edges, beyond the top.
const EDGES = [-3, -1e-7, 0, 1e-7, 2.5, 6 - 1e-6, 6, 6 + 1e-6, 9];

function inputs(): {x: tf.Tensor; dy: tf.Tensor} {
  const x = tf.concat([tf.tensor1d(EDGES), wave([200], 3).mul(8).add(2)]);
  return {x, dy: wave(x.shape, 5).add(0.5)};
}

/** Values with -0 read as 0 (relu's gradient multiplies by a 0 step). */
function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync(), v => v + 0);
}

async function kernelsOf(f: () => tf.Tensor): Promise<string[]> {
  const info = await tf.profile(() => f());
  return info.kernels.map(k => k.name);
}

for (const backend of ['cpu', 'wasm']) {
  describe(`clipped activation gradients on ${backend}`, () => {
    before(async () => {
      await initEngine('wasm');  // registers the gradients
      await tf.setBackend(backend);
    });
    after(async () => initEngine('wasm'));

    it('ClipByValue: dy where lo <= x <= hi (edges included), 0 elsewhere', async () => {
      const {x, dy} = inputs();
      const grad = tf.grad(v => tf.clipByValue(v, 0, 6).mul(dy).sum() as tf.Scalar);
      const inBand = tf.logicalAnd(tf.greaterEqual(x, 0), tf.lessEqual(x, 6));
      const expected = tf.where(inBand, dy, tf.zerosLike(dy));
      assert.deepEqual(values(grad(x)), values(expected));
      assert.ok((await kernelsOf(() => grad(x))).includes('LabBandGrad'), 'the fused kernel ran');
    });

    it('Relu6: dy where 0 < x <= 6, 0 elsewhere', async () => {
      const {x, dy} = inputs();
      const grad = tf.grad(v => tf.relu6(v).mul(dy).sum() as tf.Scalar);
      const inBand = tf.logicalAnd(tf.greater(x, 0), tf.lessEqual(x, 6));
      const expected = tf.where(inBand, dy, tf.zerosLike(dy));
      assert.deepEqual(values(grad(x)), values(expected));
      assert.ok((await kernelsOf(() => grad(x))).includes('LabBandGrad'), 'the fused kernel ran');
    });

    it('Relu: dy where x > 0, 0 elsewhere (also far above 6), and NaN gives 0', async () => {
      const {x, dy} = inputs();
      const wide = tf.concat([x, tf.tensor1d([1e30, NaN])]), dyWide = tf.concat([dy, tf.tensor1d([2, 3])]);
      const grad = tf.grad(v => tf.relu(v).mul(dyWide).sum() as tf.Scalar);
      const expected = tf.where(tf.greater(wide, 0), dyWide, tf.zerosLike(dyWide));
      assert.deepEqual(values(grad(wide)), values(expected));
      assert.ok((await kernelsOf(() => grad(wide))).includes('LabBandGrad'), 'the fused kernel ran');
    });

    it("Keras's reLU({maxValue: 6}) layer: the same gradient as the direct mask", () => {
      const {x, dy} = inputs();
      const layer = tf.layers.reLU({maxValue: 6});
      const grad = tf.grad(v => (layer.apply(v) as tf.Tensor).mul(dy).sum() as tf.Scalar);
      const inBand = tf.logicalAnd(tf.greater(x, 0), tf.lessEqual(x, 6));
      const expected = tf.where(inBand, dy, tf.zerosLike(dy));
      assert.deepEqual(values(grad(x)), values(expected));
    });
  });
}
