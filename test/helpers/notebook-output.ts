/**
 * Chapter notebooks in tests: run one on the smoke budget, read its outputs
 * (every output, the data of one MIME type, text fields as strings), and
 * check what every chapter's smoke run must show.
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {FINDINGS_MIME} from '../../lib/display';
import {PLAN_MIME} from '../../lib/experiments';
import {Finding} from '../../lib/results';
import {ARTIFACTS, runCli, tempDir} from './cli';

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

/** Runs a chapter notebook on the smoke budget into test-artifacts/<name>, with a results folder of its own; where the executed notebook is. */
export async function runOnSmoke(notebook: string, name: string): Promise<{out: string; executed: string}> {
  const out = path.join(ARTIFACTS, name);
  fs.rmSync(out, {recursive: true, force: true});
  const r = await runCli(['run', notebook, '--budget', 'smoke', '--out', out], {env: {LAB_RESULTS_DIR: tempDir(`${name}-results`)}});
  assert.equal(r.code, 0, r.stderr);
  return {out, executed: path.join(out, path.basename(notebook))};
}

/**
 * What every chapter's smoke run must show: its whole plan (at least
 * `atLeastRuns` runs) trained now, and its findings as data, each named one
 * present with measured values, and every verdict saying one seed left it unchecked.
 */
export function checkSmokePlanAndFindings(executed: string, atLeastRuns: number, ids: readonly string[]): void {
  const [plan] = dataOf<{total: number; ran: number; missing: number}>(executed, PLAN_MIME);
  assert.ok(plan.total >= atLeastRuns && plan.ran === plan.total && plan.missing === 0, JSON.stringify(plan));
  const [findings] = dataOf<Finding[]>(executed, FINDINGS_MIME);
  const found = findings.map(f => f.id);
  for (const id of ids) assert.ok(found.includes(id), `finding ${id} in ${found}`);
  for (const f of findings) assert.ok(Object.keys(f.measured).length > 0, `${f.id} has measured values`);
  for (const f of findings.filter(f => f.verdict)) assert.match(f.verdict!.label, /not checked/);
}
