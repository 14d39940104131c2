/** The statistics behind the findings, each against its definition with hand-worked numbers. */
import {strict as assert} from 'node:assert';

import {closestInCost, costMismatch, differenceNoise, paretoFront, pooledStd, spread, verdict} from '../../lib/results';

const close = (actual: number, expected: number, what: string) =>
    assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

describe('spread over seeds', () => {
  it('mean and sample standard deviation', () => {
    const s = spread([0.7, 0.8, 0.9]);
    close(s.mean, 0.8, 'mean');
    // Squares 0.01 + 0 + 0.01 over n - 1 = 2: variance 0.01.
    close(s.std, 0.1, 'std');
    assert.deepEqual(spread([0.5]), {mean: 0.5, std: 0, n: 1});
    assert.throws(() => spread([]), /no values/);
  });

  it('pooled standard deviation: squared deviations from each group\'s own mean over N - groups', () => {
    // Group means 0.72 and 0.82; squares 0.0004 + 0.0004 and 0.0004 + 0 + 0.0004: 0.0016 over
    // 6 values - 3 groups = 3 degrees of freedom (the single value adds none).
    const pooled = pooledStd([spread([0.70, 0.74]), spread([0.80, 0.82, 0.84]), spread([0.60])]);
    assert.equal(pooled.degreesOfFreedom, 3);
    assert.ok(Math.abs(pooled.std - Math.sqrt(0.0016 / 3)) < 1e-9, `pooled std ${pooled.std}`);
    const none = pooledStd([spread([0.5]), spread([0.6])]);
    assert.equal(none.degreesOfFreedom, 0);
    assert.ok(Number.isNaN(none.std));
  });
});

describe('noise of a difference and its verdict', () => {
  it('a difference of two single runs has √2 times one run\'s std; of two means of n runs, √(2/n) times', () => {
    close(differenceNoise(0.03), 0.03 * Math.SQRT2, 'one run each');
    // var(mean of 2) = 0.03² / 2; the difference of two such means: 0.03², std 0.03.
    close(differenceNoise(0.03, 2), 0.03, 'two runs each');
    assert.throws(() => differenceNoise(0.03, 0), /whole number >= 1, got 0/);
  });

  it('beyond 2 noise units is clear, beyond 1 not by much, else within; the margin says how far', () => {
    // Noise of a two-seed mean difference at std 0.03: 0.03.
    const clear = verdict(0.065, 0.03, 2);
    assert.equal(clear.label, 'clearly beyond the seed noise');
    close(clear.margin, 0.065 / 0.03, 'margin');
    assert.equal(clear.beyondNoise, true);
    // Single runs: noise 0.0424; 0.05 is 1.18 units.
    assert.equal(verdict(0.05, 0.03).label, 'beyond the seed noise, but not by much');
    assert.equal(verdict(-0.05, 0.03).label, 'beyond the seed noise, but not by much', 'the sign does not matter');
    const within = verdict(0.016, 0.03);
    assert.equal(within.label, 'within the seed noise');
    assert.equal(within.beyondNoise, false);
  });

  it('without a noise estimate (one seed) says it did not check, instead of calling every difference clear', () => {
    for (const std of [NaN, 0]) {
      const v = verdict(0.2, std);
      assert.match(v.label, /not checked against noise/);
      assert.equal(v.beyondNoise, false);
      assert.ok(Number.isNaN(v.margin));
    }
  });
});

describe('Pareto front and matched cost', () => {
  it('keeps the points nothing beats on both cost and accuracy, cheapest first', () => {
    const p = (label: string, macs: number, accuracy: number) => ({label, macs, accuracy, group: 'g'});
    const points = [p('a', 10, 0.70), p('b', 20, 0.69), p('c', 20, 0.75), p('d', 5, 0.60), p('e', 40, 0.75), p('f', 30, 0.80)];
    // b is beaten by a (cheaper, better); e by c (same accuracy, cheaper).
    assert.deepEqual(paretoFront(points).map(q => q.label), ['d', 'a', 'c', 'f']);
  });

  it('picks the candidate closest in cost, the first on a tie', () => {
    const candidates = [{w: 0.25, macs: 100}, {w: 0.5, macs: 300}, {w: 0.75, macs: 500}];
    assert.equal(closestInCost(candidates, 360).w, 0.5);
    assert.equal(closestInCost(candidates, 400).w, 0.5, 'a tie goes to the first');
    assert.throws(() => closestInCost([], 1), /at least one candidate/);
    close(costMismatch(300, 360), 60 / 360, 'relative mismatch');
  });
});
