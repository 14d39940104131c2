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

import {initEngine} from '../../lib/engine';
import {TINY_TRAIN_ARGS, runCli, tempDir} from '../helpers/cli';
import {modelGradients, normwiseError} from './grad-helpers';

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
    ['condensenet', {resolution: 8, channels: 1, classes: 4, stages: [2, 2], growth: [4, 8], groups3x3: 2}, true],
    ['inception_v2', {resolution: 32, channels: 1, classes: 4, dropout: 0}, false],
  ];
  for (const [family, options, training] of cases) {
    it(`${family}: whole-model gradients equal cpu's`, async () => {
      const reference = await modelGradients('cpu', family, options, {batch: 8, training});
      const error = normwiseError(await modelGradients('webgpu', family, options, {batch: 8, training}), reference);
      assert.ok(error < 1e-4, `norm-wise relative error ${error} on ${device}`);
    });
  }

  it('cnnlab train --backend webgpu trains and records the device', async () => {
    const r = await runCli([...TINY_TRAIN_ARGS, '--backend', 'webgpu', '--json'],
                           {env: {LAB_RESULTS_DIR: tempDir('webgpu-results')}});
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(r.stdout);
    assert.equal(record.result.backend, 'webgpu');
    assert.equal(record.result.device, device);
    assert.ok(record.result.testAccuracy >= 0 && record.result.timing.trainImagesPerSecond > 0);
  });
});
