/**
 * Intervals and decisions (lib/results/intervals.ts) against numbers worked
 * by hand here, and Student t quantiles against the standard two-sided
 * table (e.g. NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.2,
 * "Critical values of the Student's t distribution").
 */
import {strict as assert} from 'node:assert';

import {holm, intervalOf, judge, noiseParts, pairedInterval, seedsToDecide, tQuantile, twoSidedP, unpairedInterval} from '../../lib/results';

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected} ± ${tolerance}`);

describe('intervals and decisions', () => {
  it('Student t quantiles match the table (two-sided 95 % and 90 %), and the normal limit', () => {
    // The table's upper critical values: t(0.975; 1) = 12.706, (0.975; 3) = 3.182, (0.975; 4) = 2.776,
    // (0.975; 10) = 2.228, (0.95; 3) = 2.353, (0.95; 10) = 1.812; the normal 1.960 as df grows.
    close(tQuantile(0.975, 1), 12.706, 5e-4, 't(0.975; 1)');
    close(tQuantile(0.975, 3), 3.182, 5e-4, 't(0.975; 3)');
    close(tQuantile(0.975, 4), 2.776, 5e-4, 't(0.975; 4)');
    close(tQuantile(0.975, 10), 2.228, 5e-4, 't(0.975; 10)');
    close(tQuantile(0.95, 3), 2.353, 5e-4, 't(0.95; 3)');
    close(tQuantile(0.95, 10), 1.812, 5e-4, 't(0.95; 10)');
    close(tQuantile(0.975, 1e6), 1.960, 5e-4, 't(0.975; 1e6)');
    // Symmetry, and p of the 97.5 % point is 5 % two-sided.
    close(tQuantile(0.025, 4), -tQuantile(0.975, 4), 1e-9, 'symmetry');
    close(twoSidedP(tQuantile(0.975, 4), 4), 0.05, 1e-6, 'p at the critical value');
    assert.throws(() => tQuantile(1, 3), /probability must be in \(0, 1\), got 1/);
    assert.throws(() => tQuantile(0.5, 0), /degrees of freedom must be > 0, got 0/);
  });

  it('a paired interval: per-seed differences 0.01, 0.03, 0.02, 0.00', () => {
    // Mean 0.015; deviations -0.005, 0.015, 0.005, -0.015: squares sum 0.0005, variance 0.0005 / 3,
    // sd 0.012910, standard error 0.012910 / 2 = 0.0064550; t(0.975; 3) = 3.18245 -> half-width 0.020542.
    const i = pairedInterval([0.01, 0.03, 0.02, 0.0]);
    close(i.estimate, 0.015, 1e-12, 'mean');
    close(i.standardError, 0.0064550, 1e-6, 'standard error');
    assert.equal(i.degreesOfFreedom, 3);
    close(i.low, 0.015 - 0.020542, 1e-5, 'low');
    close(i.high, 0.015 + 0.020542, 1e-5, 'high');
    assert.throws(() => pairedInterval([0.01]), /at least 2 seeds, got 1/);
  });

  it('an unpaired interval: means of 2 and 2 runs, one run\'s noise 0.02 on 4 degrees of freedom', () => {
    // Standard error 0.02·√(1/2 + 1/2) = 0.02; t(0.975; 4) = 2.77645: 0.03 ± 0.055529.
    const i = unpairedInterval(0.03, 0.02, 2, 2, 4);
    close(i.standardError, 0.02, 1e-12, 'standard error');
    close(i.low, 0.03 - 0.055529, 1e-5, 'low');
    close(i.high, 0.03 + 0.055529, 1e-5, 'high');
    assert.throws(() => unpairedInterval(0.03, 0.02, 0, 2, 4), /runs in a must be a whole number >= 1, got 0/);
  });

  it('decides: differs when the 95 % interval excludes zero; equivalent when the 90 % interval fits the margin; else undecided', () => {
    // se 0.005, df 10: 95 % half-width 2.228·0.005 = 0.01114, 90 % half-width 1.812·0.005 = 0.00906.
    assert.equal(judge(0.02, 0.005, 10).decision, 'differs');                  // 0.02 - 0.0111 > 0
    assert.equal(judge(-0.012, 0.005, 10).decision, 'differs');                // -0.012 + 0.0111 < 0
    assert.equal(judge(0.004, 0.005, 10, 0.02).decision, 'equivalent');       // [-0.0051, 0.0131] inside ±0.02
    assert.equal(judge(0.004, 0.005, 10, 0.01).decision, 'undecided');        // 0.0131 > 0.01
    assert.equal(judge(0.004, 0.005, 10).decision, 'undecided');              // no margin: never "equivalent"
    const j = judge(0.004, 0.005, 10, 0.02);
    close(j.interval90!.high, 0.004 + 1.8125 * 0.005, 1e-4, '90 % high');
    close(j.interval95!.low, 0.004 - 2.2281 * 0.005, 1e-4, '95 % low');
    // One seed: nothing measured, nothing decided.
    assert.equal(judge(0.05, NaN, 0).decision, 'unmeasured');
    assert.throws(() => judge(0.01, 0.005, 10, 0), /margin must be > 0, got 0/);
  });

  it('says how many seeds would decide: the fewest at which the interval clears zero or fits the margin', () => {
    // A difference of 0.01 with standard error 0.01 at 2 seeds: one seed's worth is 0.01·√2 = 0.014142.
    // Differs needs 0.01 > t(0.975; n-1)·0.014142/√n. n = 10: 2.2622·0.0044721 = 0.010117 (no);
    // n = 11: 2.2281·0.0042640 = 0.0095007 (yes).
    assert.equal(seedsToDecide(0.01, 0.01, 2), 11);
    // A difference of 0 within ±0.02 at the same noise: equivalent needs t(0.95; n-1)·0.014142/√n < 0.02.
    // n = 3: 2.9200·0.0081650 = 0.023842 (no); n = 4: 2.3534·0.0070711 = 0.016641 (yes).
    assert.equal(seedsToDecide(0, 0.01, 2, 0.02), 4);
    // No difference and no margin never decides.
    assert.equal(seedsToDecide(0, 0.01, 2, null, 50), null);
  });

  it('Holm\'s correction: p 0.01, 0.04, 0.03 at 5 % keeps only the first', () => {
    // Sorted: 0.01 < 0.05/3 = 0.0167 (kept); 0.03 < 0.05/2 = 0.025? no: stop.
    assert.deepEqual(holm([0.01, 0.04, 0.03]), [true, false, false]);
    // 0.001 < 0.0167, 0.02 < 0.025, 0.04 < 0.05: all kept.
    assert.deepEqual(holm([0.04, 0.001, 0.02]), [true, true, true]);
    assert.deepEqual(holm([]), []);
  });

  it('splits a run\'s accuracy noise into test-set sampling and training', () => {
    // Accuracy 0.75 on 1,000 test images: √(0.75·0.25/1000) = 0.013693; with 0.02 measured,
    // training is √(0.0004 - 0.0001875) = 0.014577.
    const parts = noiseParts(0.02, 0.75, 1000);
    close(parts.testSampling, 0.013693, 1e-6, 'test sampling');
    close(parts.training, 0.014577, 1e-6, 'training');
    // On the full 10,000 test images sampling falls to 0.0043301; a measured noise below sampling leaves training 0.
    close(noiseParts(0.02, 0.75, 10000).testSampling, 0.0043301, 1e-6, 'test sampling on 10,000');
    assert.equal(noiseParts(0.01, 0.75, 1000).training, 0);
    assert.throws(() => noiseParts(0.02, 1.5, 1000), /accuracy must be in \[0, 1\], got 1.5/);
  });

  it('intervalOf refuses a level outside (0, 1)', () => {
    assert.throws(() => intervalOf(0, 1, 3, 95), /confidence level must be in \(0, 1\), got 95/);
  });
});
