import {MimeBundle, display} from './mime';

/** One column of a table: which field, its header, and how to print a value. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number;
  /** Right-align (numbers). Default: right for numbers, left otherwise. */
  align?: 'left' | 'right';
}

/** Formats with thousands separators; integers stay exact. */
export function formatCount(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', {maximumFractionDigits: 3});
}

function cellText(value: string | number): string {
  const text = typeof value === 'number' ? formatCount(value) : value;
  // A pipe would end the cell early in Markdown.
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * A Markdown table (JupyterLab and nbconvert both render text/markdown) with
 * an aligned text/plain twin for terminals.
 */
export function tableBundle<Row>(rows: readonly Row[], columns: readonly Column<Row>[], caption?: string): MimeBundle {
  if (columns.length === 0) throw new Error('a table needs at least one column, got 0');
  const cells = rows.map(row => columns.map(col => col.value(row)));
  const alignOf = (i: number) => columns[i].align ??
      (cells.length > 0 && typeof cells[0][i] === 'number' ? 'right' : 'left');
  const header = `| ${columns.map(c => cellText(c.header)).join(' | ')} |`;
  const rule = `|${columns.map((_, i) => alignOf(i) === 'right' ? '---:' : ':---').join('|')}|`;
  const body = cells.map(r => `| ${r.map(cellText).join(' | ')} |`);
  const markdown = [caption ? `**${caption}**\n` : '', header, rule, ...body].filter(Boolean).join('\n');

  const texts = [columns.map(c => c.header), ...cells.map(r => r.map(v => typeof v === 'number' ? formatCount(v) : v))];
  const widths = columns.map((_, i) => Math.max(...texts.map(r => r[i].length)));
  const plain = texts.map(r => r.map((t, i) => alignOf(i) === 'right' ? t.padStart(widths[i]) : t.padEnd(widths[i])).join('  '));
  return {'text/markdown': markdown, 'text/plain': (caption ? `${caption}\n` : '') + plain.join('\n')};
}

export function showTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], caption?: string): void {
  display(tableBundle(rows, columns, caption));
}

/** Prose computed from results (never typed in by hand), as Markdown. */
export function showMarkdown(markdown: string): void {
  display({'text/markdown': markdown, 'text/plain': markdown});
}
