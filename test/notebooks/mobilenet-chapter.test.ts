/**
 * Chapter 3 end to end on the smoke budget, through real Jupyter: it runs,
 * its tables come from the cost atlas, its report draws its plots offline,
 * and its plan reuses stored runs and resumes after an interruption. What
 * the notebook showed is read back as data (the plan's and the findings'
 * JSON), not parsed from prose.
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {table3Rows} from '../../lib/chapters/mobilenet';
import {PLAN_MIME} from '../../lib/experiments';
import {FINDINGS_MIME} from '../../lib/display';
import {Finding} from '../../lib/results';
import {OfflineBrowser, launchOffline} from '../helpers/browser';
import {checkReport} from '../helpers/report-checks';
import {rerunEditedTryIt} from '../helpers/notebook-output';
import {ARTIFACTS, runCli, tempDir} from '../helpers/cli';

const NOTEBOOK = 'notebooks/03-mobilenet-multipliers.ipynb';

interface Output {name?: string; text?: string | string[]; data?: Record<string, unknown>}
function outputsOf(file: string): Output[] {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as {cells: Array<{outputs?: Output[]}>};
  return nb.cells.flatMap(c => c.outputs ?? []);
}
const text = (v: unknown) => (Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : '');
/** The data a lab MIME type carried, output by output. */
function dataOf<T>(file: string, mime: string): T[] {
  return outputsOf(file).flatMap(o => o.data?.[mime] != null ? [o.data[mime] as T] : []);
}
interface PlanCounts {total: number; ran: number; reused: number; missing: number}

describe('chapter 3, MobileNet multipliers @integration', function () {
  this.timeout(600_000);
  const out = path.join(ARTIFACTS, 'mobilenet');
  const results = tempDir('chapter-results');
  const env = {LAB_RESULTS_DIR: results};
  const executed = path.join(out, '03-mobilenet-multipliers.ipynb');
  let browser: OfflineBrowser;

  before(async () => {
    fs.rmSync(out, {recursive: true, force: true});
    // Interrupt a first run once training has started, then run it whole.
    let sent = false;
    const interrupted = await runCli(['run', NOTEBOOK, '--budget', 'smoke', '--out', out], {
      env,
      onStderr: (stderr, child) => {
        // Once the plan's progress line says a later run has started, earlier ones are recorded: interrupt then
        // (a fixed delay after the cell starts was too short on a busy machine, before any run had finished).
        if (!sent && /chapter 03 \(smoke\) .* run ([2-9]|\d\d+) of \d+/.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    assert.equal(interrupted.code, 130, interrupted.stderr);
    const r = await runCli(['run', NOTEBOOK, '--budget', 'smoke', '--out', out], {env});
    assert.equal(r.code, 0, r.stderr);
    browser = await launchOffline();
  });
  after(async () => { await browser?.close(); });

  it('resumed the interrupted plan: finished runs were reused, the rest trained', () => {
    const [plan] = dataOf<PlanCounts>(executed, PLAN_MIME);
    assert.ok(plan, 'the plan reported its runs');
    assert.ok(plan.reused > 0, `nothing was reused after the interruption: ${JSON.stringify(plan)}`);
    assert.ok(plan.ran > 0, `nothing was left to train after the interruption: ${JSON.stringify(plan)}`);
    assert.equal(plan.ran + plan.reused, plan.total);
    assert.equal(plan.missing, 0);
  });

  it('a second run trains nothing: the plan reuses every record', async () => {
    const again = path.join(tempDir('chapter-again'), 'out');
    const r = await runCli(['run', NOTEBOOK, '--budget', 'smoke', '--out', again], {env});
    assert.equal(r.code, 0, r.stderr);
    const [plan] = dataOf<PlanCounts>(path.join(again, '03-mobilenet-multipliers.ipynb'), PLAN_MIME);
    assert.deepEqual({ran: plan.ran, reused: plan.reused}, {ran: 0, reused: plan.total});
  });

  it('shows its findings as data: every finding has measured values, and one seed is said to be unchecked', () => {
    const [findings] = dataOf<Finding[]>(executed, FINDINGS_MIME);
    const ids = findings.map(f => f.id);
    for (const id of ['width', 'resolution', 'separable', 'thinShallow', 'linearBottleneck', 'hardSwish', 'squeezeExcite', 'noise', 'time']) {
      assert.ok(ids.includes(id), `finding ${id} in ${ids}`);
    }
    for (const f of findings) assert.ok(Object.keys(f.measured).length > 0, `${f.id} has measured values`);
    // smoke trains one seed: no verdict may claim a difference is beyond the noise.
    for (const f of findings.filter(f => f.verdict)) assert.match(f.verdict!.label, /not checked/);
  });

  it('Table 3 in the report is the cost atlas\'s, not typed in', () => {
    const table = outputsOf(executed).map(o => text(o.data?.['text/markdown'])).find(t => t.includes('MobileNet Table 3'));
    assert.ok(table, 'the Table 3 output exists');
    for (const row of table3Rows()) {
      assert.ok(table!.includes(`| ${row.label} | ${row.paperMacsM}M | ${(row.macs / 1e6).toFixed(2)}M |`), `row ${row.label} in:\n${table}`);
    }
  });

  it('draws every plot offline in Chromium', async () => {
    const page = await browser.context.newPage();
    await page.goto('file://' + path.join(out, '03-mobilenet-multipliers.html'));
    await page.waitForSelector('.cnnlab-plotly .main-svg', {timeout: 30_000});
    await page.waitForFunction(() => document.querySelectorAll('.cnnlab-plotly .main-svg').length >= 4, null, {timeout: 30_000});
    const plotted = await page.$$eval('.cnnlab-plotly', divs => divs.map(d => d.querySelectorAll('.scatterlayer .point').length));
    assert.ok(plotted.every(n => n > 0), `points per plot: ${plotted}`);
    assert.doesNotMatch(await page.content(), /This report is incomplete/);
    await checkReport(page, 'chapter 03');
    assert.deepEqual(browser.external, []);
    await page.screenshot({path: path.join(ARTIFACTS, 'mobilenet-report.png'), fullPage: true});
    await page.close();
  });
  it('a student\'s edit to the try-it cell trains only the arm that changed, and the tables name it', async () => {
    const {executed, plans} = await rerunEditedTryIt(NOTEBOOK, results, 'mobilenet', {
      from: `b: {label: 'ReLU in its place', model: 'mobilenet_v3', options: {...v3, hardSwish: false}}`,
      to: `b: {label: 'no squeeze-and-excite', model: 'mobilenet_v3', options: {...v3, squeezeExcite: false}}`,
    });
    // The chapter's plan reuses everything; of the arms, the unchanged one is reused and the changed one trains (one seed at smoke).
    const [chapter, arms] = plans;
    assert.deepEqual([chapter.ran, chapter.reused], [0, chapter.total]);
    assert.deepEqual([arms.ran, arms.reused, arms.total], [1, 1, 2]);
    const shown = outputsOf(executed).map(o => text(o.data?.['text/markdown'])).filter(t => t.includes('no squeeze-and-excite'));
    assert.equal(shown.length, 3, 'the cost table, the comparison\'s table and its sentence name the changed arm');
  });
});
