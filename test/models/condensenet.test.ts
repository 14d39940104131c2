/**
 * CondenseNet: the learned group convolution condenses as the official code
 * does, its group lasso is the sum it claims to be, training runs the
 * stages on schedule, and the converted test-time network computes what the
 * masked one does.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {condensedWeights, costOf} from '../../lib/cost';
import {syntheticImages} from '../../lib/data';
import {initEngine} from '../../lib/engine';
import {LearnedGroupConv2D, condensingStage} from '../../lib/layers';
import {CondenseNetOptions, buildCondenseNet, convertCondenseNet, gatherOf} from '../../lib/models';
import {condensationOf, experimentConfig, featureReuse, runExperiment} from '../../lib/experiments';
import {condensationHooks, learnedGroupConvsOf, train} from '../../lib/train';

/** A layer on 8 inputs, 8 outputs, G = 2, C = 4 with w[i][o] = ((3i + 5g) mod 8) + 1, g = o mod 2. */
function layerWithKnownWeights(): LearnedGroupConv2D {
  const layer = new LearnedGroupConv2D({filters: 8, groups: 2, condenseFactor: 4});
  layer.apply(tf.input({shape: [4, 4, 8]}));
  const w = Array.from({length: 8}, (_, i) => Array.from({length: 8}, (_, o) => ((3 * i + 5 * (o % 2)) % 8) + 1));
  const [, mask] = layer.getWeights();
  layer.setWeights([tf.tensor4d([[w]]), mask]);
  return layer;
}

const TINY: Partial<CondenseNetOptions> = {
  resolution: 8, channels: 1, classes: 3, stages: [2, 2], growth: [4, 8], groups: 4, groups3x3: 2, condenseFactor: 4,
};

/** Random batch-norm statistics, so that no BN is the identity and gathering them wrongly would show. */
function randomiseBatchNorms(model: tf.LayersModel, seed: number): void {
  let s = seed;
  for (const layer of model.layers.filter(l => l.getClassName() === 'BatchNormalization')) {
    layer.setWeights(layer.getWeights().map((w, k) => tf.randomUniform(w.shape, k === 3 ? 0.5 : -0.5, k === 3 ? 2 : 0.5, 'float32', s++)));
  }
}

describe('CondenseNet', function () {
  this.timeout(120_000);
  afterEach(() => tf.disposeVariables());

  it('the condensing stage follows the official schedule: C - 1 stages in the first half', () => {
    assert.deepEqual([0, 0.1, 0.17, 0.34, 0.49, 0.5, 0.9].map(p => condensingStage(p, 4)), [0, 0, 1, 2, 2, 3, 3]);
    assert.deepEqual([0, 0.25, 0.5].map(p => condensingStage(p, 2)), [0, 0, 1]);
  });

  it('each stage cuts, in every group, the C_in / C inputs with the smallest L1 weight into that group', () => {
    const layer = layerWithKnownWeights();
    assert.equal(layer.stagesDone(), 0);
    layer.condenseTo(1);
    // Group 0 ranks inputs by (3i mod 8): i = 0, 3 are smallest; group 1 by (3i + 5 mod 8): i = 1, 4.
    assert.deepEqual(layer.survivingInputs(0), [1, 2, 4, 5, 6, 7]);
    assert.deepEqual(layer.survivingInputs(1), [0, 2, 3, 5, 6, 7]);
    layer.condenseTo(9);   // capped at C - 1 = 3 stages: 8 / 4 = 2 inputs per group survive
    assert.equal(layer.stagesDone(), 3);
    assert.deepEqual(layer.survivingInputs(0), [2, 5]);
    assert.deepEqual(layer.survivingInputs(1), [3, 6]);
    // Masked weights no longer reach the output.
    const x = tf.ones([1, 1, 1, 8]);
    const y = layer.apply(x) as tf.Tensor;
    // Group 0 keeps inputs 2, 5 (weights 7, 8); group 1 keeps 3, 6 (weights 7, 8).
    assert.deepEqual(Array.from(y.dataSync()), Array(8).fill(15));
  });

  it('after C - 1 stages exactly condensedWeights(C_in, C_out, C) connections remain, as the counter charges', () => {
    const layer = new LearnedGroupConv2D({filters: 16, groups: 4, condenseFactor: 4});
    const model = tf.sequential({layers: [tf.layers.inputLayer({inputShape: [3, 3, 32]}), layer]});
    layer.condenseTo(3);
    const alive = layer.mask().flat().reduce((a, b) => a + b, 0);
    assert.equal(alive, condensedWeights(32, 16, 4));
    assert.equal(costOf(model, 'condensenet').totals.weightParams, condensedWeights(32, 16, 4));
    assert.equal(costOf(model, 'condensenet').totals.macs, 9 * condensedWeights(32, 16, 4));
    model.dispose();
  });

  it('the group lasso is the sum over groups and inputs of the L2 norm of that column', () => {
    const layer = layerWithKnownWeights();
    let expected = 0;
    for (let i = 0; i < 8; i++) {
      for (let g = 0; g < 2; g++) expected += Math.sqrt(4 * (((3 * i + 5 * g) % 8) + 1) ** 2);
    }
    assert.ok(Math.abs(layer.groupLasso().dataSync()[0] - expected) < 1e-3);
    layer.condenseTo(3);
    assert.equal(layer.groupLasso().dataSync()[0], 0);
  });

  it('refuses channels that do not divide by G or C, naming the layer', () => {
    assert.throws(() => buildCondenseNet({...TINY, growth: [4, 6], groups3x3: 4}), /block 2 layer 1: 24 bottleneck and 6 output channels must divide into groups = 4 and groups3x3 = 4/);
    assert.throws(() => buildCondenseNet({...TINY, growth: [6, 8], groups3x3: 1, groups: 8}), /block 1 layer 1 has 12 input channels, not divisible by groups \(G = 8\)/);
    assert.throws(() => buildCondenseNet({...TINY, stages: [2, 0]}), /condensenet: stages must be a list of whole numbers in \[1, 1024\].*got \[2,0\]/);
    assert.throws(() => new LearnedGroupConv2D({filters: 10, groups: 4}), /10 output channels do not divide into 4 groups/);
  });

  it('refuses a width multiplier, saying to scale growth and stages instead', () => {
    assert.throws(() => buildCondenseNet({...TINY, width: 0.5}),
        /condensenet: width must be 1 \(the paper defines no width multiplier\), got 0\.5; scale the network with growth/);
  });

  it('the converted network computes what the masked one does', () => {
    const trained = buildCondenseNet(TINY);
    randomiseBatchNorms(trained, 11);
    for (const layer of learnedGroupConvsOf(trained)) layer.condenseTo(3);
    const x = tf.randomNormal([5, 8, 8, 1], 0, 1, 'float32', 3);
    const expected = trained.predict(x) as tf.Tensor;

    const whole = convertCondenseNet(trained, {...TINY, classifierKeep: 1});
    assert.ok(whole.layers.some(l => l.getClassName() === 'ChannelGather'));
    assert.ok(!whole.layers.some(l => l.getClassName() === 'LearnedGroupConv2D'));
    const diff = tf.max(tf.abs(tf.sub(whole.predict(x) as tf.Tensor, expected))).dataSync()[0];
    assert.ok(diff < 1e-4, `max |converted - masked| = ${diff}`);

    // With half the classifier's features kept, it equals the masked network whose dropped rows are zero.
    const half = convertCondenseNet(trained, TINY);
    const kept = (half.getLayer('classifier_gather').getConfig()['indices'] as number[]);
    const [kernel, bias] = trained.getLayer('logits').getWeights();
    const rows = kernel.shape[0];
    assert.equal(kept.length, rows / 2);
    const keepMask = tf.tensor2d(Array.from({length: rows}, (_, i) => [kept.includes(i) ? 1 : 0]));
    trained.getLayer('logits').setWeights([kernel.mul(keepMask), bias]);
    const halfDiff = tf.max(tf.abs(tf.sub(half.predict(x) as tf.Tensor, trained.predict(x) as tf.Tensor))).dataSync()[0];
    assert.ok(halfDiff < 1e-4, `max |converted(0.5) - masked with rows zeroed| = ${halfDiff}`);
    // The kept features are those with the largest L1 norm of their weights.
    const norms = (kernel.abs().sum(1).arraySync() as number[]);
    const smallestKept = Math.min(...kept.map(i => norms[i]));
    assert.ok(norms.every((n, i) => kept.includes(i) || n <= smallestKept));
  });

  it('turns the sources\' worked example into one index layer: groups keeping (3,7,9,12), (1,5,10,12), (5,6,8,11)', () => {
    // 24 inputs (divisible by G = 3), C = 6: each group keeps 24 / 6 = 4 after 5 stages.
    const layer = new LearnedGroupConv2D({filters: 6, groups: 3, condenseFactor: 6, name: 'example'});
    layer.apply(tf.input({shape: [2, 2, 24]}));
    layer.setKeptInputs([[3, 7, 9, 12], [1, 5, 10, 12], [5, 6, 8, 11]]);
    assert.equal(layer.stagesDone(), 5);
    assert.deepEqual(gatherOf(layer), [3, 7, 9, 12, 1, 5, 10, 12, 5, 6, 8, 11]);
    assert.throws(() => layer.setKeptInputs([[3, 7, 9], [1, 5, 10, 12], [5, 6, 8, 11]]), /every group must keep the same number of its 24 inputs/);
    assert.throws(() => layer.setKeptInputs([[3, 7, 9, 24], [1, 5, 10, 12], [5, 6, 8, 11]]), /input channel 24 is not in 0\.\.23/);
  });

  it('maps feature reuse: each layer\'s mean |weight| on the block input and on each earlier layer\'s channels', () => {
    const model = buildCondenseNet(TINY);
    // Block 1 layer 2 reads 2 x 4 stem channels, then layer 1's 4: weights 1 on the first, 3 on the second.
    const layer = model.getLayer('block1_layer2_lgc') as LearnedGroupConv2D;
    const [kernel, mask] = layer.getWeights();
    const rows = kernel.shape[2]!;
    assert.equal(rows, 12);
    const values = Array.from({length: rows}, (_, i) => new Array<number>(kernel.shape[3]!).fill(i < 8 ? -1 : 3));
    layer.setWeights([tf.tensor4d([[values]]), mask]);
    const maps = featureReuse(model, TINY);
    assert.deepEqual(maps.map(m => m.rows.map(r => r.length)), [[1, 2], [1, 2]]);
    assert.deepEqual(maps[0].rows[1], [1, 3]);
    model.dispose();
  });

  it('refuses to convert before condensing', () => {
    const trained = buildCondenseNet(TINY);
    assert.throws(() => convertCondenseNet(trained, TINY), /has done 0 of 3 condensing stages/);
  });

  it('the converted 1x1 group conv costs what the learned one costs under the CondenseNet counter, 1/C of dense', () => {
    const trained = buildCondenseNet(TINY);
    const converted = buildCondenseNet({...TINY, converted: true});
    const learned = costOf(trained, 'condensenet').layers.find(l => l.name === 'block2_layer1_lgc')!;
    const dense = costOf(trained, 'macs').layers.find(l => l.name === 'block2_layer1_lgc')!;
    const group = costOf(converted, 'macs').layers.find(l => l.name === 'block2_layer1_lgc_gconv')!;
    assert.equal(learned.macs, dense.macs / 4);
    assert.equal(group.macs, learned.macs);
    assert.equal(group.weightParams, learned.weightParams);
  });

  it('training condenses on schedule (all stages by half-way) and the converted network scores the same', async () => {
    await initEngine('wasm');
    const data = {train: syntheticImages({count: 256, seed: 5, size: 8, channels: 1, classes: 3}),
                  test: syntheticImages({count: 64, seed: 6, size: 8, channels: 1, classes: 3})};
    const model = buildCondenseNet(TINY);
    const hooks = condensationHooks(model, {groupLassoLambda: 1e-5});
    const stagesAt: number[] = [];
    await train(model, data, {
      epochs: 2, batchSize: 32, optimizer: 'sgd', learningRate: 0.05, seed: 2, preciseBatchNormImages: 0,
      extraLoss: hooks.extraLoss,
      onStep: async (info, m) => { await hooks.onStep(info, m); stagesAt.push(learnedGroupConvsOf(m)[0].stagesDone()); },
    });
    assert.equal(stagesAt.length, 16);
    // Stage floor(2 (C - 1) step / steps) = floor(6 step / 16) after each step.
    assert.deepEqual(stagesAt, [0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    // The log has the dense start and each stage at the step that cut it, with 1/C of the connections gone per stage.
    assert.deepEqual(hooks.events.map(e => [e.step, e.stage, e.keptFraction]), [[0, 0, 1], [3, 1, 0.75], [6, 2, 0.5], [8, 3, 0.25]]);
    const last = hooks.events[3];
    for (const layer of learnedGroupConvsOf(model)) {
      const logged = last.masks.find(m => m.layer === layer.name)!;
      assert.deepEqual(logged.groups, Array.from({length: layer.groups}, (_, g) => layer.survivingInputs(g)));
      for (const [i, event] of hooks.events.entries()) {
        const masks = event.masks.find(m => m.layer === layer.name)!;
        assert.ok(masks.groups.every(g => g.length === masks.inputs * (1 - i / 4)), `${layer.name} at stage ${i}`);
      }
    }
    const converted = convertCondenseNet(model, {...TINY, classifierKeep: 1});
    const x = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 9);
    const diff = tf.max(tf.abs(tf.sub(converted.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor))).dataSync()[0];
    assert.ok(diff < 1e-4, `max |converted - trained| = ${diff}`);
  });
});

describe('a CondenseNet experiment', function () {
  this.timeout(120_000);

  it('trains through the condensing stages and records the test-time network\'s cost', async () => {
    const options = {...TINY, resolution: 28, classes: 10};
    const config = experimentConfig({model: 'condensenet', options, dataset: 'synthetic', limit: 128, testLimit: 64,
                                     epochs: 1, batch: 32}, 'wasm');
    const result = await runExperiment(config);
    const training = costOf(buildCondenseNet(options)).totals;
    const testTime = costOf(buildCondenseNet({...options, converted: true, classifierKeep: 1})).totals;
    assert.equal(result.macs, testTime.macs);
    assert.ok(result.macs < training.macs, `converted ${result.macs} MACs, training network ${training.macs}`);
    assert.ok(result.testAccuracy! >= 0);
    // The record shows condensation and proves the conversion on the test set.
    const condensation = condensationOf(result)!;
    assert.equal(condensation.events[0].keptFraction, 1);
    assert.equal(condensation.events.at(-1)!.stage, 3);
    assert.equal(condensation.events.at(-1)!.keptFraction, 0.25);
    const {exact, classifierCut} = condensation.conversion;
    assert.ok(exact.maxAbsLogitDifference < 1e-4, String(exact.maxAbsLogitDifference));
    assert.equal(exact.samePrediction, 1);
    assert.equal(exact.accuracyTrained, result.testAccuracy);
    assert.equal(exact.accuracyConverted, exact.accuracyTrained);
    assert.equal(classifierCut.classifierKeep, 0.5);
    assert.ok(classifierCut.maxAbsLogitDifference > exact.maxAbsLogitDifference, 'cutting the classifier changes the logits');
    assert.ok(condensation.conversion.latencyMsBatch1.trained > 0 && condensation.conversion.latencyMsBatch1.converted > 0);
    assert.deepEqual(condensation.featureReuse.map(m => m.rows.length), options.stages);
  });
});
