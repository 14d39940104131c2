/**
 * skipImageGradients (lib/layers/image-gradient.ts): a stem convolution
 * trained without its image's gradient gives the same weight gradients,
 * bit for bit, and the image's gradient kernel no longer runs.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../lib/engine';
import {wave} from '../../lib/bench/gradients';
import {applyTo} from '../../lib/layers/apply';
import {skipImageGradients} from '../../lib/layers/image-gradient';

/** Image -> optional padding -> stem conv (linear, bias as asked) -> BN -> ReLU -> a second linear conv -> pooled logits. */
function stemNet(options: {useBias: boolean; strides: number; padFirst: boolean; channels: number}): tf.LayersModel {
  const input = tf.input({shape: [9, 9, options.channels]});
  let x = options.padFirst ? applyTo(tf.layers.zeroPadding2d({padding: 1}), input) : input;
  x = applyTo(tf.layers.conv2d({filters: 6, kernelSize: 3, strides: options.strides, padding: 'same', useBias: options.useBias, name: 'stem'}), x);
  x = applyTo(tf.layers.batchNormalization({}), x);
  x = applyTo(tf.layers.reLU(), x);
  // Fed by a weighted layer: its input gradient is needed and must stay.
  x = applyTo(tf.layers.conv2d({filters: 5, kernelSize: 3, padding: 'same', name: 'second'}), x);
  x = applyTo(tf.layers.globalAveragePooling2d({}), x);
  return tf.model({inputs: input, outputs: applyTo(tf.layers.dense({units: 4}), x)});
}

const CASES = [
  {useBias: false, strides: 1, padFirst: false, channels: 1},
  {useBias: true, strides: 2, padFirst: false, channels: 3},
  {useBias: true, strides: 1, padFirst: true, channels: 2},
];

/** The weight gradients of one training-mode loss, and the input shapes of every Conv2DBackpropInput that ran. */
async function gradientsAndImageGrads(model: tf.LayersModel, channels: number):
    Promise<{grads: Float32Array[]; inputGradShapes: string[]}> {
  const x = wave([4, 9, 9, channels], 3);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4);
  let grads: Float32Array[] = [];
  const info = await tf.profile(() => {
    const variables = model.trainableWeights.map(w => w.read() as tf.Variable);
    const result = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, {training: true}) as tf.Tensor) as tf.Scalar, variables);
    grads = variables.map(v => Float32Array.from(result.grads[v.name].dataSync()));
    tf.dispose(Object.values(result.grads));
    tf.dispose(result.value);
  });
  tf.dispose([x, labels]);
  const inputGradShapes = info.kernels.filter(k => k.name === 'Conv2DBackpropInput').map(k => JSON.stringify(k.outputShapes));
  return {grads, inputGradShapes};
}

describe('skipImageGradients: no gradient for the image', function () {
  this.timeout(60_000);
  before(() => initEngine('wasm'));
  after(() => tf.setBackend('wasm'));

  for (const backend of ['wasm', 'cpu']) {
    for (const c of CASES) {
      it(`${backend}, ${JSON.stringify(c)}: the same weight gradients bit for bit, without the image's Conv2DBackpropInput`, async () => {
        await tf.setBackend(backend);
        const fused = stemNet(c);
        const unfused = stemNet(c);
        unfused.setWeights(fused.getWeights());
        assert.equal(skipImageGradients(unfused), 1, 'exactly the stem is changed');
        const before = await gradientsAndImageGrads(fused, c.channels);
        const after = await gradientsAndImageGrads(unfused, c.channels);
        assert.equal(after.grads.length, before.grads.length);
        before.grads.forEach((g, i) => assert.deepEqual(after.grads[i], g, `weight ${unfused.trainableWeights[i].name}`));
        // The fused stem ran two input gradients (the image's and the second conv's); now only the second conv's.
        assert.equal(before.inputGradShapes.length, 2, `fused: ${before.inputGradShapes}`);
        assert.equal(after.inputGradShapes.length, 1, `unfused: ${after.inputGradShapes}`);
        assert.notEqual(after.inputGradShapes[0], JSON.stringify([[4, 9 + (c.padFirst ? 2 : 0), 9 + (c.padFirst ? 2 : 0), c.channels]]));
        fused.dispose();
        unfused.dispose();
      });
    }
  }

  it('leaves inference fused and unchanged, and a second call changes nothing', async () => {
    await tf.setBackend('wasm');
    const model = stemNet(CASES[1]);
    const x = wave([2, 9, 9, 3], 1);
    const plain = (model.predict(x) as tf.Tensor).dataSync().slice();
    assert.equal(skipImageGradients(model), 1);
    assert.equal(skipImageGradients(model), 0);
    const info = await tf.profile(() => model.predict(x) as tf.Tensor);
    assert.ok(info.kernels.some(k => k.name === 'FusedConv2D'), 'inference still runs the fused convolution');
    assert.deepEqual((model.predict(x) as tf.Tensor).dataSync(), plain);
  });

  it('leaves alone a convolution with an activation, and one fed by weights', () => {
    const input = tf.input({shape: [8, 8, 1]});
    const relu = applyTo(tf.layers.conv2d({filters: 4, kernelSize: 3, activation: 'relu'}), input);
    const fedByWeights = applyTo(tf.layers.conv2d({filters: 4, kernelSize: 1}), relu);
    const model = tf.model({inputs: input, outputs: fedByWeights});
    assert.equal(skipImageGradients(model), 0);
  });
});
