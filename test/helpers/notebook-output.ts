/** Reading an executed notebook's outputs in tests: every output, the data of one MIME type, text fields as strings. */
import * as fs from 'node:fs';

export interface Output {data?: Record<string, unknown>}

export function outputsOf(file: string): Output[] {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as {cells: Array<{outputs?: Output[]}>};
  return nb.cells.flatMap(c => c.outputs ?? []);
}

export function dataOf<T>(file: string, mime: string): T[] {
  return outputsOf(file).flatMap(o => o.data?.[mime] != null ? [o.data[mime] as T] : []);
}

/** A notebook text field, which nbformat stores as a string or a list of lines. */
export const text = (v: unknown) => (Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : '');
