/**
 * A notebook's cells and sections as the tests read them, and what counts
 * as a cell a student can change (a "knob").
 */
import * as fs from 'node:fs';

export interface NotebookCell {cell_type: string; source: string | string[]; metadata?: {tags?: string[]}}
export interface Section {title: string; code: string[]}

export const cellsOf = (notebook: string): NotebookCell[] => (JSON.parse(fs.readFileSync(notebook, 'utf8')) as {cells: NotebookCell[]}).cells;
export const sourceOf = (cell: NotebookCell): string => [cell.source].flat().join('');

/** A notebook's `## ` sections (subsections belong to theirs), each with its code cells. */
export function sectionsOf(notebook: string): Section[] {
  const sections: Section[] = [];
  for (const cell of cellsOf(notebook)) {
    const source = sourceOf(cell);
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

/** The tag that opens a cell's code in the HTML report (jupyter/nbconvert/templates/cnnlab): every cell with a knob carries it. */
export const KNOB_TAG = 'knob';
