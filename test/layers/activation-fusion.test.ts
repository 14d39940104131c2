/**
 * fuseBatchNormActivations (lib/layers/activation-fusion.ts): batch norm
 * applies the ReLU after it only where that ReLU is its output's one
 * consumer; training with the pairs fused gives the same weights, bit for
 * bit, without the ReLU's kernels; the model's layers do not change.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../lib/engine';
import {wave} from '../../lib/bench/gradients';
import {applyTo} from '../../lib/layers/apply';
import {LabReLU, fuseBatchNormActivations, labReLU} from '../../lib/layers/activation-fusion';
import {LabBatchNormalization, labBatchNormalization} from '../../lib/layers/batch-norm';
import {makeOptimizer} from '../../lib/train/optimizers';

/**
 * conv -> bn_a -> ReLU; conv -> bn_b -> ReLU6; bn_c feeding a ReLU and the
 * sum after it (two consumers); bn_d -> ReLU applied to a second input too
 * (a shared ReLU); bn_e a model output as well as a ReLU's input.
 */
function net(): tf.LayersModel {
  const input = tf.input({shape: [6, 6, 2]});
  const conv = (x: tf.SymbolicTensor, name: string) =>
      applyTo(tf.layers.conv2d({filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'glorotNormal', name}), x);
  const bn = (x: tf.SymbolicTensor, name: string) => applyTo(labBatchNormalization({momentum: 0.9, name}), x);
  let x = applyTo(labReLU({name: 'relu_a'}), bn(conv(input, 'conv_a'), 'bn_a'));
  x = applyTo(labReLU({maxValue: 6, name: 'relu6_b'}), bn(conv(x, 'conv_b'), 'bn_b'));
  const c = bn(conv(x, 'conv_c'), 'bn_c');
  x = applyTo(tf.layers.add({name: 'sum_c'}), [applyTo(labReLU({name: 'relu_c'}), c), c] as unknown as tf.SymbolicTensor);
  const shared = labReLU({name: 'relu_d'});
  x = applyTo(shared, bn(conv(x, 'conv_d'), 'bn_d'));
  x = applyTo(tf.layers.add({name: 'sum_d'}), [x, applyTo(shared, conv(x, 'conv_d2'))] as unknown as tf.SymbolicTensor);
  const e = bn(conv(x, 'conv_e'), 'bn_e');
  const pooled = applyTo(tf.layers.globalAveragePooling2d({}), applyTo(labReLU({name: 'relu_e'}), e));
  const logits = applyTo(tf.layers.dense({units: 3, kernelInitializer: 'glorotNormal', name: 'logits'}), pooled);
  return tf.model({inputs: input, outputs: [logits, e]});
}

/** Three Adam steps in training mode; the weights after them and the kernels the last step ran. */
async function train(fuse: boolean): Promise<{weights: Float32Array[]; kernels: string[]}> {
  const model = net();
  model.weights.forEach((w, i) => w.write(wave(w.shape as number[], 30 + i).mul(0.5)));
  if (fuse) fuseBatchNormActivations(model);
  const optimizer = makeOptimizer('adam', 1e-2);
  const x = wave([4, 6, 6, 2], 3).mul(2);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3);
  const step = () => tf.dispose(optimizer.minimize(() => {
    const [logits, e] = model.apply(x, {training: true}) as tf.Tensor[];
    return tf.losses.softmaxCrossEntropy(labels, logits).add(e.mean().mul(0.1)) as tf.Scalar;
  }, true) ?? []);
  step();
  step();
  const profile = await tf.profile(step);
  const weights = model.weights.map(w => Float32Array.from(w.read().dataSync()));
  tf.dispose([x, labels]);
  optimizer.dispose();
  model.dispose();
  return {weights, kernels: profile.kernels.map(k => k.name)};
}

describe('batch norm with the ReLU after it, fused in training', function () {
  this.timeout(60_000);
  before(async () => { await initEngine('wasm'); });
  after(async () => { await tf.setBackend('wasm'); });

  it('pairs a batch norm with its ReLU only where the ReLU is its output\'s one consumer and applied once', () => {
    const model = net();
    assert.equal(fuseBatchNormActivations(model), 2);
    const band = (name: string) => (model.getLayer(name) as LabBatchNormalization).fusedActivation;
    assert.deepEqual(band('bn_a'), {low: 0, high: Infinity});
    assert.deepEqual(band('bn_b'), {low: 0, high: 6});
    for (const name of ['bn_c', 'bn_d', 'bn_e']) assert.equal(band(name), null, `${name} is not paired`);
    assert.ok(model.getLayer('relu_a') instanceof LabReLU);
    assert.equal(model.getLayer('relu_a').getClassName(), 'ReLU', 'saved as TF.js\'s ReLU');
    model.dispose();
  });

  for (const backend of ['wasm', 'cpu']) {
    it(`trains to the same weights, bit for bit, without the paired ReLUs' kernels, on ${backend}`, async () => {
      await tf.setBackend(backend);
      const separate = await train(false);
      const fused = await train(true);
      assert.equal(fused.weights.length, separate.weights.length);
      fused.weights.forEach((w, i) => assert.deepEqual(Array.from(w), Array.from(separate.weights[i]), `weight ${i}`));
      const count = (kernels: string[], name: string) => kernels.filter(k => k === name).length;
      // relu_a, relu6_b (a Relu, then ClipByValue), relu_c, relu_d twice and relu_e; paired, relu_a and relu6_b run inside batch norm.
      assert.equal(count(separate.kernels, 'Relu'), 6);
      assert.equal(count(fused.kernels, 'Relu'), 4, 'relu_a and relu6_b ran inside batch norm');
      assert.equal(count(separate.kernels, 'ClipByValue'), 1);
      assert.equal(count(fused.kernels, 'ClipByValue'), 0);
      // Backward: the gradients of relu_a's Relu and relu6_b's Relu and ClipByValue are inside batch norm's gradient.
      assert.equal(count(separate.kernels, 'LabBandGrad') - count(fused.kernels, 'LabBandGrad'), 3);
    });
  }

  it('leaves inference to the layers as they are: the same outputs with or without pairing', async () => {
    await tf.setBackend('wasm');
    const model = net();
    model.weights.forEach((w, i) => w.write(wave(w.shape as number[], 30 + i).mul(0.5)));
    const x = wave([2, 6, 6, 2], 4);
    const before = (model.predict(x) as tf.Tensor[]).map(t => Array.from(t.dataSync()));
    fuseBatchNormActivations(model);
    const after = (model.predict(x) as tf.Tensor[]).map(t => Array.from(t.dataSync()));
    assert.deepEqual(after, before);
    tf.dispose(x);
    model.dispose();
  });
});
