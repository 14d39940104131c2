/**
 * lib/bench/cpu-profile.ts: each sampled function goes to its source, the
 * profiler's own calls and idle time to none; and on a real profile the
 * steps of a small model spend time in WebAssembly and in TF.js's engine.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../lib/engine';
import {SOURCES, profileBySource, sourceOf, timeBySource} from '../../lib/bench/cpu-profile';

const frame = (functionName: string, url = '') => ({functionName, url});

describe('bench: where a step\'s time goes by source', () => {
  it('puts each function in its source by its name or file', () => {
    assert.equal(sourceOf(frame('wasm-function[12]', 'wasm://wasm/1e02fd26')), SOURCES[0]);
    assert.equal(sourceOf(frame('runKernelFunc', 'file:///x/node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js')), SOURCES[1]);
    assert.equal(sourceOf(frame('forward', 'file:///x/packages/tfjs-backend-wasm-train/dist/index.cjs')), SOURCES[2]);
    assert.equal(sourceOf(frame('makeOutput', 'file:///x/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js')), SOURCES[3]);
    assert.equal(sourceOf(frame('execute', 'file:///x/node_modules/@tensorflow/tfjs-layers/dist/tf-layers.node.js')), SOURCES[4]);
    assert.equal(sourceOf(frame('run', 'file:///x/dist/engine/backends/kernel-pool.js')), SOURCES[5]);
    assert.equal(sourceOf(frame('(garbage collector)')), SOURCES[6]);
    assert.equal(sourceOf(frame('main', 'file:///x/bench/profile.ts')), SOURCES[7]);
    assert.equal(sourceOf(frame('(idle)')), null);
    assert.equal(sourceOf(frame('post', 'node:inspector')), null);
  });

  it('sums self time by source and leaves out what runs under the profiler\'s own calls', () => {
    const profile = {
      nodes: [
        {id: 1, callFrame: frame('(root)'), children: [2, 4]},
        {id: 2, callFrame: frame('step', 'file:///x/bench/profile.ts'), children: [3, 5]},
        {id: 3, callFrame: frame('wasm-function[1]', 'wasm://wasm/ab')},
        {id: 4, callFrame: frame('post', 'node:inspector'), children: [6]},
        {id: 5, callFrame: frame('runKernel', 'file:///tfjs-core/dist/tf-core.node.js')},
        {id: 6, callFrame: frame('dispatch')},
      ],
      samples: [3, 3, 5, 6, 2, 6],
      timeDeltas: [1000, 2000, 500, 9000, 250, 9000],
    };
    const totals = timeBySource(profile);
    assert.equal(totals.get(SOURCES[0]), 3);
    assert.equal(totals.get(SOURCES[1]), 0.5);
    assert.equal(totals.get(SOURCES[7]), 0.25);
    assert.equal([...totals.values()].reduce((a, b) => a + b, 0), 3.75, 'the dispatch under post is not counted');
  });

  it('profiles real steps: WebAssembly and TF.js\'s engine both take time', async () => {
    await initEngine('wasm');
    const model = tf.sequential({layers: [tf.layers.conv2d({inputShape: [12, 12, 4], filters: 8, kernelSize: 3}), tf.layers.flatten(),
                                          tf.layers.dense({units: 3})]});
    const x = tf.randomNormal([16, 12, 12, 4]), y = tf.randomNormal([16, 3]);
    const optimizer = tf.train.sgd(0.01);
    const step = () => tf.dispose(optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar, true) ?? []);
    step();
    const bySource = await profileBySource(step, 20);
    assert.ok(bySource.get(SOURCES[0])! > 0, 'WebAssembly');
    assert.ok(bySource.get(SOURCES[1])! > 0, 'tfjs-core');
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
  });
});
