/**
 * Explanatory prose lives in the notebooks, where an instructor can edit it
 * in JupyterLab; `lib/chapters/` returns data and the short sentences that
 * carry measured numbers. This lint reads every string expression in
 * `lib/chapters/` (a literal, a template's fixed text, or a `+` chain of
 * them) and flags any whose fixed text is a paragraph. The stated exceptions
 * are the templates of findings (`findings.ts`) and of exercise answers
 * (`exercises.ts`): sentences that exist to carry a verdict or an answer.
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {parse} from '@babel/parser';

import {ROOT} from '../helpers/cli';
import {cellsOf, sourceOf} from '../helpers/knobs';

/** The longest fixed text a generated sentence may have: two short sentences around its numbers. */
export const PARAGRAPH_CHARACTERS = 200;
const TEMPLATE_FILES = new Set(['findings.ts', 'exercises.ts']);

interface Node {type: string; [key: string]: unknown}
export interface Literal {file: string; line: number; text: string}

const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && typeof (x as Node).type === 'string';

/** The fixed text of a string expression (literal, template or `+` chain), with the expressions it embeds; null for anything else. */
function fixedText(node: Node, embedded: Node[]): string | null {
  if (node.type === 'StringLiteral') return node.value as string;
  if (node.type === 'TemplateLiteral') {
    embedded.push(...(node.expressions as Node[]));
    return (node.quasis as Array<{value: {cooked: string}}>).map(q => q.value.cooked).join('');
  }
  if (node.type === 'BinaryExpression' && node.operator === '+') {
    const [left, right] = [fixedText(node.left as Node, embedded), fixedText(node.right as Node, embedded)];
    if (left === null && right === null) return null;
    if (left === null) embedded.push(node.left as Node);
    if (right === null) embedded.push(node.right as Node);
    return (left ?? '') + (right ?? '');
  }
  return null;
}

export function literalsOf(file: string): Literal[] {
  const program = parse(fs.readFileSync(file, 'utf8'), {sourceType: 'module', plugins: ['typescript']}).program;
  const found: Literal[] = [];
  const visit = (node: Node): void => {
    const embedded: Node[] = [];
    const text = fixedText(node, embedded);
    if (text !== null) {
      found.push({file, line: (node.loc as {start: {line: number}}).start.line, text});
      embedded.forEach(visit);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'loc' || key.endsWith('Comments')) continue;
      for (const child of Array.isArray(value) ? value : [value]) if (isNode(child)) visit(child);
    }
  };
  visit(program as unknown as Node);
  return found;
}

const sourcesUnder = (dir: string): string[] => fs.readdirSync(dir, {withFileTypes: true}).flatMap(e =>
    e.isDirectory() ? sourcesUnder(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);

const markdownOf = (notebook: string): string => cellsOf(notebook).filter(c => c.cell_type === 'markdown').map(sourceOf).join('\n');

describe('prose lives in the notebooks, not in lib/chapters', () => {
  const chapters = path.join(ROOT, 'lib', 'chapters');
  const literals = sourcesUnder(chapters).flatMap(literalsOf);

  it('reads string expressions whole: a + chain and a template count as one text', () => {
    const file = path.join(ROOT, 'test-artifacts', 'prose-lint-sample.ts');
    fs.mkdirSync(path.dirname(file), {recursive: true});
    fs.writeFileSync(file, "const n = 3;\nexport const s = `one ${n} two` + ' three' + String(n);\nexport const t = 'x';\n");
    assert.deepEqual(literalsOf(file).map(l => [l.line, l.text]), [[2, 'one  two three'], [3, 'x']]);
  });

  it(`has no fixed text over ${PARAGRAPH_CHARACTERS} characters outside findings' and answers' templates`, () => {
    const paragraphs = literals.filter(l => !TEMPLATE_FILES.has(path.basename(l.file)) && l.text.length > PARAGRAPH_CHARACTERS);
    assert.deepEqual(paragraphs.map(l => `${path.relative(ROOT, l.file)}:${l.line} (${l.text.length} characters): ${l.text.slice(0, 80)}…`), []);
  });

  it('leaves the chapter notebooks more prose than lib/chapters holds in sentences', () => {
    // A sentence here: fixed text of 60 characters or more with spaces in it (labels and headers are shorter).
    const sentences = literals.filter(l => l.text.length >= 60 && / \S+ /.test(l.text)).reduce((a, l) => a + l.text.length, 0);
    const notebooks = fs.readdirSync(path.join(ROOT, 'notebooks')).filter(f => /^0[1-4]-.*\.ipynb$/.test(f));
    const markdown = notebooks.reduce((a, f) => a + markdownOf(path.join(ROOT, 'notebooks', f)).length, 0);
    assert.equal(notebooks.length, 4);
    assert.ok(markdown > 2 * sentences, `chapter notebooks: ${markdown} characters of markdown; lib/chapters: ${sentences} in sentences`);
  });
});
