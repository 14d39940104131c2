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
import {ARTIFACTS, ROOT, runCli, tempDir} from './cli';

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
export async function runOnSmoke(notebook: string, name: string): Promise<{out: string; executed: string; results: string}> {
  const out = path.join(ARTIFACTS, name);
  fs.rmSync(out, {recursive: true, force: true});
  const results = tempDir(`${name}-results`);
  const r = await runCli(['run', notebook, '--budget', 'smoke', '--out', out], {env: {LAB_RESULTS_DIR: results}});
  assert.equal(r.code, 0, r.stderr);
  return {out, executed: path.join(out, path.basename(notebook)), results};
}

interface Cell {cell_type: string; source: string | string[]; outputs?: unknown[]; execution_count?: number | null}

/**
 * What a student does in JupyterLab: change the arguments of a chapter's
 * "try it" cell (the one that calls lab.trainArms) and run it again, after
 * the chapter ran. Built as the chapter's setup cell, its plan cell and the
 * edited cell, run through Jupyter on the records the chapter left in
 * `results`; returns the executed notebook and the plan counts it showed
 * (the chapter's plan first, then the arms').
 */
export async function rerunEditedTryIt(notebook: string, results: string, name: string,
                                       edit: {from: string; to: string}): Promise<{executed: string; plans: PlanCounts[]}> {
  const nb = JSON.parse(fs.readFileSync(notebook, 'utf8')) as {cells: Cell[]};
  const source = (c: Cell) => text(c.source);
  const code = nb.cells.filter(c => c.cell_type === 'code');
  const [setup, planCell, tryIt] = [code[0], code.find(c => source(c).includes('lab.runPlan(plan')), code.find(c => source(c).includes('lab.trainArms('))];
  assert.ok(planCell && tryIt, `${notebook} has a plan cell and a cell that calls lab.trainArms`);
  assert.ok(source(tryIt).includes(edit.from), `the try-it cell of ${notebook} has '${edit.from}' to change`);
  const dir = path.join(ARTIFACTS, `${name}-try-it`);
  fs.rmSync(dir, {recursive: true, force: true});
  fs.mkdirSync(dir, {recursive: true});
  // The copy lives outside notebooks/: its import names the built library by its full path.
  const cells = [
    {...setup, source: source(setup).replace(`'../dist'`, JSON.stringify(path.join(ROOT, 'dist'))), outputs: []},
    {...planCell, outputs: []},
    {...tryIt, source: source(tryIt).replace(edit.from, edit.to), outputs: []},
  ];
  const file = path.join(dir, `${name}-try-it.ipynb`);
  fs.writeFileSync(file, JSON.stringify({...nb, cells}));
  const r = await runCli(['run', file, '--budget', 'smoke', '--out', path.join(dir, 'out')], {env: {LAB_RESULTS_DIR: results}});
  assert.equal(r.code, 0, r.stderr);
  const executed = path.join(dir, 'out', path.basename(file));
  return {executed, plans: dataOf<PlanCounts>(executed, PLAN_MIME)};
}

export interface PlanCounts {total: number; ran: number; reused: number; missing: number}

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
