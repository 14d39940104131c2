/** applyTo and applyInOrder: the typed way builders apply layers to symbolic tensors. */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {applyInOrder, applyTo} from '../../lib/layers/apply';

/** A layer with two outputs, the case a builder's one-tensor call cannot take. */
class TwoOutputs extends tf.layers.Layer {
  static readonly className = 'TwoOutputs';
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape, shape];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return [x, x];
  }
}

describe('applyTo', () => {
  afterEach(() => tf.disposeVariables());

  it('returns the symbolic output of a layer applied to one tensor, with the layer as its source', () => {
    const input = tf.input({shape: [8, 8, 3]});
    const conv = tf.layers.conv2d({filters: 5, kernelSize: 3, strides: 2, padding: 'same', name: 'c'});
    const y = applyTo(conv, input);
    assert.ok(y instanceof tf.SymbolicTensor);
    // 'same' at stride 2: ceil(8 / 2) = 4.
    assert.deepEqual(y.shape, [null, 4, 4, 5]);
    assert.equal(y.sourceLayer, conv);
  });

  it('takes a list for merging layers: concatenate adds the channels 3 + 4', () => {
    const a = tf.input({shape: [6, 6, 3]});
    const b = tf.input({shape: [6, 6, 4]});
    assert.deepEqual(applyTo(tf.layers.concatenate({}), [a, b]).shape, [null, 6, 6, 7]);
  });

  it('refuses a layer that gives several outputs, naming the layer and what came back', () => {
    const input = tf.input({shape: [4]});
    assert.throws(() => applyTo(new TwoOutputs({name: 'pair'}), input),
        /layer 'pair' \(TwoOutputs\) applied to a symbolic tensor \[null, 4\] gave a list of 2 .*needs one symbolic tensor/);
  });
});

describe('applyInOrder', () => {
  it('chains layers: a 3x3 valid conv then a 2x2 pool turn 10x10 into 4x4', () => {
    const input = tf.input({shape: [10, 10, 1]});
    const y = applyInOrder(input, [
      tf.layers.conv2d({filters: 2, kernelSize: 3, padding: 'valid', name: 'conv'}),
      tf.layers.maxPooling2d({poolSize: 2, name: 'pool'}),
    ]);
    // 10 - 3 + 1 = 8, halved = 4.
    assert.deepEqual(y.shape, [null, 4, 4, 2]);
    assert.equal(y.sourceLayer.name, 'pool');
  });

  it('returns its input for no layers', () => {
    const input = tf.input({shape: [3]});
    assert.equal(applyInOrder(input, []), input);
  });
});
