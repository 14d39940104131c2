/** The trainer: it learns, it is deterministic, and it refuses or stops clearly. */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {loadFashionMnist, locateFashionMnist, syntheticImages, take} from '../../lib/data';
import {initEngine} from '../../lib/engine';
import {buildMobileNetV1} from '../../lib/models';
import {STEP_CURVE_POINTS, checkFitsInMemory, train} from '../../lib/train';

const LAB = {resolution: 28, channels: 1, classes: 10, stemStride: 1, depth: 5};

describe('trainer', function () {
  this.timeout(120_000);
  before(async () => { await initEngine('wasm'); });
  afterEach(() => tf.disposeVariables());

  it('a lab-scale MobileNet v1 reaches 60 % on a fixed Fashion-MNIST subset (2,048 images, one epoch)', async function () {
    const dir = locateFashionMnist();
    if (dir == null) this.skip();
    const {train: all, test} = loadFashionMnist(dir!);
    const model = buildMobileNetV1({...LAB, width: 0.5});
    const result = await train(model, {train: take(all, 2048, 1), test: take(test, 1000, 7)},
        {epochs: 1, batchSize: 64, optimizer: 'adam', learningRate: 5e-3, seed: 1});
    model.dispose();
    // Measured 0.729 on wasm (deterministic for this seed); chance is 0.1.
    assert.ok(result.testAccuracy! >= 0.6, `test accuracy ${result.testAccuracy}`);
    assert.ok(result.timing.trainImagesPerSecond > 0 && result.timing.latencyMsBatch1 > 0);
  });

  it('is deterministic for a seed on wasm: same losses, same accuracy', async () => {
    const data = {train: syntheticImages({count: 256, seed: 3}), test: syntheticImages({count: 64, seed: 3})};
    const run = async () => {
      const model = buildMobileNetV1({...LAB, width: 0.25, depth: 2});
      const r = await train(model, data, {epochs: 2, batchSize: 32, optimizer: 'adam', learningRate: 5e-3, seed: 4});
      model.dispose();
      return r;
    };
    const [a, b] = [await run(), await run()];
    assert.deepEqual(a.curves.map(c => c.trainLoss), b.curves.map(c => c.trainLoss));
    assert.equal(a.testAccuracy, b.testAccuracy);
  });

  it('keeps a step curve: equal windows of steps, whose means make up each epoch\'s', async () => {
    const data = {train: syntheticImages({count: 256, seed: 5}), test: syntheticImages({count: 64, seed: 5})};
    const model = buildMobileNetV1({...LAB, width: 0.25, depth: 2});
    // 3 epochs of 8 steps: windows of ceil(24 / 16) = 2 steps, 4 to an epoch.
    const r = await train(model, data, {epochs: 3, batchSize: 32, optimizer: 'adam', learningRate: 5e-3, seed: 4});
    model.dispose();
    assert.equal(STEP_CURVE_POINTS, 16);
    assert.deepEqual(r.stepCurve.map(p => p.images), Array.from({length: 12}, (_, i) => 64 * (i + 1)));
    r.curves.forEach((epoch, e) => {
      const windows = r.stepCurve.slice(4 * e, 4 * e + 4);
      const mean = (key: 'trainLoss' | 'trainAccuracy') => windows.reduce((a, p) => a + p[key], 0) / 4;
      assert.ok(Math.abs(mean('trainLoss') - epoch.trainLoss) < 1e-6, `epoch ${e + 1} loss`);
      assert.ok(Math.abs(mean('trainAccuracy') - epoch.trainAccuracy) < 1e-9, `epoch ${e + 1} accuracy`);
    });
  });

  it('stops on a non-finite loss, naming the step and the learning rate', async () => {
    const model = buildMobileNetV1({...LAB, width: 0.25, depth: 2});
    await assert.rejects(
        train(model, {train: syntheticImages({count: 64})}, {
          epochs: 1, batchSize: 32, optimizer: 'sgd', learningRate: 0.5, seed: 1,
          extraLoss: () => tf.scalar(NaN),
        }),
        /training diverged: loss is NaN at step 1 \(epoch 1\), learning rate 0\.5; try a smaller learning rate/);
    model.dispose();
  });

  it('refuses a model whose input the data cannot feed, before training', async () => {
    const model = buildMobileNetV1({...LAB, channels: 2, width: 0.25, depth: 2});
    await assert.rejects(
        train(model, {train: syntheticImages({count: 64})}, {epochs: 1, batchSize: 32, optimizer: 'sgd', learningRate: 0.1, seed: 1}),
        /wants 2 input channels but synthetic-1 has 1 \(only grey -> RGB replication is supported\)/);
    model.dispose();
  });

  it('refuses a run that would not fit in memory, with the estimate', () => {
    const model = buildMobileNetV1({width: 1, resolution: 224});
    assert.throws(() => checkFitsInMemory(model, 512, {budgetBytes: 2 ** 30}),
        /training mobilenet_v1 with batch 512 needs about \d+\.\d GiB, more than the 1\.0 GiB allowed/);
    model.dispose();
  });
});
