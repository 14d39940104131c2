import {strict as assert} from 'node:assert';

import {pooledStd, spread} from '../../lib/results';

describe('spread over seeds', () => {
  it('mean and sample standard deviation', () => {
    const s = spread([0.7, 0.8, 0.9]);
    assert.ok(Math.abs(s.mean - 0.8) < 1e-12);
    assert.ok(Math.abs(s.std - 0.1) < 1e-12);
    assert.deepEqual(spread([0.5]), {mean: 0.5, std: 0, n: 1});
    assert.throws(() => spread([]), /no values/);
  });

  it('pooled standard deviation: squared deviations from each group\'s own mean over N - groups', () => {
    const groups = [[0.70, 0.74], [0.80, 0.81, 0.86], [0.60]];
    // Straight from the definition, not from spread().
    let squares = 0, count = 0;
    for (const g of groups) {
      const mean = g.reduce((a, b) => a + b, 0) / g.length;
      squares += g.reduce((a, v) => a + (v - mean) ** 2, 0);
      count += g.length;
    }
    const expected = Math.sqrt(squares / (count - groups.length));
    const pooled = pooledStd(groups.map(spread));
    assert.equal(pooled.degreesOfFreedom, 3);
    assert.ok(Math.abs(pooled.std - expected) < 1e-12, `${pooled.std} vs ${expected}`);
    // Single values carry no noise estimate.
    const none = pooledStd([spread([0.5]), spread([0.6])]);
    assert.equal(none.degreesOfFreedom, 0);
    assert.ok(Number.isNaN(none.std));
  });
});
