/**
 * The `webgpu` engine (Dawn through npm `webgpu`) on Mesa's software
 * rasteriser lavapipe, which `npm test` unpacks into .cache/vulkan/
 * (scripts/software-vulkan.cjs) without touching the system; Debian 12's own
 * Mesa 22.3 is refused by Dawn. Whole-model gradients must equal the cpu
 * backend's, and `cnnlab train --backend webgpu` must train. Each runs in a
 * process started with the driver's environment. Skipped, saying why,
 * where the driver cannot be had.
 */
import {strict as assert} from 'node:assert';
import {spawnSync} from 'node:child_process';
import * as path from 'node:path';

import {ROOT, TINY_TRAIN_ARGS, runCli, tempDir} from '../helpers/cli';

const {softwareVulkanEnv} = require('../../scripts/software-vulkan.cjs') as
    {softwareVulkanEnv(): {env?: NodeJS.ProcessEnv; reason?: string}};

const CASES = [
  {family: 'mobilenet_v1', options: {resolution: 16, channels: 1, classes: 4, width: 0.25, stemStride: 1, depth: 4}, training: true},
  {family: 'mobilenet_v2', options: {resolution: 16, channels: 1, classes: 4, width: 0.35, stemStride: 1, stages: 3}, training: true},
  {family: 'condensenet', options: {resolution: 8, channels: 1, classes: 4, stages: [2, 2], growth: [4, 8], groups3x3: 2}, training: true},
  {family: 'inception_v2', options: {resolution: 32, channels: 1, classes: 4, dropout: 0}, training: false},
];

describe('webgpu engine (software Vulkan)', function () {
  this.timeout(300_000);
  let env: NodeJS.ProcessEnv = {};
  let result: {device?: string; errors?: Record<string, number>; skip?: string} = {};

  before(function () {
    const vulkan = softwareVulkanEnv();
    if (vulkan.reason) {
      console.log(`      (skipped: ${vulkan.reason})`);
      this.skip();
    }
    env = vulkan.env!;
    const child = spawnSync(process.execPath, ['-r', 'tsx/cjs', path.join(ROOT, 'test', 'fixtures', 'webgpu-child.ts'), JSON.stringify(CASES)],
                            {cwd: ROOT, env: {...process.env, ...env}, encoding: 'utf8', timeout: 280_000});
    const last = child.stdout.trim().split('\n').pop() ?? '';
    assert.ok(last.startsWith('{'), `the webgpu process printed no result (exit ${child.status}):\n${child.stderr.slice(-3000)}`);
    result = JSON.parse(last);
    if (result.skip) {
      console.log(`      (skipped: ${result.skip})`);
      this.skip();
    }
  });

  for (const {family} of CASES) {
    it(`${family}: whole-model gradients equal cpu's`, () => {
      const error = result.errors![family];
      assert.ok(error < 1e-4, `norm-wise relative error ${error} on ${result.device}`);
    });
  }

  it('cnnlab train --backend webgpu trains and records the device', async () => {
    const r = await runCli([...TINY_TRAIN_ARGS, '--backend', 'webgpu', '--json'], {env: {...env, LAB_RESULTS_DIR: tempDir('webgpu-results')}});
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(r.stdout);
    assert.equal(record.result.backend, 'webgpu');
    assert.equal(record.result.device, result.device);
    assert.ok(record.result.testAccuracy >= 0 && record.result.timing.trainImagesPerSecond > 0);
  });
});
