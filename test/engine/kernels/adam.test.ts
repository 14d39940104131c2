/**
 * The lab's Adam (packages/tfjs-backend-wasm-train/src/kernels/adam.ts): one kernel per variable must
 * give what tf.train.adam gives, step after step, on wasm with the SIMD
 * kernel, on wasm with the JavaScript loop and on cpu, and keep
 * AdamOptimizer's saved state.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../../lib/engine';
import {FusedAdamOptimizer} from '../../../packages/tfjs-backend-wasm-train/src/kernels/adam';
import {withoutSimdKernels} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';
import {wave} from '../../../lib/bench/gradients';
import {relativeError} from '../../helpers/gradients';

/** Variables of 7, 12 and 130 elements (a 4-lane tail, none, and a long run), trained `steps` steps on a fixed loss. */
async function trained(backend: string, optimizer: () => tf.Optimizer, steps: number): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const shapes = [[7], [3, 4], [10, 13]];
  const variables = shapes.map((shape, i) => tf.variable(wave(shape, i), true, `adam_test_${backend}_${i}_${Math.random()}`));
  const targets = shapes.map((shape, i) => wave(shape, i + 5).mul(3));
  const opt = optimizer();
  for (let s = 0; s < steps; s++) {
    // Gradients that change sign and size from step to step, so both moments matter.
    opt.minimize(() => tf.addN(variables.map((v, i) => v.sub(targets[i]).square().mul(1 + (s % 3)).sum())) as tf.Scalar);
  }
  const values = variables.map(v => Float32Array.from(v.dataSync()));
  tf.dispose([...variables, ...targets]);
  opt.dispose();
  return values;
}

describe('the lab\'s Adam: one kernel per variable', function () {
  this.timeout(60_000);
  before(() => initEngine('wasm'));

  for (const [label, backend, run] of [
    ['wasm, SIMD kernel', 'wasm', <T>(f: () => Promise<T>) => f()],
    ['wasm, JavaScript loop', 'wasm', withoutSimdKernels],
    ['cpu', 'cpu', <T>(f: () => Promise<T>) => f()],
  ] as const) {
    it(`${label}: 12 steps give tf.train.adam's variables to 1e-5`, async () => {
      const reference = await run(() => trained(backend, () => tf.train.adam(0.05), 12));
      const ours = await run(() => trained(backend, () => new FusedAdamOptimizer(0.05), 12));
      const start = await trained(backend, () => new FusedAdamOptimizer(0.05), 0);
      for (let i = 0; i < reference.length; i++) {
        assert.ok(relativeError(ours[i], reference[i]) < 1e-5, `variable ${i}: ${relativeError(ours[i], reference[i])}`);
        // The variables moved: a kernel that wrote nothing would fail here.
        assert.ok(relativeError(start[i], reference[i]) > 1e-2, `variable ${i} did not train`);
      }
    });
  }

  it('keeps AdamOptimizer\'s state: saved weights load into tf.train.adam and continue the same', async () => {
    await tf.setBackend('wasm');
    const v = tf.variable(wave([9], 1), true, `adam_state_${Math.random()}`);
    const ours = new FusedAdamOptimizer(0.05);
    for (let s = 0; s < 3; s++) ours.minimize(() => v.square().sum() as tf.Scalar);
    const saved = await ours.getWeights();
    assert.deepEqual(saved.map(w => w.name.replace(/^adam_state_[0-9.]+/, 'x')), ['iter', 'x/m', 'x/v']);
    const theirs = tf.train.adam(0.05);
    await theirs.setWeights(saved);
    const copy = tf.variable(v.clone(), true, `adam_state_copy_${Math.random()}`);
    // setWeights keeps the moments by position: the copy's gradient meets v's moments.
    ours.minimize(() => v.square().sum() as tf.Scalar);
    theirs.minimize(() => copy.square().sum() as tf.Scalar);
    assert.ok(relativeError(copy.dataSync() as Float32Array, v.dataSync() as Float32Array) < 1e-6);
    tf.dispose([v, copy]);
    ours.dispose();
    theirs.dispose();
  });
});
