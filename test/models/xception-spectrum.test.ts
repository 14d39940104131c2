/** The spectrum module: k segments cost 1/k of the regular 3x3 step; k = C is depthwise separable. */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {costOf} from '../../lib/cost';
import {separableMacs, standardConvMacs} from '../../lib/cost/formulas';
import {SpectrumModuleArgs, buildXceptionSpectrum, spectrumModule} from '../../lib/models';
import {stageFilters} from '../../lib/models/xception-spectrum';

function moduleMacs(segments: number, channels = 64, size = 14, extra: Partial<SpectrumModuleArgs> = {}): number {
  const input = tf.input({shape: [size, size, channels]});
  const model = tf.model({inputs: input, outputs: spectrumModule(input, {filters: channels, segments, between: 'linear', strides: 1, name: 'm', ...extra})});
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

  it('depthwise first costs what pointwise first does when the channels stay; a grouped 1x1 costs 1/g', () => {
    assert.equal(moduleMacs(0, 64, 14, {order: 'depthwise-first'}), moduleMacs(0));
    assert.equal(moduleMacs(8, 64, 14, {order: 'depthwise-first'}), moduleMacs(8));
    const pointwise = standardConvMacs(1, 64, 64, 14);
    assert.equal(moduleMacs(4, 64, 14, {pointwiseGroups: 4}), moduleMacs(4) - pointwise + pointwise / 4);
    assert.equal(moduleMacs(4, 64, 14, {pointwiseGroups: 4, shuffle: true}), moduleMacs(4, 64, 14, {pointwiseGroups: 4}));
  });

  it('without a shuffle a grouped module keeps its groups apart; with one, each output sees every input group', () => {
    /** Input channels whose gradient reaches output channel 0 of a module with 4 pointwise groups and 4 segments. */
    const reached = (shuffle: boolean) => {
      const input = tf.input({shape: [6, 6, 16]});
      const model = tf.model({inputs: input, outputs: spectrumModule(input, {filters: 16, segments: 4, between: 'linear', strides: 1,
                                                                         name: 'g', pointwiseGroups: 4, shuffle})});
      const grad = tf.grad((x: tf.Tensor) => (model.apply(x, {training: true}) as tf.Tensor).slice([0, 0, 0, 0], [-1, -1, -1, 1]).sum())(
          tf.randomNormal([2, 6, 6, 16], 0, 1, 'float32', 3));
      const perChannel = grad.abs().sum([0, 1, 2]).arraySync() as number[];
      model.dispose();
      return perChannel.map((v, c) => (v > 0 ? c : -1)).filter(c => c >= 0);
    };
    assert.deepEqual(reached(false), [0, 1, 2, 3]);
    assert.deepEqual(reached(true), [...Array(16).keys()]);
  });

  it('costs every option the chapter trains: each activation between the steps, each order, the shuffle', () => {
    for (const between of ['linear', 'relu', 'elu'] as const) assert.equal(moduleMacs(0, 64, 14, {between}), moduleMacs(0));
    const model = buildXceptionSpectrum({resolution: 28, width: 0.5, segments: 4, pointwiseGroups: 4, shuffle: true, order: 'pointwise-first'});
    assert.ok(costOf(model).totals.macs > 0);
    model.dispose();
  });

  it('rounds a stage\'s channels to fit the segments and groups, so every width builds', () => {
    assert.equal(stageFilters(64, {width: 0.5, segments: 4, pointwiseGroups: 1}), 32, 'a count that divides stays');
    assert.equal(stageFilters(64, {width: 0.75, segments: 32, pointwiseGroups: 1}), 64, '48 rounds to the nearest multiple of 32');
    assert.equal(stageFilters(64, {width: 0.3, segments: 32, pointwiseGroups: 1}), 32, 'never below one per segment');
    assert.equal(stageFilters(128, {width: 0.45, segments: 3, pointwiseGroups: 4}), 60, '58 to a multiple of 12');
    assert.equal(stageFilters(64, {width: 0.45, segments: 0, pointwiseGroups: 1}), 29, 'k = C takes any count');
  });

  it('refuses segments that do not divide the channels, and a shuffle without groups', () => {
    assert.throws(() => moduleMacs(5), /64 channels do not divide into 5 segments/);
    assert.throws(() => moduleMacs(4, 64, 14, {shuffle: true}), /shuffle needs pointwiseGroups above 1/);
    assert.throws(() => buildXceptionSpectrum({order: 'sideways' as never}), /order must be one of pointwise-first, depthwise-first, got 'sideways'/);
  });
});
