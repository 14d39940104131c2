/** The spectrum module: k segments cost 1/k of the regular 3x3 step; k = C is depthwise separable. */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {costOf} from '../../lib/cost';
import {separableMacs, standardConvMacs} from '../../lib/cost/formulas';
import {spectrumModule} from '../../lib/models';

function moduleMacs(segments: number, channels = 64, size = 14): number {
  const input = tf.input({shape: [size, size, channels]});
  const model = tf.model({inputs: input, outputs: spectrumModule(input, {filters: channels, segments, between: 'linear', strides: 1, name: 'm'})});
  const {totals} = costOf(model);
  model.dispose();
  return totals.macs;
}

describe('Xception spectrum module', () => {
  it('k = 1 is a 1x1 then a regular 3x3; k = C is a depthwise separable convolution (pointwise first)', () => {
    assert.equal(moduleMacs(1), standardConvMacs(1, 64, 64, 14) + standardConvMacs(3, 64, 64, 14));
    assert.equal(moduleMacs(0), separableMacs(3, 64, 64, 14));
    assert.equal(moduleMacs(64), moduleMacs(0));
  });

  it('the 3x3 step costs 1/k of the regular one for k segments', () => {
    const pointwise = standardConvMacs(1, 64, 64, 14);
    const regular = moduleMacs(1) - pointwise;
    for (const k of [2, 4, 8, 16]) assert.equal(moduleMacs(k) - pointwise, regular / k);
  });

  it('refuses segments that do not divide the channels', () => {
    assert.throws(() => moduleMacs(5), /64 channels do not divide into 5 segments/);
  });
});
