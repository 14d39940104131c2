/**
 * Whole-model gradients on wasm (with the lab's kernels) against the stock
 * cpu backend, for one lab-scale model of each family: every kernel a
 * builder uses must exist and be right on wasm.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../lib/engine';
import {buildModel} from '../../lib/models';
import {seedWeights} from '../../lib/train';
import {relativeError, wave} from './grad-helpers';

const LAB_MODELS: ReadonlyArray<[string, Record<string, unknown>]> = [
  ['mobilenet_v1', {resolution: 16, channels: 1, classes: 4, width: 0.25, stemStride: 1, depth: 4}],
  ['mobilenet_v1', {resolution: 16, channels: 3, classes: 4, width: 0.25, stemStride: 2, depth: 3, convolution: 'full'}],
];

async function gradientsOn(backend: string, family: string, options: Record<string, unknown>): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const model = buildModel(family, options);
  seedWeights(model, 3);
  const [, h, w, c] = model.inputs[0].shape as number[];
  const x = wave([2, h, w, c], 1);
  const y = tf.oneHot(tf.tensor1d([1, 3], 'int32'), 4).toFloat();
  const {grads} = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, {training: true}) as tf.Tensor) as tf.Scalar);
  const names = Object.keys(grads).sort();
  const values = names.map(n => Float32Array.from(grads[n].dataSync()));
  tf.dispose([x, y, ...Object.values(grads)]);
  model.dispose();
  return values;
}

describe('whole-model gradients: wasm with lab kernels equals cpu', () => {
  before(async () => { await initEngine('wasm'); });
  for (const [family, options] of LAB_MODELS) {
    it(`${family} ${JSON.stringify(options)}`, async () => {
      const reference = await gradientsOn('cpu', family, options);
      const ours = await gradientsOn('wasm', family, options);
      assert.equal(ours.length, reference.length);
      const errors = reference.map((r, i) => relativeError(ours[i], r));
      const worst = Math.max(...errors);
      assert.ok(worst <= 1e-4, `worst relative error over ${errors.length} weights: ${worst}`);
    });
  }
});
