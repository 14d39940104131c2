/** The statistics behind the findings, each against its definition with hand-worked numbers. */
import {strict as assert} from 'node:assert';

import {closestInCost, costMismatch, differenceNoise, median, pairedVerdict, paretoFront, pooledStd, spread, verdict} from '../../lib/results';

const close = (actual: number, expected: number, what: string, tolerance = 1e-12) =>
    assert.ok(Math.abs(actual - expected) < tolerance, `${what}: ${actual} vs ${expected}`);

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

  it('decides by the 95 % interval with the noise estimate\'s degrees of freedom, not by noise units', () => {
    // Two-seed means at one run's std 0.03 (estimated on 4 degrees of freedom): standard error 0.03,
    // t(0.975; 4) = 2.7764451, half-width 0.08329335. 0.065 would have been "2.2 units, clearly beyond" under the old rule:
    // its interval -0.0183 to +0.1483 contains zero, so it is undecided.
    const noise = {runStd: 0.03, degreesOfFreedom: 4};
    const undecided = verdict(0.065, noise, {runsEach: 2});
    assert.equal(undecided.decision, 'undecided');
    assert.equal(undecided.beyondNoise, false);
    assert.ok(Math.abs(undecided.low - (0.065 - 0.08329335)) < 1e-7, `low ${undecided.low}`);
    assert.ok(Math.abs(undecided.high - (0.065 + 0.08329335)) < 1e-7, `high ${undecided.high}`);
    assert.match(undecided.label, /^undecided at this budget \(95 % interval -0\.018 to \+0\.148; about \d+ seeds per arm would decide it\)$/);
    // 0.1 clears it: differs, with the interval in the label; the sign does not matter.
    assert.match(verdict(0.1, noise, {runsEach: 2}).label, /^differs \(95 % interval \+0\.017 to \+0\.183\)$/);
    assert.equal(verdict(-0.1, noise, {runsEach: 2}).decision, 'differs');
    // Equivalence is said only against a margin set beforehand: 0.005 within ±0.08 at 90 % (half-width 2.1318·0.03 = 0.063954).
    const same = verdict(0.005, noise, {runsEach: 2, margin: 0.08});
    assert.equal(same.decision, 'equivalent');
    assert.match(same.label, /^equivalent within ±0\.08 \(90 % interval -0\.059 to \+0\.069\)$/);
    assert.equal(verdict(0.005, noise, {runsEach: 2}).decision, 'undecided', 'no margin, no equivalence');
  });

  it('without a noise estimate (one seed) says it did not check, instead of deciding anything', () => {
    for (const runStd of [NaN, 0]) {
      const v = verdict(0.2, {runStd, degreesOfFreedom: 0});
      assert.match(v.label, /not checked \(one seed: no noise measured\)/);
      assert.equal(v.beyondNoise, false);
      assert.equal(v.decision, 'unmeasured');
      assert.ok(Number.isNaN(v.low));
    }
  });
});

describe('paired verdicts (both arms at each seed)', () => {
  it('takes the per-seed differences\' mean and spread, on n - 1 degrees of freedom', () => {
    // Differences 0.002, 0.006, 0.003, 0.005, 0.004: mean 0.004, sample std √(1e-5 / 4) = 0.0015811, standard error 0.00070711.
    // t(0.975; 4) = 2.7764451: 95 % interval 0.004 ± 0.0019632 = +0.00204 to +0.00596, which excludes zero.
    const v = pairedVerdict([0.002, 0.006, 0.003, 0.005, 0.004]);
    assert.equal(v.decision, 'differs');
    assert.equal(v.degreesOfFreedom, 4);
    close(v.noise, 0.0015811388 / Math.sqrt(5), 'standard error', 1e-9);
    close(v.low, 0.004 - 0.0019632, 'low', 1e-6);
    close(v.high, 0.004 + 0.0019632, 'high', 1e-6);
  });

  it('for a claim of equivalence, an interval inside the margin says equivalent even when it also excludes zero', () => {
    // The same differences: 90 % interval 0.004 ± t(0.95; 4) 2.1318468 · 0.00070711 = +0.00249 to +0.00551, inside ±0.02.
    const differences = [0.002, 0.006, 0.003, 0.005, 0.004];
    assert.equal(pairedVerdict(differences, 0.02, true).decision, 'equivalent');
    assert.match(pairedVerdict(differences, 0.02, true).label, /^equivalent within ±0\.02 \(90 % interval \+0\.002 to \+0\.006\)$/);
    assert.equal(pairedVerdict(differences, 0.02, false).decision, 'differs', 'a claimed gain: the difference is what was measured');
    // 0.05, 0.06, 0.07: mean 0.06, std 0.01, standard error 0.0057735; 90 % interval ± 2.9199856 · 0.0057735 = +0.043 to +0.077,
    // outside ±0.02: not equivalent; the 95 % one (± 4.3026527 · 0.0057735 = ± 0.024841) excludes zero: differs.
    assert.equal(pairedVerdict([0.05, 0.06, 0.07], 0.02, true).decision, 'differs');
  });

  it('is undecided when the spread of the differences is wide, and says how many seeds would decide', () => {
    // 0.01, 0.03, 0.02: mean 0.02, std 0.01, standard error 0.0057735, 95 % half-width 4.3026527 · 0.0057735 = 0.024841.
    const v = pairedVerdict([0.01, 0.03, 0.02]);
    assert.equal(v.decision, 'undecided');
    close(v.low, 0.02 - 0.024841, 'low', 1e-6);
    // With n seeds the standard error is 0.01 / √n: n = 4 gives 3.1824463 · 0.005 = 0.0159 < 0.02, n = 3 does not.
    assert.equal(v.seedsToDecide, 4);
  });

  it('cannot judge one seed: no spread, no interval', () => {
    const v = pairedVerdict([0.03]);
    assert.equal(v.decision, 'unmeasured');
    assert.equal(v.difference, 0.03);
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

  it('says so when every seed gave the same difference, instead of calling it one seed', () => {
    assert.equal(pairedVerdict([0.01, 0.01, 0.01]).label, 'not checked (every seed gave the same difference: no spread to judge it by)');
    assert.equal(pairedVerdict([0.01]).label, 'not checked (one seed: no noise measured)');
  });

  it('takes the median: the middle value, or the mean of the middle two', () => {
    assert.equal(median([50, 1.2, 1.3]), 1.3, 'one slow timing does not move it');
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), /the median of no values/);
  });
});
