/** Tables as data (what chapters return) and as Markdown + aligned text bundles. */
import {formatCount} from './format';
import {MimeBundle} from './mime';

/** One column of a table: its header, and how to print a row's value. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number;
  /** Right-align (numbers). Default: right for numbers, left otherwise. */
  align?: 'left' | 'right';
}

/** A table as data: what chapters return and tests read. */
export interface Table {
  caption?: string;
  headers: string[];
  align: Array<'left' | 'right'>;
  /** Cell values as computed (numbers stay numbers). */
  rows: Array<Array<string | number>>;
}

export function makeTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], caption?: string): Table {
  if (columns.length === 0) throw new Error('a table needs at least one column, got 0');
  const cells = rows.map(row => columns.map(col => col.value(row)));
  const align = columns.map((col, i) => col.align ??
      (cells.length > 0 && typeof cells[0][i] === 'number' ? 'right' : 'left'));
  return {caption, headers: columns.map(c => c.header), align, rows: cells};
}

/** The column whose header is `header`, as printed text (tests look values up by header). */
export function columnOf(table: Table, header: string): string[] {
  const i = table.headers.indexOf(header);
  if (i < 0) throw new Error(`table '${table.caption ?? ''}' has no column '${header}'; its columns: ${table.headers.join(', ')}`);
  return table.rows.map(r => cellText(r[i]));
}

function cellText(value: string | number): string {
  return typeof value === 'number' ? formatCount(value) : value;
}

function markdownCell(value: string | number): string {
  // A pipe would end the cell early in Markdown.
  return cellText(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * A Markdown table (JupyterLab and nbconvert both render text/markdown) with
 * an aligned text/plain twin for terminals.
 */
export function tableBundleOf(table: Table): MimeBundle {
  const header = `| ${table.headers.map(markdownCell).join(' | ')} |`;
  const rule = `|${table.align.map(a => a === 'right' ? '---:' : ':---').join('|')}|`;
  const body = table.rows.map(r => `| ${r.map(markdownCell).join(' | ')} |`);
  const markdown = [table.caption ? `**${table.caption}**\n` : '', header, rule, ...body].filter(Boolean).join('\n');

  const texts = [table.headers, ...table.rows.map(r => r.map(cellText))];
  const widths = table.headers.map((_, i) => Math.max(...texts.map(r => r[i].length)));
  const plain = texts.map(r => r.map((t, i) => table.align[i] === 'right' ? t.padStart(widths[i]) : t.padEnd(widths[i])).join('  '));
  return {'text/markdown': markdown, 'text/plain': (table.caption ? `${table.caption}\n` : '') + plain.join('\n')};
}

export function tableBundle<Row>(rows: readonly Row[], columns: readonly Column<Row>[], caption?: string): MimeBundle {
  return tableBundleOf(makeTable(rows, columns, caption));
}

