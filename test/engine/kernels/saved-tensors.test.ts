/**
 * The engine's clones of the tensors gradients save, on wasm
 * (packages/tfjs-backend-wasm-train/src/kernels/identity.ts,
 * `shareSavedTensors`): no Identity kernel call, the same gradients and
 * the same memory as TF.js's own clones, and TF.js's own clones wherever
 * a gradient is itself differentiated.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {initEngine} from '../../../lib/engine';
import {wave} from '../../../lib/bench/gradients';
import {withStockClones} from '../../../packages/tfjs-backend-wasm-train/src/kernels/identity';
import {relativeError} from '../../helpers/gradients';

/** A small convolutional step's loss: a fused convolution (bias, ReLU), a product, a square (each saves what its gradient needs). */
function loss(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D): tf.Scalar {
  const y = tf.fused.conv2d({x, filter, bias, strides: 1, pad: 'same', activation: 'relu'});
  return y.mul(wave(y.shape, 4)).square().sum();
}

const inputs = () => [wave([2, 6, 6, 4], 1) as tf.Tensor4D, wave([3, 3, 4, 8], 2) as tf.Tensor4D, wave([8], 3) as tf.Tensor1D];

/** Gradients of `loss` with respect to its three inputs, the Identity calls the step made, and the tensors it left behind. */
async function gradientsOn(backend: string): Promise<{grads: Float32Array[]; identities: number; leaked: number}> {
  await tf.setBackend(backend);
  const xs = inputs();
  const before = tf.memory().numTensors;
  let grads: Float32Array[] = [];
  const profile = await tf.profile(() => {
    const computed = tf.grads((x, filter, bias) => loss(x as tf.Tensor4D, filter as tf.Tensor4D, bias as tf.Tensor1D))(xs);
    grads = computed.map(g => Float32Array.from(g.dataSync()));
    tf.dispose(computed);
  });
  const leaked = tf.memory().numTensors - before;
  tf.dispose(xs);
  return {grads, identities: profile.kernels.filter(k => k.name === 'Identity').length, leaked};
}

describe('saved tensors shared on wasm', function () {
  this.timeout(60_000);
  before(async () => { await initEngine('wasm'); });
  after(async () => { await tf.setBackend('wasm'); });

  it('a gradient saves its tensors without Identity calls, with the gradients and memory of TF.js\'s own clones', async () => {
    const reference = await gradientsOn('cpu');
    const shared = await gradientsOn('wasm');
    const stock = await withStockClones(() => gradientsOn('wasm'));
    assert.equal(shared.identities, 0, 'no Identity kernel ran for the saved tensors');
    assert.ok(stock.identities >= 4, `TF.js's own clones run Identity (${stock.identities} calls)`);
    for (const [where, run] of [['shared', shared], ['stock', stock]] as const) {
      run.grads.forEach((g, i) => assert.ok(relativeError(g, reference.grads[i]) < 1e-5, `${where}, gradient ${i}: ${relativeError(g, reference.grads[i])}`));
      assert.equal(run.leaked, 0, `${where}: every saved tensor was freed`);
    }
  });

  it('a saved tensor shares its source\'s memory and outlives it', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const bytesBefore = tf.memory().numBytes;
    const x = wave([64], 5);
    const received: tf.Tensor[] = [];
    // tf.customGrad saves through the engine's clone; the clone is what the backward function receives.
    const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [a, save] = args as [tf.Tensor, tf.GradSaveFunc];
      save([a]);
      return {value: a.square(), gradFunc: (dy: tf.Tensor | tf.Tensor[], [kept]: tf.Tensor[]) => {
        received.push(kept);
        return (dy as tf.Tensor).mul(kept).mul(2);
      }};
    });
    const g = tf.grad(a => f(a).sum())(x);
    assert.equal(received.length, 1);
    assert.equal(backend.getMemoryOffset(received[0].dataId), backend.getMemoryOffset(x.dataId), 'no copy was made');
    const expected = Array.from(x.dataSync(), v => 2 * v);
    x.dispose();
    assert.deepEqual(Array.from(g.dataSync()), Array.from(Float32Array.from(expected)));
    g.dispose();
    assert.equal(tf.memory().numBytes, bytesBefore, 'freed once the gradient and its source are gone');
  });

  it('a gradient of a gradient keeps TF.js\'s own clones, so it still reaches through what the inner gradient saved', async () => {
    const secondDerivative = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = wave([32], 6);
        // d/dx sum(d/dx sum(x^3)) = d/dx sum(3 x^2) = 6 x: the inner gradient multiplies saved copies of x.
        const inner = (v: tf.Tensor) => tf.grad(u => u.mul(u).mul(u).sum())(v).sum();
        return Float32Array.from(tf.grad(inner)(x).dataSync());
      });
    };
    const [ours, reference] = [await secondDerivative('wasm'), await secondDerivative('cpu')];
    const exact = Float32Array.from(wave([32], 6).dataSync(), v => 6 * v);
    assert.ok(relativeError(reference, exact) < 1e-5, 'cpu computes 6x');
    assert.ok(relativeError(ours, reference) < 1e-5, `wasm: ${relativeError(ours, reference)}`);
  });
});
