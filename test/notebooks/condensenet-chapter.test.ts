/**
 * Chapter 4 end to end on the smoke budget, through real Jupyter: it runs,
 * trains its plan, shows its findings as data, puts counts computed from
 * built networks in its report, and its report draws every plot offline and
 * passes the report checks every chapter passes.
 */
import {strict as assert} from 'node:assert';
import * as path from 'node:path';

import {condensenet} from '../../lib/chapters';
import {OfflineBrowser, launchOffline} from '../helpers/browser';
import {ARTIFACTS} from '../helpers/cli';
import {PLAN_MIME} from '../../lib/experiments';
import {PlanCounts, checkSmokePlanAndFindings, dataOf, outputsOf, rerunEditedTryIt, runOnSmoke, text} from '../helpers/notebook-output';
import {checkReport} from '../helpers/report-checks';

const NOTEBOOK = 'notebooks/04-condensenet.ipynb';

describe('chapter 4, CondenseNet @integration', function () {
  this.timeout(600_000);
  let out = '';
  let executed = '';
  let results = '';
  let browser: OfflineBrowser;

  before(async () => {
    ({out, executed, results} = await runOnSmoke(NOTEBOOK, 'condensenet'));
    browser = await launchOffline();
  });
  after(async () => { await browser?.close(); });

  it('trains its whole plan and shows its findings as data, one seed said to be unchecked', () => {
    checkSmokePlanAndFindings(executed, 10, [
      'groupFlaw', 'shuffle', 'learned', 'condensing', 'conversion', 'condenseFactor', 'groups', 'lasso', 'speed', 'quirks', 'noise', 'time',
    ]);
  });

  it('reads the ablation cell\'s two arms from the plan\'s records: nothing trains there as printed', () => {
    // Plans in the order the cells run them: the chapter's, the try-it cell's, the ablation cell's, then exercise 2's.
    const ablation = dataOf<PlanCounts>(executed, PLAN_MIME)[2];
    assert.deepEqual([ablation.ran, ablation.missing, ablation.reused], [0, 0, ablation.total], JSON.stringify(ablation));
  });

  it('puts the worked example\'s index layer and the conversion\'s proof in the report, from the runs', () => {
    const prose = outputsOf(executed).map(o => text(o.data?.['text/markdown'])).join('\n');
    assert.match(prose, new RegExp(`one index layer gathering \\(${condensenet.workedExample().oneBased.join(', ')}\\)`));
    assert.match(prose, /the converted networks \(index layer, group convolution, shuffle\) compute what the masked ones do: the largest logit difference over \d+ runs is/);
    assert.match(prose, /every test image gets the same prediction/);
  });

  it('draws every plot offline in Chromium and passes the report checks', async () => {
    const page = await browser.context.newPage();
    await page.goto('file://' + path.join(out, '04-condensenet.html'));
    await page.waitForFunction(() => document.querySelectorAll('.cnnlab-plotly .main-svg').length >= 10, null, {timeout: 60_000});
    const titles = await page.$$eval('.cnnlab-plotly .gtitle', ts => ts.map(t => t.textContent ?? ''));
    for (const title of [/The condensing schedule/, /condensing stages marked/, /after stage \d/, /Block 1: how strongly/, /Chapter 04: test accuracy/]) {
      assert.ok(titles.some(t => title.test(t)), `a figure titled ${title} among ${titles.join(' | ')}`);
    }
    // Scatter plots have points, heatmaps their image.
    const drawn = await page.$$eval('.cnnlab-plotly', divs => divs.map(d => d.querySelectorAll('.scatterlayer .point, .heatmaplayer image').length));
    assert.ok(drawn.every(n => n > 0), `marks per plot: ${drawn}`);
    assert.doesNotMatch(await page.content(), /This report is incomplete/);
    await checkReport(page, 'chapter 04');
    assert.deepEqual(browser.external, []);
    await page.screenshot({path: path.join(ARTIFACTS, 'condensenet-report.png'), fullPage: true});
    await page.close();
  });
  it('a student\'s edit to the try-it cell trains only the arm that changed, and the tables name it', async () => {
    const {executed, plans} = await rerunEditedTryIt(NOTEBOOK, results, 'condensenet', {
      from: `b: {label: 'fixed groups', ...lab.condensenet.condensenet({pointwise: 'group'})}`,
      to: `b: {label: 'fixed groups, shuffled, G = 8', ...lab.condensenet.condensenet({pointwise: 'group-shuffle', groups: 8})}`,
    });
    // The chapter's plan reuses everything; of the arms, the unchanged one is reused and the changed one trains (one seed at smoke).
    const [chapter, arms] = plans;
    assert.deepEqual([chapter.ran, chapter.reused], [0, chapter.total]);
    assert.deepEqual([arms.ran, arms.reused, arms.total], [1, 1, 2]);
    const shown = outputsOf(executed).map(o => text(o.data?.['text/markdown'])).filter(t => t.includes('fixed groups, shuffled, G = 8'));
    assert.equal(shown.length, 3, 'the cost table, the comparison\'s table and its sentence name the changed arm');
  });
});
