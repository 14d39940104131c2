/** The Inception blocks: GoogLeNet's module, the branch helpers and the 7x7 stems. */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {concat, inceptionConv, inceptionV1Module, maxPoolDown, poolSame, stem7x7, tower} from '../../lib/blocks/inception';
import {layerNames, modelOf, paramsOf, shapeAt} from '../helpers/graphs';

/** GoogLeNet Table 1, inception (3a). */
const WIDTHS_3A = {b1: 64, b3Reduce: 96, b3: 128, b5Reduce: 16, b5: 32, poolProj: 32};

describe('inceptionV1Module', () => {
  afterEach(() => tf.disposeVariables());

  it('3a on 28x28x192: four branches concatenated to 64 + 128 + 32 + 32 = 256 channels', () => {
    const model = modelOf([28, 28, 192], x => inceptionV1Module(x, {widths: WIDTHS_3A, name: 'm'}));
    assert.deepEqual(shapeAt(model, 'm_concat'), [null, 28, 28, 256]);
    const convs = layerNames(model).filter(n => n.endsWith('_conv'));
    assert.deepEqual(convs.sort(), ['m_b1_conv', 'm_b3_conv', 'm_b3_reduce_conv', 'm_b5_conv', 'm_b5_reduce_conv', 'm_pool_proj_conv']);
  });

  it('weights: 192*64 + 192*96 + 9*96*128 + 192*16 + 25*16*32 + 192*32, and BN of 368 channels', () => {
    const model = modelOf([28, 28, 192], x => inceptionV1Module(x, {widths: WIDTHS_3A, name: 'm'}));
    const weights = 12_288 + 18_432 + 110_592 + 3_072 + 12_800 + 6_144;
    assert.deepEqual(paramsOf(model), {total: weights + 4 * 368, trainable: weights + 2 * 368});
  });

  it("wideKernel 3 (torchvision's port) makes the '5x5' branch 3x3: 16*16*32 fewer weights", () => {
    const five = paramsOf(modelOf([28, 28, 192], x => inceptionV1Module(x, {widths: WIDTHS_3A, name: 'm'}))).total;
    const three = paramsOf(modelOf([28, 28, 192], x => inceptionV1Module(x, {widths: WIDTHS_3A, wideKernel: 3, name: 'm'}))).total;
    assert.equal(five - three, (25 - 9) * 16 * 32);
  });
});

describe('Inception branch helpers', () => {
  afterEach(() => tf.disposeVariables());

  it('poolSame keeps the grid; maxPoolDown halves it, valid (35 -> 17) or same (35 -> 18)', () => {
    const model = modelOf([35, 35, 8], x => concat([
      poolSame(x, 'avg', 'avg'),
      poolSame(x, 'max', 'max'),
    ], 'both'));
    assert.deepEqual(shapeAt(model, 'both'), [null, 35, 35, 16]);
    assert.equal(model.getLayer('avg').getClassName(), 'AveragePooling2D');
    assert.deepEqual(shapeAt(modelOf([35, 35, 8], x => maxPoolDown(x, 'down')), 'down'), [null, 17, 17, 8]);
    assert.deepEqual(shapeAt(modelOf([35, 35, 8], x => maxPoolDown(x, 'down', 'same')), 'down'), [null, 18, 18, 8]);
  });

  it('tower chains its steps; inceptionConv(false) builds BN without gamma', () => {
    const conv = inceptionConv(false);
    const model = modelOf([17, 17, 8], x => tower(conv, x, [
      {filters: 4, kernel: 1, name: 'reduce'},
      {filters: 6, kernel: [1, 7], name: 'a'},
      {filters: 6, kernel: [7, 1], name: 'b', strides: 2, padding: 'valid'},
    ]));
    // The 7x1 at stride 2, valid: (17 - 7) / 2 + 1 = 6 rows, (17 - 1) / 2 + 1 = 9 columns.
    assert.deepEqual(shapeAt(model, 'b_act'), [null, 6, 9, 6]);
    // 8*4 + 7*4*6 + 7*6*6 weights; BN without gamma: beta, mean, variance of 16 channels.
    assert.deepEqual(paramsOf(model), {total: 32 + 168 + 252 + 3 * 16, trainable: 32 + 168 + 252 + 16});
  });
});

describe('stem7x7', () => {
  afterEach(() => tf.disposeVariables());

  it("'separable' has GoogLeNet Table 1's 2.7K weights: 7*7*3*8 depthwise + 24*64 pointwise", () => {
    const model = modelOf([224, 224, 3], x => stem7x7(x, 'separable', 's'));
    assert.deepEqual(shapeAt(model, 's_act'), [null, 112, 112, 64]);
    assert.equal(paramsOf(model).trainable - 2 * 64, 1176 + 1536);
  });

  it("'conv' is a plain 7x7/2 convolution: 7*7*3*64 weights", () => {
    const model = modelOf([224, 224, 3], x => stem7x7(x, 'conv', 's'));
    assert.deepEqual(shapeAt(model, 's_act'), [null, 112, 112, 64]);
    assert.equal(paramsOf(model).trainable - 2 * 64, 9408);
  });
});
