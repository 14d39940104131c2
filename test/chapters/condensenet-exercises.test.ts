/**
 * Chapter 04's exercises, answered: each network's cost from its build, and
 * the trained exercise read from its records (none here), with the same
 * networks as the notebook's cells.
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {condensenet} from '../../lib/chapters';
import {networkCost} from '../../lib/models/costs';
import {ResultsStore} from '../../lib/results';
import {ROOT, tempDir} from '../helpers/cli';

describe('chapter 04 exercises, answered', function () {
  this.timeout(60_000);

  it('costs the learned network as trained at the DenseNet\'s multiply-adds, and converted at a fraction', async () => {
    const [one, two] = await condensenet.answers('smoke', {store: new ResultsStore(tempDir('answers04')), backend: 'wasm'});
    const [dense, trained, converted] = condensenet.costedNetworks().map(n => networkCost(n.model, n.options).totals.macs);
    assert.equal(trained, dense, 'the masked network pays for every weight');
    assert.ok(converted < dense);
    assert.match(one.answer, new RegExp(`the learned network as trained does 100 % .* converted ${Math.round(100 * converted / dense)} %`));
    assert.match(two.answer, /^not run yet at the smoke budget/);
  });

  it('uses the same networks as the notebook\'s exercise cells', () => {
    const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', '04-condensenet.ipynb'), 'utf8')) as {cells: Array<{source: string | string[]}>};
    const source = nb.cells.map(c => (Array.isArray(c.source) ? c.source.join('') : c.source)).join('\n');
    assert.match(source, /\{label: 'learned, converted', model: 'condensenet', options: \{\.\.\.lab\.condensenet\.condensenet\(\{\}\)\.options, converted: true\}\}/);
    assert.match(source, /a: \{label: 'learned groups', \.\.\.lab\.condensenet\.condensenet\(\{\}\)\},\n {2}b: \{label: 'fixed groups', \.\.\.lab\.condensenet\.condensenet\(\{pointwise: 'group'\}\)\},/);
    assert.deepEqual(condensenet.groupArms().b.options, condensenet.condensenet({pointwise: 'group'}).options);
    assert.match(source, /trainArms\(plan, moreSeeds, \{seeds: \[1, 2, 3, 4\]\}\)/);
    assert.deepEqual(condensenet.EXERCISE2_SEEDS, [1, 2, 3, 4]);
  });
});
