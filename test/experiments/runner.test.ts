/**
 * The plan runner, training for real on synthetic images: it trains what is
 * missing, reuses what is recorded, shards and picks runs without training
 * anything twice, and a plan's groups read back the recorded runs.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../lib/engine';
import {ExperimentResult, RECORDS_BACKEND_ENV, expandPlan, recordsBackend, runPlan} from '../../lib/experiments';
import {ResultsStore} from '../../lib/results';
import {tempDir} from '../helpers/cli';
import {tinyPlan} from './fixtures';

describe('plan runner', function () {
  this.timeout(120_000);
  before(async () => { await initEngine('wasm'); });
  afterEach(() => tf.disposeVariables());

  it('trains the missing runs once each, then a second run trains nothing', async () => {
    const store = new ResultsStore(tempDir('plan'));
    const first = await runPlan(tinyPlan(), {backend: 'wasm', store, progress: 'silent'});
    assert.deepEqual(first.summary(), {chapter: 'test', budget: 'smoke', backend: 'wasm', total: 5, ran: 5, reused: 0, missing: 0});
    assert.equal(store.list().length, 5);
    const widths = first.group('widths');
    assert.deepEqual(widths.map(r => r.config.options['width']), [0.25, 0.5, 0.75, 1]);
    assert.ok(widths.every(r => r.result.testAccuracy != null && r.result.macs > 0));
    assert.equal(first.group('seeds')[0].key, widths[0].key, 'the shared run is the same record');
    const second = await runPlan(tinyPlan(), {backend: 'wasm', store, progress: 'silent'});
    assert.deepEqual([second.ran, second.reused], [0, 5]);
    assert.deepEqual(second.group('widths').map(r => r.result.testAccuracy), widths.map(r => r.result.testAccuracy));
  });

  it('two shards share a plan without training anything twice; a group with a missing run says how to train it', async () => {
    const store = new ResultsStore(tempDir('shards'));
    const one = await runPlan(tinyPlan(), {backend: 'wasm', store, shard: {index: 1, count: 2}, progress: 'silent'});
    assert.deepEqual([one.ran, one.summary().missing], [3, 2]);
    assert.throws(() => one.group('widths'), /not recorded yet \(cnnlab run-plan test --budget smoke trains them\)/);
    const two = await runPlan(tinyPlan(), {backend: 'wasm', store, shard: {index: 2, count: 2}, progress: 'silent'});
    assert.deepEqual([two.ran, two.reused, two.summary().missing], [2, 3, 0], 'shard 2 trains its own runs, though it starts later');
    assert.equal(store.list().length, 5);
  });

  it('reads records another engine made (LAB_RECORDS_BACKEND) and trains none of its own', async () => {
    const store = new ResultsStore(tempDir('elsewhere'));
    // Records "from the GPU machine": the same plan keyed by webgpu.
    for (const run of expandPlan(tinyPlan(), 'webgpu').runs) {
      store.put(run.config, {testAccuracy: 0.5, macs: 1, timing: {trainImagesPerSecond: 1}} as unknown as ExperimentResult);
    }
    const engine = {backend: 'wasm' as const, device: 'test', threads: 1, tfjsVersion: 'test'};
    process.env[RECORDS_BACKEND_ENV] = 'webgpu';
    try {
      const home = await runPlan(tinyPlan(), {engine, store, progress: 'silent'});
      assert.deepEqual([home.ran, home.reused, home.backend], [0, 5, 'webgpu']);
      const other = await runPlan(tinyPlan([0.3]), {engine, store, progress: 'silent'});
      assert.deepEqual([other.ran, other.summary().missing], [0, 2], 'missing records are not trained on the wrong engine');
    } finally {
      delete process.env[RECORDS_BACKEND_ENV];
    }
    assert.equal(recordsBackend('wasm'), 'wasm');
    assert.throws(() => recordsBackend('wasm', {[RECORDS_BACKEND_ENV]: 'tpu'}), /\$LAB_RECORDS_BACKEND must be one of tensorflow, webgpu, wasm, cpu, got 'tpu'/);
  });

  it('--only trains the named runs; train: false only reads; an unknown group or index is refused', async () => {
    const store = new ResultsStore(tempDir('only'));
    const picked = await runPlan(tinyPlan(), {backend: 'wasm', store, only: [2], progress: 'silent'});
    assert.equal(picked.ran, 1);
    const key = expandPlan(tinyPlan(), 'wasm').runs[2].key;
    assert.deepEqual(picked.all().map(r => r.key), [key]);
    // Without an engine or backend: the engine in use (wasm here) keys the records.
    const readOnly = await runPlan(tinyPlan(), {store, train: false, progress: 'silent'});
    assert.deepEqual([readOnly.ran, readOnly.reused, readOnly.summary().missing], [0, 1, 4]);
    assert.throws(() => readOnly.group('nope'), /no plan group 'nope'; its groups: widths, seeds/);
    await assert.rejects(runPlan(tinyPlan(), {backend: 'wasm', store, only: [9], progress: 'silent'}),
        /run index must be a whole number in 0\.\.4 \(chapter test, smoke budget\), got 9/);
  });
});
