/** squeezeExcite as MobileNetV3 uses it: pool -> dense ReLU -> dense -> hard sigmoid -> scale. */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {squeezeExcite} from '../../lib/blocks/squeeze-excite';
import {layerNames, modelOf, paramsOf, shapeAt} from '../helpers/graphs';

describe('squeezeExcite', () => {
  afterEach(() => tf.disposeVariables());

  it('keeps the shape, names its six steps and has 32*8 + 8 + 8*32 + 32 weights', () => {
    const model = modelOf([4, 4, 32], x => squeezeExcite(x, {squeezeChannels: 8, name: 'se'}));
    assert.deepEqual(layerNames(model), ['se_pool', 'se_reduce', 'se_expand', 'se_gate', 'se_reshape', 'se_scale']);
    assert.deepEqual(shapeAt(model, 'se_scale'), [null, 4, 4, 32]);
    assert.deepEqual(paramsOf(model), {total: 552, trainable: 552});
  });

  it("gates with the hard sigmoid relu6(z + 3) / 6, not Keras's 0.2 z + 0.5", () => {
    const model = modelOf([2, 2, 4], x => squeezeExcite(x, {squeezeChannels: 2, name: 'se'}));
    // Zero weights and an expand bias of 1.5: every gate is relu6(4.5) / 6 = 0.75 (Keras's would be 0.8).
    const expand = model.getLayer('se_expand');
    const [kernel, bias] = expand.getWeights();
    expand.setWeights([tf.zerosLike(kernel), tf.fill(bias.shape, 1.5)]);
    const reduce = model.getLayer('se_reduce');
    reduce.setWeights(reduce.getWeights().map(w => tf.zerosLike(w)));
    const x = tf.randomNormal([1, 2, 2, 4]);
    const y = model.predict(x) as tf.Tensor;
    assert.ok(tf.max(tf.abs(y.sub(x.mul(0.75)))).dataSync()[0] < 1e-6);
    tf.dispose([x, y]);
  });
});
