/**
 * Chapter 1 end to end on the smoke budget, through real Jupyter: it runs,
 * trains its plan, shows its findings as data, puts counts computed from
 * built networks in its report, and its report draws every plot offline and
 * passes the report checks every chapter passes.
 */
import {strict as assert} from 'node:assert';
import * as path from 'node:path';

import {inception} from '../../lib/chapters';
import {OfflineBrowser, launchOffline} from '../helpers/browser';
import {ARTIFACTS} from '../helpers/cli';
import {checkSmokePlanAndFindings, outputsOf, rerunEditedTryIt, runOnSmoke, text} from '../helpers/notebook-output';
import {KNOB_TAG, cellsOf} from '../helpers/knobs';
import {checkReport} from '../helpers/report-checks';

const NOTEBOOK = 'notebooks/01-inception-evolution.ipynb';

describe('chapter 1, Inception\'s evolution @integration', function () {
  this.timeout(600_000);
  let out = '';
  let executed = '';
  let results = '';
  let browser: OfflineBrowser;

  before(async () => {
    ({out, executed, results} = await runOnSmoke(NOTEBOOK, 'inception'));
    browser = await launchOffline();
  });
  after(async () => { await browser?.close(); });

  it('trains its whole plan and shows its findings as data, one seed said to be unchecked', () => {
    checkSmokePlanAndFindings(executed, 16, [
      'twoThreeByThree', 'asymmetric', 'controlExperiment', 'gridReduction', 'batchNorm', 'sigmoid', 'residual', 'residualScaling', 'ladder', 'noise', 'time',
    ]);
  });

  it('puts the arithmetic computed from built layers in the report, not typed numbers', () => {
    const prose = outputsOf(executed).map(o => text(o.data?.['text/markdown'])).join('\n');
    const {direct, reduced} = inception.reductionExample();
    assert.match(prose, new RegExp(`256·5·5·128 = \\*\\*${direct[0].weightParams.toLocaleString('en-US')}\\*\\*`));
    assert.match(prose, new RegExp(`32·5·5·256 = \\*\\*${reduced[1].weightParams.toLocaleString('en-US')}\\*\\*`));
    const {bottleneck} = inception.bottleneckExample();
    assert.match(prose, new RegExp(`\\*\\*${bottleneck.reduce((a, l) => a + l.weightParams, 0).toLocaleString('en-US')}\\*\\* weights`));
  });

  it('draws every plot offline in Chromium and passes the report checks', async () => {
    const page = await browser.context.newPage();
    await page.goto('file://' + path.join(out, '01-inception-evolution.html'));
    await page.waitForFunction(() => document.querySelectorAll('.cnnlab-plotly .main-svg').length >= 7, null, {timeout: 60_000});
    const titles = await page.$$eval('.cnnlab-plotly .gtitle', ts => ts.map(t => t.textContent ?? ''));
    for (const title of [/Batch norm: training accuracy/, /Residual scaling/, /Chapter 01's lab networks/]) {
      assert.ok(titles.some(t => title.test(t)), `a figure titled ${title} among ${titles.join(' | ')}`);
    }
    const plotted = await page.$$eval('.cnnlab-plotly', divs => divs.map(d => d.querySelectorAll('.scatterlayer .point').length));
    assert.ok(plotted.every(n => n > 0), `points per plot: ${plotted}`);
    assert.doesNotMatch(await page.content(), /This report is incomplete/);
    // The cells a student is invited to change show their code; the rest fold it.
    const knobs = cellsOf(NOTEBOOK).filter(c => (c.metadata?.tags ?? []).includes(KNOB_TAG)).length;
    const open = await page.$$eval('details.cnnlab-code[open] > summary', ss => ss.map(s => s.textContent ?? ''));
    assert.ok(knobs >= 10, `${knobs} cells tagged as knobs`);
    assert.equal(open.length, knobs);
    assert.ok(open.every(s => s.startsWith('code to change')), open.join(' | '));
    await checkReport(page, 'chapter 01');
    assert.deepEqual(browser.external, []);
    await page.screenshot({path: path.join(ARTIFACTS, 'inception-report.png'), fullPage: true});
    await page.close();
  });
  it('a student\'s edit to the try-it cell trains only the arm that changed, and the tables name it', async () => {
    const {executed, plans} = await rerunEditedTryIt(NOTEBOOK, results, 'inception', {
      from: `b: {label: 'one 5×5', ...lab.inception.inception({kernels: '5x5', wideReduction: 'full'})}`,
      to: `b: {label: 'factorised 1×3 then 3×1', ...lab.inception.inception({kernels: '1x3-3x1', wideReduction: 'full'})}`,
    });
    // The chapter's plan reuses everything; of the arms, the unchanged one is reused and the changed one trains (one seed at smoke).
    const [chapter, arms] = plans;
    assert.deepEqual([chapter.ran, chapter.reused], [0, chapter.total]);
    assert.deepEqual([arms.ran, arms.reused, arms.total], [1, 1, 2]);
    const shown = outputsOf(executed).map(o => text(o.data?.['text/markdown'])).filter(t => t.includes('factorised 1×3 then 3×1'));
    assert.equal(shown.length, 3, 'the cost table, the comparison\'s table and its sentence name the changed arm');
  });
});
