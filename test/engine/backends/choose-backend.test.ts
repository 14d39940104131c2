import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine, parseBackend} from '../../../lib/engine';

describe('engine backend choice', () => {
  it('initEngine puts its backend back if TF.js was switched away since', async () => {
    const engine = await initEngine('wasm');
    await tf.setBackend('cpu');
    assert.equal((await initEngine('wasm')).backend, engine.backend);
    assert.equal(tf.getBackend(), 'wasm');
    await tf.setBackend('cpu');
    await initEngine();
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('an unknown backend name lists the valid ones', () => {
    assert.throws(() => parseBackend('tpu'), /^Error: backend must be one of auto, tensorflow, webgpu, wasm, cpu; got 'tpu'/);
    assert.throws(() => parseBackend('tpu', '--backend'), /--backend must be one of/);
  });

  it('a backend that cannot load is an error that says so', async function () {
    // tensorflow is absent unless someone ran the opt-in `npm run setup:tensorflow`.
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      await assert.rejects(initEngine('tensorflow'), /backend 'tensorflow' is not available here: neither @tensorflow\/tfjs-node-gpu nor @tensorflow\/tfjs-node is installed/);
      return;
    }
    console.log('      (skipped: the opt-in tensorflow engine is installed here, so no backend is sure to fail)');
    this.skip();
  });
});
