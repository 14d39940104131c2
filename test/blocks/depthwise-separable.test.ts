/** depthwiseSeparable: MobileNet v1's 3x3 depthwise then 1x1 pointwise (Fig. 3, right). */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {depthwiseSeparable} from '../../lib/blocks/depthwise-separable';
import {costOf} from '../../lib/cost';
import {configOf, layerNames, modelOf, paramsOf, shapeAt} from '../helpers/graphs';

describe('depthwiseSeparable', () => {
  afterEach(() => tf.disposeVariables());

  it('is dw conv -> BN -> act -> pw conv -> BN -> act, each step named', () => {
    const model = modelOf([16, 16, 8], x => depthwiseSeparable(x, {filters: 32, strides: 2, name: 'ds'}));
    assert.deepEqual(layerNames(model), ['ds_dw_conv', 'ds_dw_bn', 'ds_dw_act', 'ds_pw_conv', 'ds_pw_bn', 'ds_pw_act']);
    // The stride is the depthwise step's: 16 -> 8, then 8 -> 32 channels.
    assert.deepEqual(shapeAt(model, 'ds_dw_conv'), [null, 8, 8, 8]);
    assert.deepEqual(shapeAt(model, 'ds_pw_act'), [null, 8, 8, 32]);
  });

  it('weights: 3*3*8 depthwise + 8*32 pointwise + BN of 8 and 32; multiply-adds DK²·M·DF² + M·N·DF²', () => {
    const model = modelOf([16, 16, 8], x => depthwiseSeparable(x, {filters: 32, strides: 2, name: 'ds'}));
    assert.deepEqual(paramsOf(model), {total: 72 + 256 + 4 * (8 + 32), trainable: 72 + 256 + 2 * (8 + 32)});
    // At the 8x8 output: 3*3*8*64 = 4,608 and 8*32*64 = 16,384 (BN and ReLU count none).
    assert.equal(costOf(model).totals.macs, 4_608 + 16_384);
  });

  it('takes a 5x5 depthwise kernel and ReLU6', () => {
    const model = modelOf([8, 8, 4], x => depthwiseSeparable(x, {filters: 4, kernelSize: 5, act: 'relu6', name: 'ds'}));
    assert.deepEqual(configOf(model, 'ds_dw_conv', 'kernelSize'), [5, 5]);
    assert.equal(configOf(model, 'ds_pw_act', 'maxValue'), 6);
    // 5*5*4 + 4*4, no biases.
    assert.equal(paramsOf(model).trainable - 2 * (4 + 4), 100 + 16);
  });
});
