/**
 * Every section of a chapter notebook has a cell a student can change: a
 * call with a literal argument in view (a width, a kernel, a list of arms),
 * not only `lab.show(lab.<chapter>.<name>Section(runs))`. Whether such an
 * edit re-runs and changes the output is checked through Jupyter in each
 * chapter's notebook test; this checks that every section offers one.
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {BOOK} from '../../lib/chapters';
import {ROOT} from '../helpers/cli';

interface Cell {cell_type: string; source: string | string[]}
interface Section {title: string; code: string[]}

/** A notebook's `## ` sections (subsections belong to theirs), each with its code cells. */
export function sectionsOf(notebook: string): Section[] {
  const cells = (JSON.parse(fs.readFileSync(notebook, 'utf8')) as {cells: Cell[]}).cells;
  const sections: Section[] = [];
  for (const cell of cells) {
    const source = [cell.source].flat().join('');
    const heading = cell.cell_type === 'markdown' ? /^## (.+)$/m.exec(source) : null;
    if (heading) sections.push({title: heading[1].trim(), code: []});
    else if (cell.cell_type === 'code' && sections.length > 0) sections.at(-1)!.code.push(source);
  }
  return sections;
}

/** A call with a literal among its arguments: a number, a string, an object or a list a reader can edit. */
export const hasKnob = (code: string): boolean =>
    code.split('\n').some(line => /\b[\w.]+\((?:[^()]*\()*[^()]*?(?:(?<![\w.])\d|'|"|`|\{|\[)/.test(line) && !/^\s*(import|\/\/)/.test(line)) ||
    /=\s*\{\s*$/m.test(code);

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
  }
});
