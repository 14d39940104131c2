/**
 * Every section of a chapter notebook has a cell a student can change: a
 * call with a literal argument in view (a width, a kernel, a list of arms),
 * not only `lab.show(lab.<chapter>.<name>Section(runs))`. Whether such an
 * edit re-runs and changes the output is checked through Jupyter in each
 * chapter's notebook test; this checks that every section offers one.
 */
import {strict as assert} from 'node:assert';
import * as path from 'node:path';

import {BOOK} from '../../lib/chapters';
import {ROOT} from '../helpers/cli';
import {KNOB_TAG, cellsOf, hasKnob, sectionsOf, sourceOf} from '../helpers/knobs';

/** A summary of the verdicts the sections above already show: nothing in it is a network to change. */
const SUMMARIES = new Set(['What the lab found']);

describe('chapter notebooks have a cell to change in every section', () => {
  it('tells a knob from a bare section renderer', () => {
    assert.equal(hasKnob('await lab.show(lab.inception.kernelsSection(runs));'), false);
    assert.equal(hasKnob('await lab.show(lab.mobilenet.table3Section());'), false);
    assert.equal(hasKnob('await lab.show(lab.xception.spectrumCostSection(64, 14));'), true);
    assert.equal(hasKnob("const m = lab.inception.inception({kernels: '3x3-3x3'});"), true);
    assert.equal(hasKnob('const arms = {\n  a: lab.x(),\n};'), true);
  });

  for (const entry of BOOK.filter(e => e.id !== '00')) {
    it(`${entry.notebook}: every section but the summary has a call with an argument to change`, () => {
      const sections = sectionsOf(path.join(ROOT, 'notebooks', entry.notebook)).filter(s => !SUMMARIES.has(s.title.replace(/^\d+\.\s*/, '')));
      assert.ok(sections.length >= 5, `${entry.notebook} has ${sections.length} sections`);
      const bare = sections.filter(s => !s.code.some(hasKnob)).map(s => s.title);
      assert.deepEqual(bare, []);
    });

    it(`${entry.notebook}: the cells with a knob, and only they, are tagged to show their code in the report`, () => {
      const code = cellsOf(path.join(ROOT, 'notebooks', entry.notebook)).filter(c => c.cell_type === 'code');
      const wrong = code.filter(c => hasKnob(sourceOf(c)) !== (c.metadata?.tags ?? []).includes(KNOB_TAG))
          .map(c => `${hasKnob(sourceOf(c)) ? 'untagged' : 'tagged'}: ${sourceOf(c).split('\n')[0]}`);
      assert.deepEqual(wrong, []);
    });
  }
});
