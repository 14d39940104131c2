/**
 * Chapter 02's exercises, answered: the 1x1 step's share from the built
 * modules, and the trained exercise read from its records (none here), with
 * the same networks as the notebook's cell.
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {xception} from '../../lib/chapters';
import {spectrumCostRows} from '../../lib/chapters/xception/paper';
import {ResultsStore} from '../../lib/results';
import {ROOT, tempDir} from '../helpers/cli';

describe('chapter 02 exercises, answered', function () {
  this.timeout(60_000);

  it('names the 1×1 step as what dominates past k ≈ 8, with its share from the built modules', async () => {
    const [one, two] = await xception.answers('smoke', {store: new ResultsStore(tempDir('answers02')), backend: 'wasm'});
    const rows = spectrumCostRows();
    const share = (k: number) => { const r = rows.find(x => x.segments === k)!; return (r.macs - r.spatialMacs) / r.macs; };
    // The 1x1 step is 64·64 per position; the 3x3 step 9·64·64/k: at k = 8 the 1x1 is 8/17 of the module, at k = 64 64/73.
    assert.ok(Math.abs(share(8) - 8 / 17) < 1e-9 && Math.abs(share(64) - 64 / 73) < 1e-9);
    assert.match(one.answer, new RegExp(`^the 1×1: it is ${Math.round(100 / 10)} % of the module's multiply-adds at k = 1, ${Math.round(800 / 17)} % at k = 8 and ${Math.round(6400 / 73)} % at k = C`));
    assert.match(two.answer, /^not run yet at the smoke budget/);
  });

  it('uses the same networks as the notebook\'s exercise cell', () => {
    const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', '02-xception-hypothesis.ipynb'), 'utf8')) as {cells: Array<{source: string | string[]}>};
    const source = nb.cells.map(c => (Array.isArray(c.source) ? c.source.join('') : c.source)).join('\n');
    assert.match(source, /a: \{label: 'linear between, k = 4', \.\.\.lab\.xception\.spectrum\(\{segments: 4\}\)\},\n {2}b: \{label: 'ReLU between, k = 4', \.\.\.lab\.xception\.spectrum\(\{segments: 4, between: 'relu'\}\)\},/);
    assert.deepEqual(xception.middleArms().b.options, xception.spectrum({segments: 4, between: 'relu'}).options);
    assert.match(source, /trainArms\(plan, atFour, \{seeds: \[1, 2, 3, 4\]\}\)/);
    assert.deepEqual(xception.EXERCISE2_SEEDS, [1, 2, 3, 4]);
  });
});
