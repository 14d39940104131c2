/**
 * Chapter 2 end to end on the smoke budget, through real Jupyter: it runs,
 * trains its plan, shows its findings and learning curves as data, puts the
 * built networks' parameter counts in its report, and its report draws every
 * plot offline and passes the report checks every chapter passes.
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {totalsOf} from '../../lib/chapters';
import {FINDINGS_MIME} from '../../lib/display';
import {PLAN_MIME} from '../../lib/experiments';
import {buildModel} from '../../lib/models';
import {Finding} from '../../lib/results';
import {OfflineBrowser, launchOffline} from '../helpers/browser';
import {ARTIFACTS, runCli, tempDir} from '../helpers/cli';
import {dataOf, outputsOf, text} from '../helpers/notebook-output';
import {checkReport} from '../helpers/report-checks';

const NOTEBOOK = 'notebooks/02-xception-hypothesis.ipynb';

describe('chapter 2, the Xception hypothesis @integration', function () {
  this.timeout(600_000);
  const out = path.join(ARTIFACTS, 'xception');
  const executed = path.join(out, '02-xception-hypothesis.ipynb');
  let browser: OfflineBrowser;

  before(async () => {
    fs.rmSync(out, {recursive: true, force: true});
    const r = await runCli(['run', NOTEBOOK, '--budget', 'smoke', '--out', out], {env: {LAB_RESULTS_DIR: tempDir('ch02-results')}});
    assert.equal(r.code, 0, r.stderr);
    browser = await launchOffline();
  });
  after(async () => { await browser?.close(); });

  it('trains its whole plan and shows its findings as data, one seed said to be unchecked', () => {
    const [plan] = dataOf<{total: number; ran: number; missing: number}>(executed, PLAN_MIME);
    assert.ok(plan.total > 15 && plan.ran === plan.total && plan.missing === 0, JSON.stringify(plan));
    const [findings] = dataOf<Finding[]>(executed, FINDINGS_MIME);
    const ids = findings.map(f => f.id);
    for (const id of ['spectrum', 'activation', 'activationRegular', 'order', 'shuffle', 'residual', 'inceptionXception', 'noise', 'time']) {
      assert.ok(ids.includes(id), `finding ${id} in ${ids}`);
    }
    for (const f of findings) assert.ok(Object.keys(f.measured).length > 0, `${f.id} has measured values`);
    for (const f of findings.filter(f => f.verdict)) assert.match(f.verdict!.label, /not checked/);
  });

  it('puts the built networks\' parameter counts in the report, not typed ones', () => {
    const tables = outputsOf(executed).map(o => text(o.data?.['text/markdown'])).join('\n');
    const xception = totalsOf(buildModel('xception')).trainableParams.toLocaleString('en-US');
    assert.match(tables, new RegExp(`Xception: \\*\\*${xception}\\*\\* trainable parameters`));
  });

  it('draws every plot offline in Chromium, the learning curves among them, and passes the report checks', async () => {
    const page = await browser.context.newPage();
    await page.goto('file://' + path.join(out, '02-xception-hypothesis.html'));
    await page.waitForFunction(() => document.querySelectorAll('.cnnlab-plotly .main-svg').length >= 8, null, {timeout: 60_000});
    const titles = await page.$$eval('.cnnlab-plotly .gtitle', ts => ts.map(t => t.textContent ?? ''));
    for (const title of [/one training step against its multiply-adds/, /training loss with and without an activation/, /Everything chapter 02 trained/]) {
      assert.ok(titles.some(t => title.test(t)), `a figure titled ${title} among ${titles.join(' | ')}`);
    }
    const plotted = await page.$$eval('.cnnlab-plotly', divs => divs.map(d => d.querySelectorAll('.scatterlayer .point').length));
    assert.ok(plotted.every(n => n > 0), `points per plot: ${plotted}`);
    assert.doesNotMatch(await page.content(), /This report is incomplete/);
    await checkReport(page, 'chapter 02');
    assert.deepEqual(browser.external, []);
    await page.screenshot({path: path.join(ARTIFACTS, 'xception-report.png'), fullPage: true});
    await page.close();
  });
});
