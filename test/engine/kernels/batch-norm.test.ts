/**
 * The fused training batch norm against TF.js's own layer: same output, same
 * gradients for x, gamma and beta, same moving statistics, on cpu and wasm.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {initEngine} from '../../../lib/engine';
import {batchNormTrain, batchNormTrainSupported, withoutChannelSumsBy8} from '../../../packages/tfjs-backend-wasm-train/src/kernels/batch-norm';
import {simdKernels} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';
import {labBatchNormalization} from '../../../lib/layers';
import {wave} from '../../../lib/bench/gradients';
import {relativeError} from '../../helpers/gradients';

interface Outcome {y: Float32Array; grads: Float32Array[]; movingMean: Float32Array; movingVariance: Float32Array}

async function runLayer(backend: string, fused: boolean, shape: number[]): Promise<Outcome> {
  const channels = shape[shape.length - 1];
  await tf.setBackend(backend);
  const make = fused ? labBatchNormalization : tf.layers.batchNormalization;
  const layer = make({epsilon: 1e-3, momentum: 0.9, gammaInitializer: 'ones'});
  const x = wave(shape, 2).mul(3).add(1);
  layer.build(x.shape);
  // Non-trivial gamma and beta, identical on both paths.
  layer.setWeights([wave([channels], 7).add(1.5), wave([channels], 8), tf.zeros([channels]), tf.ones([channels])]);
  // dy = weights uncorrelated with x: a head like sum(y^2) makes the true dx
  // nearly cancel out (it is proportional to epsilon), which tests nothing.
  const weights = wave(x.shape, 11);
  const head = (y: tf.Tensor) => y.mul(weights).sum() as tf.Scalar;
  const [gamma, beta] = layer.trainableWeights.map(w => w.read());
  const y = layer.apply(x, {training: true}) as tf.Tensor;
  const {grads} = tf.variableGrads(() => head(layer.apply(x, {training: true}) as tf.Tensor), layer.trainableWeights.map(w => w.read() as tf.Variable));
  const dx = tf.grad(input => head(layer.apply(input, {training: true}) as tf.Tensor))(x);
  const [, , movingMean, movingVariance] = layer.getWeights();
  const result = {
    y: Float32Array.from(y.dataSync()),
    grads: [dx, ...Object.values(grads)].map(g => Float32Array.from(g.dataSync())),
    movingMean: Float32Array.from(movingMean.dataSync()),
    movingVariance: Float32Array.from(movingVariance.dataSync()),
  };
  tf.dispose([x, y, dx, gamma, beta, weights, ...Object.values(grads)]);
  return result;
}

/**
 * The exact gradient in float64, from the formula in packages/tfjs-backend-wasm-train/src/kernels/batch-norm.ts
 * derived independently: an oracle free of float32 cancellation.
 */
function float64Reference(x: Float64Array, dy: Float64Array, channels: number, gamma: Float64Array, beta: Float64Array,
                          epsilon: number) {
  const count = x.length / channels;
  const mean = new Float64Array(channels), variance = new Float64Array(channels);
  x.forEach((v, i) => { mean[i % channels] += v / count; });
  x.forEach((v, i) => { variance[i % channels] += (v - mean[i % channels]) ** 2 / count; });
  const invStd = variance.map(v => 1 / Math.sqrt(v + epsilon));
  const xHat = x.map((v, i) => (v - mean[i % channels]) * invStd[i % channels]);
  const y = xHat.map((v, i) => v * gamma[i % channels] + beta[i % channels]);
  const dbeta = new Float64Array(channels), dgamma = new Float64Array(channels);
  dy.forEach((g, i) => { dbeta[i % channels] += g; dgamma[i % channels] += g * xHat[i]; });
  const dx = dy.map((g, i) => {
    const c = i % channels;
    return gamma[c] * invStd[c] / count * (count * g - dbeta[c] - xHat[i] * dgamma[c]);
  });
  return {y, dx, dgamma, dbeta};
}

describe('fused training batch norm', () => {
  before(async () => { await initEngine('wasm'); });

  // 6 channels: one group of 4 SIMD lanes and a tail of 2; 16: lanes only (and 8 at a time); 3: tail only;
  // 24 over 105 rows: sums 8 channels at a time over three blocks of 32 rows and a last of 9;
  // 13: the affine passes' 8 channels a step, then 4, then one.
  const SHAPES = [[3, 5, 4, 6], [2, 3, 5, 16], [4, 3, 3, 3], [3, 7, 5, 24], [2, 4, 3, 13]];
  for (const backend of ['cpu', 'wasm']) {
    for (const shape of SHAPES) {
      it(`equals the float64 gradient and TF.js's layer on ${backend}, x [${shape}]: output, dx, dgamma, dbeta, moving statistics`, async () => {
        await tf.setBackend(backend);
        assert.ok(batchNormTrainSupported(), `${backend} has the fused kernels`);
        if (backend === 'wasm') assert.ok(simdKernels(tf.backend() as BackendWasm) != null, 'the wasm SIMD kernels are loaded');
        const channels = shape[shape.length - 1];
        const reference = await runLayer('cpu', false, shape);
        const fused = await runLayer(backend, true, shape);
        await tf.setBackend('cpu');
        const exact = float64Reference(Float64Array.from(wave(shape, 2).mul(3).add(1).dataSync()),
            Float64Array.from(wave(shape, 11).dataSync()), channels,
            Float64Array.from(wave([channels], 7).add(1.5).dataSync()), Float64Array.from(wave([channels], 8).dataSync()), 1e-3);
        const toF32 = (a: Float64Array) => Float32Array.from(a);
        assert.ok(relativeError(fused.y, toF32(exact.y)) < 1e-5, `output: ${relativeError(fused.y, toF32(exact.y))}`);
        const [dx, dgamma, dbeta] = fused.grads;
        assert.ok(relativeError(dx, toF32(exact.dx)) < 1e-5, `dx: ${relativeError(dx, toF32(exact.dx))}`);
        assert.ok(relativeError(dgamma, toF32(exact.dgamma)) < 1e-5, 'dgamma');
        assert.ok(relativeError(dbeta, toF32(exact.dbeta)) < 1e-5, 'dbeta');
        fused.grads.forEach((g, i) => assert.ok(relativeError(g, reference.grads[i]) < 1e-5, `gradient ${i} vs TF.js`));
        // Three training-mode calls each update the moving averages.
        assert.ok(relativeError(fused.movingMean, reference.movingMean) < 1e-5, 'moving mean');
        assert.ok(relativeError(fused.movingVariance, reference.movingVariance) < 1e-5, 'moving variance');
      });
    }
  }

  it('sums 8 channels at a time (channelSumsBy8) to the same bits as channelSums, on wasm', async () => {
    for (const shape of [[2, 3, 5, 16], [3, 7, 5, 24], [4, 11, 10, 8]]) {
      const byEight = await runLayer('wasm', true, shape);
      const byFour = await withoutChannelSumsBy8(() => runLayer('wasm', true, shape));
      for (const [name, ours, theirs] of [['output', byEight.y, byFour.y], ['moving mean', byEight.movingMean, byFour.movingMean],
                                         ['moving variance', byEight.movingVariance, byFour.movingVariance],
                                         ...byEight.grads.map((g, i) => [`gradient ${i}`, g, byFour.grads[i]!] as const)] as const) {
        assert.deepEqual(Array.from(ours), Array.from(theirs), `${name}, x [${shape}]`);
      }
    }
  });

  for (const backend of ['cpu', 'wasm']) {
    it(`updates the moving averages in its own kernel call, bit for bit as TF.js's Sub, Multiply and Sub would, on ${backend}; the layer leaks no tensor`, async () => {
      await tf.setBackend(backend);
      const channels = 6;
      const x = wave([2, 3, 4, channels], 2).mul(3).add(1);
      const gamma = wave([channels], 7).add(1.5) as tf.Tensor1D, beta = wave([channels], 8) as tf.Tensor1D;
      const movingMean = wave([channels], 4) as tf.Tensor1D, movingVariance = wave([channels], 5).abs().add(0.5) as tf.Tensor1D;
      const result = batchNormTrain(x, gamma, beta, 1e-3, {mean: movingMean, variance: movingVariance, momentum: 0.9});
      for (const [name, old, batch, updated] of [['mean', movingMean, result.mean, result.movingMean],
                                                  ['variance', movingVariance, result.variance, result.movingVariance]] as const) {
        const expected = old.sub(old.sub(batch).mul(1 - 0.9));
        assert.deepEqual(Array.from(updated!.dataSync()), Array.from(expected.dataSync()), `moving ${name}`);
      }
      const layer = labBatchNormalization({momentum: 0.9});
      layer.build(x.shape);
      tf.dispose(layer.apply(x, {training: true}) as tf.Tensor);
      const before = tf.memory().numTensors;
      tf.dispose(layer.apply(x, {training: true}) as tf.Tensor);
      assert.equal(tf.memory().numTensors, before, 'tensors after a second training call');
    });
  }

  it('is TF.js\'s own layer at inference and keeps its class name', async () => {
    await tf.setBackend('cpu');
    const layer = labBatchNormalization({});
    assert.equal(layer.getClassName(), 'BatchNormalization');
    const x = wave([2, 3, 3, 4], 1);
    const y = layer.apply(x) as tf.Tensor;
    // Fresh moving statistics (0, 1): inference is x / sqrt(1 + eps).
    assert.ok(relativeError(y.dataSync() as Float32Array, x.div(Math.sqrt(1 + 1e-3)).dataSync() as Float32Array) < 1e-6);
  });
});
