/** invertedResidual: MobileNetV2's expand -> depthwise -> linear project, with its switches. */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {InvertedResidualArgs, invertedResidual} from '../../lib/blocks/inverted-residual';
import {classCounts, layerNames, modelOf, paramsOf, shapeAt} from '../helpers/graphs';

const block = (shape: number[], args: Partial<InvertedResidualArgs>) =>
    modelOf(shape, x => invertedResidual(x, {outChannels: 16, expandedChannels: 96, strides: 1, name: 'ir', ...args}));

/** Zero every convolution kernel: the residual branch then outputs 0 (BN of 0 with beta 0 is 0). */
function zeroConvolutions(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (['Conv2D', 'DepthwiseConv2D'].includes(layer.getClassName())) {
      layer.setWeights(layer.getWeights().map(w => tf.zerosLike(w)));
    }
  }
}

describe('invertedResidual', () => {
  afterEach(() => tf.disposeVariables());

  it('t = 6 on 8x8x16: expand to 96, depthwise, project to 16, add the input', () => {
    const model = block([8, 8, 16], {});
    assert.deepEqual(layerNames(model), [
      'ir_expand_conv', 'ir_expand_bn', 'ir_expand_act', 'ir_dw_conv', 'ir_dw_bn', 'ir_dw_act',
      'ir_project_conv', 'ir_project_bn', 'ir_add',
    ]);
    // 16*96 expand + 3*3*96 depthwise + 96*16 project, BN of 96, 96 and 16 (4 weights each, 2 trained).
    const weights = 1536 + 864 + 1536;
    assert.deepEqual(paramsOf(model), {total: weights + 4 * 208, trainable: weights + 2 * 208});
  });

  it('the skip is an identity: with the residual branch zeroed the block returns its input', () => {
    const model = block([4, 4, 16], {});
    zeroConvolutions(model);
    const x = tf.randomNormal([2, 4, 4, 16]);
    const y = model.predict(x) as tf.Tensor;
    assert.ok(tf.max(tf.abs(y.sub(x))).dataSync()[0] < 1e-6);
    tf.dispose([x, y]);
  });

  it('no skip when the stride is 2 or the width changes', () => {
    const strided = block([8, 8, 16], {strides: 2});
    assert.equal(classCounts(strided)['Add'], undefined);
    assert.deepEqual(shapeAt(strided, 'ir_project_bn'), [null, 4, 4, 16]);
    assert.equal(classCounts(block([8, 8, 16], {outChannels: 24}))['Add'], undefined);
  });

  it('no expansion conv when the expansion equals the input width (t = 1, the V2 first stage)', () => {
    const model = block([8, 8, 32], {expandedChannels: 32});
    assert.equal(layerNames(model)[0], 'ir_dw_conv');
    // 3*3*32 depthwise + 32*16 project.
    assert.equal(paramsOf(model).trainable, 288 + 512 + 2 * (32 + 16));
  });

  it("projectionAct 'relu6' adds the activation the linear bottleneck leaves out (Fig. 6's ablation)", () => {
    const model = block([8, 8, 16], {projectionAct: 'relu6'});
    assert.ok(layerNames(model).includes('ir_project_act'));
    assert.equal(model.getLayer('ir_project_act').getConfig()['maxValue'], 6);
  });

  it('squeeze-and-excite after the depthwise step adds two dense layers: 96*24 + 24 + 24*96 + 96', () => {
    const plain = paramsOf(block([8, 8, 16], {})).total;
    const model = block([8, 8, 16], {squeezeChannels: 24, kernelSize: 5, act: 'hardSwish'});
    const names = layerNames(model);
    assert.ok(names.indexOf('ir_se_scale') > names.indexOf('ir_dw_act') && names.indexOf('ir_se_scale') < names.indexOf('ir_project_conv'));
    // The 5x5 depthwise adds (25 - 9) * 96 weights.
    assert.equal(paramsOf(model).total - plain, 2304 + 24 + 2304 + 96 + 16 * 96);
    assert.equal(model.getLayer('ir_dw_act').getClassName(), 'HardSwish');
  });
});
