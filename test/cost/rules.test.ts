/** Each cost rule on a one-layer model, against arithmetic written here. */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {modelCost} from '../../lib/cost';
import '../../lib/layers';
import {applyTo} from '../../lib/layers/apply';

function single(layer: tf.layers.Layer, inputShape: number[]) {
  const input = tf.input({shape: inputShape});
  return tf.model({inputs: input, outputs: applyTo(layer, input)});
}
function costOfLayer(layer: tf.layers.Layer, inputShape: number[], convention: 'macs' | 'condensenet' = 'macs') {
  const model = single(layer, inputShape);
  const row = modelCost(model, convention)[1];
  model.dispose();
  return row;
}

describe('cost rules', () => {
  afterEach(() => tf.disposeVariables());

  it('Conv2D: k*k*C_in MACs per output element, bias ignored', () => {
    const conv = costOfLayer(tf.layers.conv2d({filters: 2, kernelSize: 3, useBias: true}), [224, 224, 3]);
    assert.equal(conv.macs, 222 * 222 * 2 * (3 * 3 * 3));
    assert.equal(conv.params, 3 * 3 * 3 * 2 + 2);
    assert.equal(conv.kind, 'conv3x3');
  });

  it('Conv2D with a factorised 1x7 kernel', () => {
    const conv = costOfLayer(tf.layers.conv2d({filters: 8, kernelSize: [1, 7], padding: 'same', useBias: false}), [17, 17, 4]);
    assert.equal(conv.macs, 17 * 17 * 8 * 7 * 4);
    assert.equal(conv.kind, 'conv');
  });

  it('DepthwiseConv2D: k*k MACs per output element, depth multiplier included', () => {
    const dw = costOfLayer(tf.layers.depthwiseConv2d({kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2}), [56, 56, 24]);
    assert.equal(dw.macs, 28 * 28 * 48 * 9);
    assert.equal(dw.kind, 'depthwise');
  });

  it('SeparableConv2D: depthwise with its multiplier, then pointwise (TF.js hides the multiplier from getConfig)', () => {
    const sep = costOfLayer(tf.layers.separableConv2d({filters: 64, kernelSize: 7, strides: 2, padding: 'same',
                                                       depthMultiplier: 8, useBias: false}), [224, 224, 3]);
    // GoogLeNet's first row of Table 1: 2.7K parameters, 34M ops.
    assert.equal(sep.params, 7 * 7 * 3 * 8 + 24 * 64);
    assert.equal(sep.macs, 112 * 112 * (7 * 7 * 24 + 24 * 64));
  });

  it('Dense: inputs x outputs; the CondenseNet convention adds the bias adds', () => {
    assert.equal(costOfLayer(tf.layers.dense({units: 10}), [64]).macs, 640);
    assert.equal(costOfLayer(tf.layers.dense({units: 10}), [64], 'condensenet').macs, 650);
  });

  it('ReLU and pooling are free in MACs and counted by the CondenseNet convention', () => {
    assert.equal(costOfLayer(tf.layers.reLU(), [8, 8, 4]).macs, 0);
    assert.equal(costOfLayer(tf.layers.reLU(), [8, 8, 4], 'condensenet').macs, 256);
    assert.equal(costOfLayer(tf.layers.averagePooling2d({poolSize: 2}), [8, 8, 4], 'condensenet').macs, 4 * 4 * 4 * 4);
    assert.equal(costOfLayer(tf.layers.globalAveragePooling2d({}), [8, 8, 4], 'condensenet').macs, 256);
  });

  it('fails loudly on a layer class without a rule, saying where to add one', () => {
    assert.throws(() => costOfLayer(tf.layers.upSampling2d({size: [2, 2]}), [8, 8, 3]),
        /no cost rule for layer class 'UpSampling2D': add one in lib\/cost\/rules\//);
  });
});
