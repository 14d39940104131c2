/**
 * Chapter 01's exercises, answered: the 1x1 break-even against the
 * arithmetic written here, the factorisation's savings adding up to the
 * networks' difference, and the trained exercise read from its records.
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {inception} from '../../lib/chapters';
import {columnOf, tablesOf} from '../../lib/display';
import {networkCost} from '../../lib/models/costs';
import {ResultsStore} from '../../lib/results';
import {ROOT, tempDir} from '../helpers/cli';

describe('chapter 01 exercises, answered', function () {
  this.timeout(60_000);

  it('finds where a 1×1 reduction pays for itself by building both chains: 33 input channels', () => {
    // 25·C·96 against C·32 + 25·32·96: fewer once 2,368·C > 76,800, C > 32.4.
    assert.equal(inception.reductionPaysFrom(), 33);
    const table = tablesOf([inception.chainsTable([8, 8, 33], [
      {label: 'alone', steps: [{filters: 96, kernel: 5}]},
      {label: 'reduced', steps: [{filters: 32, kernel: 1}, {filters: 96, kernel: 5}]},
    ])])[0];
    assert.deepEqual(columnOf(table, 'weights'), [25 * 33 * 96, 33 * 32 + 25 * 32 * 96].map(n => n.toLocaleString('en-US')));
  });

  it('splits the factorisation\'s saving by stage, adding up to the two networks\' difference', () => {
    const savings = inception.factorisationSavings();
    const [two, factorised] = [inception.inception({}), inception.inception({kernels: '1x3-3x1'})]
        .map(s => networkCost(s.model, s.options).totals.macs);
    assert.equal(savings.reduce((a, s) => a + s.saved, 0), two - factorised);
    assert.ok(savings.some(s => s.saved > 0));
  });

  it('answers all three, the trained one as not run yet on an empty results folder', async () => {
    const answers = await inception.answers('smoke', {store: new ResultsStore(tempDir('answers01')), backend: 'wasm'});
    assert.deepEqual(answers.map(a => a.exercise), [1, 2, 3]);
    assert.match(answers[0].answer, /^from 33 input channels/);
    assert.match(answers[1].answer, /The most is saved in (stage\d|reduction\d), on its \d+ × \d+ grid/);
    assert.match(answers[2].answer, /^not run yet at the smoke budget: run the exercise's cell \(it trains both networks at seeds 1, 2, 3, 4\)/);
  });

  it('uses the same networks as the notebook\'s exercise cell', () => {
    const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', '01-inception-evolution.ipynb'), 'utf8')) as {cells: Array<{source: string | string[]}>};
    const source = nb.cells.map(c => (Array.isArray(c.source) ? c.source.join('') : c.source)).join('\n');
    assert.match(source, /const moreSeeds = \{\n {2}a: \{label: 'two 3×3', \.\.\.lab\.inception\.inception\(\{kernels: '3x3-3x3', wideReduction: 'full'\}\)\},\n {2}b: \{label: 'one 5×5', \.\.\.lab\.inception\.inception\(\{kernels: '5x5', wideReduction: 'full'\}\)\},/);
    assert.deepEqual(inception.kernelArms().a.options, inception.inception({kernels: '3x3-3x3', wideReduction: 'full'}).options);
    assert.match(source, /trainArms\(plan, moreSeeds, \{seeds: \[1, 2, 3, 4\]\}\)/);
    assert.deepEqual(inception.EXERCISE3_SEEDS, [1, 2, 3, 4]);
  });
});
