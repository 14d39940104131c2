/** convBnAct, batchNorm, activation: the conv -> BN -> act step every family builds from. */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {activation, convBnAct} from '../../lib/blocks/conv-bn-act';
import {layerNames, modelOf, paramsOf, shapeAt} from '../helpers/graphs';

describe('convBnAct', () => {
  afterEach(() => tf.disposeVariables());

  it('names conv, BN and act after the prefix; 3x3/2 "same" on 8x8x3 gives 4x4x16', () => {
    const model = modelOf([8, 8, 3], x => convBnAct(x, {filters: 16, kernelSize: 3, strides: 2, name: 'b'}));
    assert.deepEqual(layerNames(model), ['b_conv', 'b_bn', 'b_act']);
    assert.deepEqual(shapeAt(model, 'b_act'), [null, 4, 4, 16]);
    // Conv without bias: 3*3*3*16 = 432. BN: gamma, beta, mean, variance of 16 = 64, half of them trained.
    assert.deepEqual(paramsOf(model), {total: 432 + 64, trainable: 432 + 32});
  });

  it('without batch norm the conv takes a bias, and no BN layer is made', () => {
    const model = modelOf([8, 8, 3], x => convBnAct(x, {filters: 16, kernelSize: 3, batchNorm: false, name: 'b'}));
    assert.deepEqual(layerNames(model), ['b_conv', 'b_act']);
    assert.deepEqual(paramsOf(model), {total: 432 + 16, trainable: 432 + 16});
  });

  it("bnScale false drops BN's gamma (Keras's Inception): 16 fewer weights, all trainable ones", () => {
    const model = modelOf([8, 8, 3], x => convBnAct(x, {filters: 16, kernelSize: 3, bnScale: false, name: 'b'}));
    assert.deepEqual(paramsOf(model), {total: 432 + 48, trainable: 432 + 16});
  });

  it("a 'linear' act leaves the BN output as the block's output (a linear bottleneck)", () => {
    const model = modelOf([8, 8, 3], x => convBnAct(x, {filters: 4, kernelSize: 1, act: 'linear', name: 'p'}));
    assert.deepEqual(layerNames(model), ['p_conv', 'p_bn']);
  });

  it('factorised kernels [1, 7] and valid padding: 1*7*8*6 weights, width shrinks by 6', () => {
    const model = modelOf([9, 9, 8], x => convBnAct(x, {filters: 6, kernelSize: [1, 7], padding: 'valid', batchNorm: false, act: 'linear', name: 'f'}));
    assert.deepEqual(shapeAt(model, 'f_conv'), [null, 9, 3, 6]);
    assert.equal(paramsOf(model).total, 1 * 7 * 8 * 6 + 6);
  });
});

describe('activation', () => {
  const run = (act: Parameters<typeof activation>[1], values: number[]) => {
    const model = modelOf([values.length], x => activation(x, act, 'a'));
    const y = model.predict(tf.tensor2d([values])) as tf.Tensor;
    const out = Array.from(y.dataSync());
    tf.dispose(y);
    // + 0 turns -0 (hard-swish of a negative) into 0.
    return out.map(v => Math.round(v * 1e4) / 1e4 + 0);
  };

  it('relu, relu6, elu, hardSwish and linear, value by value', () => {
    assert.deepEqual(run('relu', [-2, 0.5, 9]), [0, 0.5, 9]);
    assert.deepEqual(run('relu6', [-2, 0.5, 9]), [0, 0.5, 6]);
    // elu(-1) = e^-1 - 1.
    assert.deepEqual(run('elu', [-1, 2]), [Math.round((Math.exp(-1) - 1) * 1e4) / 1e4, 2]);
    // h-swish(x) = x * relu6(x + 3) / 6: -4 -> 0, 1 -> 1 * 4/6, 4 -> 4.
    assert.deepEqual(run('hardSwish', [-4, 1, 4]), [0, 0.6667, 4]);
    assert.deepEqual(run('linear', [-4, 1]), [-4, 1]);
  });
});
