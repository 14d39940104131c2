import {strict as assert} from 'node:assert';

import {spread} from '../../lib/results';

describe('spread over seeds', () => {
  it('mean and sample standard deviation', () => {
    const s = spread([0.7, 0.8, 0.9]);
    assert.ok(Math.abs(s.mean - 0.8) < 1e-12);
    assert.ok(Math.abs(s.std - 0.1) < 1e-12);
    assert.deepEqual(spread([0.5]), {mean: 0.5, std: 0, n: 1});
    assert.throws(() => spread([]), /no values/);
  });
});
