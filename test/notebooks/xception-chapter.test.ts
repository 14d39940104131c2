/**
 * Chapter 2 end to end on the smoke budget, through real Jupyter: it runs,
 * trains its plan, shows its findings and learning curves as data, puts the
 * built networks' parameter counts in its report, and its report draws every
 * plot offline and passes the report checks every chapter passes.
 */
import {strict as assert} from 'node:assert';
import * as path from 'node:path';

import {totalsOf} from '../../lib/chapters';
import {PLAN_MIME} from '../../lib/experiments';
import {buildModel} from '../../lib/models';
import {OfflineBrowser, launchOffline} from '../helpers/browser';
import {ARTIFACTS} from '../helpers/cli';
import {PlanCounts, checkSmokePlanAndFindings, dataOf, outputsOf, rerunEditedTryIt, runOnSmoke, text} from '../helpers/notebook-output';
import {checkReport} from '../helpers/report-checks';

const NOTEBOOK = 'notebooks/02-xception-hypothesis.ipynb';

describe('chapter 2, the Xception hypothesis @integration', function () {
  this.timeout(600_000);
  let out = '';
  let executed = '';
  let results = '';
  let browser: OfflineBrowser;

  before(async () => {
    ({out, executed, results} = await runOnSmoke(NOTEBOOK, 'xception'));
    browser = await launchOffline();
  });
  after(async () => { await browser?.close(); });

  it('trains its whole plan and shows its findings as data, one seed said to be unchecked', () => {
    checkSmokePlanAndFindings(executed, 16, [
      'spectrum', 'activation', 'activationRegular', 'order', 'shuffle', 'residual', 'inceptionXception', 'noise', 'time',
    ]);
  });

  it('trains nothing in its try-it cells as printed, and reads the records at the batch its cell names', () => {
    // The chapter's plan, then the arms of section 4's and section 5's try-it cells: the plan's own runs, reused.
    const [, between, shuffle] = dataOf<PlanCounts>(executed, PLAN_MIME);
    for (const arms of [between, shuffle]) assert.deepEqual([arms.ran, arms.missing, arms.reused], [0, 0, arms.total]);
    const prose = outputsOf(executed).map(o => text(o.data?.['text/markdown'])).join('\n');
    assert.match(prose, /At batch 64 on \w+, a multiply-add at k = C takes \d+\.\d× the time of one at k = 1\./);
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
  it('a student\'s edit to the try-it cell trains only the arm that changed, and the tables name it', async () => {
    const {executed, plans} = await rerunEditedTryIt(NOTEBOOK, results, 'xception', {
      from: `b: {label: 'ReLU between', ...lab.xception.spectrum({segments: 0, between: 'relu'})}`,
      to: `b: {label: 'ReLU between, k = 2', ...lab.xception.spectrum({segments: 2, between: 'relu'})}`,
    });
    // The chapter's plan reuses everything; of the arms, the unchanged one is reused and the changed one trains (one seed at smoke).
    const [chapter, arms] = plans;
    assert.deepEqual([chapter.ran, chapter.reused], [0, chapter.total]);
    assert.deepEqual([arms.ran, arms.reused, arms.total], [1, 1, 2]);
    const shown = outputsOf(executed).map(o => text(o.data?.['text/markdown'])).filter(t => t.includes('ReLU between, k = 2'));
    assert.equal(shown.length, 3, 'the cost table, the comparison\'s table and its sentence name the changed arm');
  });
});
