/**
 * The five channel-rounding rules, each on values where it parts from the
 * others, with the arithmetic written out.
 */
import {strict as assert} from 'node:assert';

import {classicChannels, labChannels, makeDivisible, scaledFilters, xceptionChannels} from '../../lib/models/channels';

describe('channel rounding, one rule per source', () => {
  it('MobileNet v1 (TF-slim depth()): truncates, at least 8', () => {
    assert.equal(scaledFilters(64, 0.3), 19);     // int(19.2)
    assert.equal(scaledFilters(1024, 0.35), 358); // int(358.4)
    assert.equal(scaledFilters(100, 0.999), 99);  // int(99.9): truncation, not rounding
    assert.equal(scaledFilters(32, 0.2), 8);      // int(6.4) = 6, raised to 8
  });

  it('MobileNetV2/V3 (make_divisible): nearest multiple of 8, never 10 % below the value', () => {
    assert.equal(makeDivisible(19.2), 24);   // nearest 16 is below 0.9 x 19.2 = 17.28: one step up
    assert.equal(makeDivisible(44.8), 48);   // 32 x 1.4: (44.8 + 4) // 8 = 6 -> 48
    assert.equal(makeDivisible(36), 40);     // a tie (36 + 4 = 40) goes up
    assert.equal(makeDivisible(33), 32);     // 32 >= 0.9 x 33 = 29.7: kept
    assert.equal(makeDivisible(3), 8);       // below the divisor: the minimum, 8
    assert.equal(makeDivisible(18, 4), 20);  // another divisor: (18 + 2) // 4 = 5 -> 20
  });

  it('AlexNet / VGG: nearest whole channel, at least 1', () => {
    assert.equal(classicChannels(64, 0.3), 19);    // round(19.2)
    assert.equal(classicChannels(100, 0.999), 100); // round(99.9): rounding, not truncation
    assert.equal(classicChannels(4096, 0.0001), 1); // round(0.41) = 0, raised to 1
  });

  it('Xception: nearest whole channel, at least 8', () => {
    assert.equal(xceptionChannels(728, 0.25), 182); // 182 exactly
    assert.equal(xceptionChannels(64, 0.3), 19);    // round(19.2)
    assert.equal(xceptionChannels(32, 0.2), 8);     // round(6.4) = 6, raised to 8
  });

  it('inception_lab: nearest multiple of 8, at least 16', () => {
    assert.equal(labChannels(128, 0.3), 40);  // 38.4 / 8 = 4.8 -> 5 x 8
    assert.equal(labChannels(256, 0.5), 128);
    assert.equal(labChannels(64, 0.1), 16);   // 6.4 / 8 rounds to 1 -> 8, raised to 16
  });

  it('the same request gives different widths under different rules', () => {
    // 64 channels at 0.3: truncation 19, make_divisible 24, nearest 19, lab 16 (19.2 / 8 = 2.4 -> 2 x 8).
    assert.deepEqual([scaledFilters(64, 0.3), makeDivisible(64 * 0.3), xceptionChannels(64, 0.3), labChannels(64, 0.3)],
        [19, 24, 19, 16]);
  });
});
