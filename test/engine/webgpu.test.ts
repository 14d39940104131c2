/**
 * The `webgpu` engine (Dawn through npm `webgpu`) on whatever Vulkan device
 * is there: in CI, Mesa's software rasteriser lavapipe (Debian
 * bookworm-backports' Mesa 25; Debian 12's Mesa 22.3 is refused by Dawn).
 * Whole-model gradients must equal the cpu backend's, and `cnnlab train
 * --backend webgpu` must train. Skipped, saying why, without an adapter.
 *
 * WebGPU reads back asynchronously: the helpers use `await data()`, never
 * dataSync(), and build each model's tensors on the backend that uses them.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../lib/engine';
import {buildModel} from '../../lib/models';
import {seedWeights} from '../../lib/train';
import {runCli, tempDir} from '../helpers/cli';

async function gradients(backend: string, family: string, options: Record<string, unknown>, training: boolean): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const model = buildModel(family, options);
  seedWeights(model, 3);
  const [, h, w, c] = model.inputs[0].shape as number[];
  const batch = 8;
  const x = tf.tidy(() => tf.sin(tf.range(0, batch * h * w * c).mul(0.37)).reshape([batch, h, w, c]));
  const y = tf.oneHot(tf.tensor1d([1, 3, 0, 2, 1, 3, 0, 2], 'int32'), 4).toFloat();
  const variables = model.trainableWeights.map(v => v.read() as tf.Variable);
  const {grads} = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, {training}) as tf.Tensor) as tf.Scalar, variables);
  const values = await Promise.all(variables.map(async v => Float32Array.from(await grads[v.name].data())));
  tf.dispose([x, y, ...Object.values(grads)]);
  model.dispose();
  return values;
}

describe('webgpu engine', function () {
  this.timeout(240_000);
  let device = '';
  before(async function () {
    try {
      device = (await initEngine('webgpu')).device;
    } catch (error) {
      console.log(`      (skipped: ${(error as Error).message.split('\n')[0]})`);
      this.skip();
    }
  });
  after(async () => { await initEngine(); });

  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['mobilenet_v1', {resolution: 16, channels: 1, classes: 4, width: 0.25, stemStride: 1, depth: 4}, true],
    ['mobilenet_v2', {resolution: 16, channels: 1, classes: 4, width: 0.35, stemStride: 1, stages: 3}, true],
    ['condensenet', {resolution: 8, channels: 1, classes: 4, stages: '2-2', growth: '4-8', groups3x3: 2}, true],
    ['inception_v2', {resolution: 32, channels: 1, classes: 4, dropout: 0}, false],
  ];
  for (const [family, options, training] of cases) {
    it(`${family}: whole-model gradients equal cpu's`, async () => {
      const reference = await gradients('cpu', family, options, training);
      const ours = await gradients('webgpu', family, options, training);
      let diff2 = 0, norm2 = 0;
      reference.forEach((r, i) => r.forEach((v, j) => { diff2 += (ours[i][j] - v) ** 2; norm2 += v * v; }));
      const error = Math.sqrt(diff2 / norm2);
      assert.ok(error < 1e-4, `norm-wise relative error ${error} on ${device}`);
    });
  }

  it('cnnlab train --backend webgpu trains and records the device', async () => {
    const r = await runCli(['train', 'mobilenet_v1', '--resolution', '16', '--channels', '1', '--width', '0.25',
                            '--set', 'stemStride=1', '--set', 'depth=2', '--dataset', 'synthetic', '--limit', '128',
                            '--test-limit', '64', '--epochs', '1', '--batch', '32', '--backend', 'webgpu', '--json'],
                           {env: {LAB_RESULTS_DIR: tempDir('webgpu-results')}});
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(r.stdout);
    assert.equal(record.result.backend, 'webgpu');
    assert.equal(record.result.device, device);
    assert.ok(record.result.testAccuracy >= 0 && record.result.timing.trainImagesPerSecond > 0);
  });
});
