/**
 * The opt-in `tensorflow` engine (tfjs-node built against PyPI's
 * tensorflow-cpu C library by scripts/setup-tensorflow.cjs): when it is
 * installed, whole-model gradients equal the cpu backend's and a lab model
 * trains through `cnnlab train --backend tensorflow`. Skipped, saying why,
 * where it is not installed (the default: it is a 230 MB download).
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {TINY_TRAIN_ARGS, runCli, tempDir} from '../helpers/cli';
import {modelGradients, normwiseError} from '../../lib/bench/gradients';

function tensorflowInstalled(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

describe('tensorflow engine (opt-in)', function () {
  this.timeout(240_000);
  let previous = '';
  before(function () {
    if (!tensorflowInstalled()) {
      console.log('      (skipped: @tensorflow/tfjs-node is not installed; npm run setup:tensorflow builds it)');
      this.skip();
    }
    previous = tf.getBackend();
    process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
    require('@tensorflow/tfjs-node');
  });
  after(async () => { if (previous) await tf.setBackend(previous); });

  for (const [family, options] of [
    ['mobilenet_v1', {resolution: 16, channels: 1, classes: 4, width: 0.25, stemStride: 1, depth: 4}],
    ['condensenet', {resolution: 8, channels: 1, classes: 4, stages: [2, 2], growth: [4, 8], groups3x3: 2}],
  ] as Array<[string, Record<string, unknown>]>) {
    it(`${family}: whole-model gradients equal cpu's`, async () => {
      const reference = await modelGradients('cpu', family, options, {batch: 8, training: true});
      const error = normwiseError(await modelGradients('tensorflow', family, options, {batch: 8, training: true}), reference);
      assert.ok(error < 1e-4, `norm-wise relative error ${error}`);
    });
  }

  it('cnnlab train --backend tensorflow trains and records the backend', async () => {
    const r = await runCli([...TINY_TRAIN_ARGS, '--backend', 'tensorflow', '--json'],
                           {env: {LAB_RESULTS_DIR: tempDir('tf-results')}});
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(r.stdout);
    assert.equal(record.result.backend, 'tensorflow');
    assert.match(record.result.device, /TensorFlow C library/);
    assert.ok(record.result.testAccuracy >= 0);
  });

  it('auto passes the CPU-only build by for wasm, which trains faster here; LAB_BACKEND=tensorflow still selects it', async () => {
    // A fresh process each: the engine is chosen once per process.
    // (test/setup-hooks.ts pins LAB_BACKEND=wasm for the suite; this run asks for auto.)
    const auto = await runCli([...TINY_TRAIN_ARGS, '--json'], {env: {LAB_RESULTS_DIR: tempDir('auto-results'), LAB_BACKEND: 'auto'}});
    assert.equal(auto.code, 0, auto.stderr);
    assert.equal(JSON.parse(auto.stdout).result.backend, 'wasm');
    const named = await runCli([...TINY_TRAIN_ARGS, '--json'], {env: {LAB_RESULTS_DIR: tempDir('named-results'), LAB_BACKEND: 'tensorflow'}});
    assert.equal(named.code, 0, named.stderr);
    assert.equal(JSON.parse(named.stdout).result.backend, 'tensorflow');
  });
});
