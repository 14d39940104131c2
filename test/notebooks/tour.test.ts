/**
 * The lab tour through real Jupyter and the real kernel on the smoke budget
 * (`cnnlab run`: its training cell's progress lines, the reports' file
 * modes), then its HTML report in Debian's Chromium, offline: the plotly
 * chart has plotted points, the vega-lite chart is visible, nothing leaves
 * the machine. One run of the tour serves every check: it takes about 40 s.
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {runReport} from '../../lib/cli/report';
import {BOOK} from '../../lib/chapters';
import {OfflineBrowser, launchOffline} from '../helpers/browser';
import {checkReport} from '../helpers/report-checks';
import {ARTIFACTS, FIXTURES, ROOT, runCli, tempDir} from '../helpers/cli';
import {cellsOf} from '../helpers/knobs';

describe('lab tour notebook @integration', function () {
  this.timeout(300_000);
  const out = path.join(ARTIFACTS, 'tour');
  let browser: OfflineBrowser;
  let stderr = '';

  before(async () => {
    fs.rmSync(out, {recursive: true, force: true});
    // Fresh results: the tour must train for real here, not reuse a cache.
    const r = await runCli(['run', 'notebooks/00-lab-tour.ipynb', '--budget', 'smoke', '--out', out],
        {env: {LAB_RESULTS_DIR: tempDir('results')}});
    assert.equal(r.code, 0, r.stderr);
    stderr = r.stderr;
    browser = await launchOffline();
  });

  it('shows a training cell\'s progress while it runs, and writes reports with the user\'s umask', () => {
    const lines = stderr.split('\n');
    // The tour's third code cell trains; the count of code cells is the notebook's.
    const cells = `3/${cellsOf(path.join(ROOT, 'notebooks', '00-lab-tour.ipynb')).filter(c => c.cell_type === 'code').length}`;
    const done = lines.findIndex(l => l.includes(`[00-lab-tour] code cell ${cells} done`));
    const during = lines.slice(0, done).filter(l => l.startsWith(`[00-lab-tour] cell ${cells}: `) &&
        /: chapter 00 \(smoke\) \[[█░]+\] \d+% run \d of 3 \(width\), epoch 1\/1, [\d,]+ img\/s/.test(l));
    assert.ok(done > 0 && during.length >= 1, `progress lines before the cell ended:\n${stderr}`);
    assert.ok(lines.slice(0, done).some(l => l.startsWith(`[00-lab-tour] cell ${cells}: `) && / 3 runs trained now/.test(l)), stderr);
    // Not a terminal: a few lines, not one per step.
    assert.ok(during.length <= 8, `${during.length} progress lines`);
    const mode = 0o666 & ~process.umask();
    for (const file of ['00-lab-tour.html', '00-lab-tour.ipynb']) {
      assert.equal((fs.statSync(path.join(out, file)).mode & 0o777).toString(8), mode.toString(8), file);
    }
  });
  after(async () => { await browser?.close(); });

  it('keeps TF.js banners and other stderr out of the report', () => {
    const html = fs.readFileSync(path.join(out, '00-lab-tour.html'), 'utf8');
    assert.doesNotMatch(html, /looks like you are running TensorFlow\.js in Node/);
    const nb = JSON.parse(fs.readFileSync(path.join(out, '00-lab-tour.ipynb'), 'utf8')) as
        {cells: Array<{outputs?: Array<{name?: string; text?: string}>}>};
    const stderr = nb.cells.flatMap(c => c.outputs ?? []).filter(o => o.name === 'stderr').map(o => o.text);
    assert.deepEqual(stderr, []);
  });

  it('draws the plotly chart offline in Chromium, and its vega-lite copy where no script runs', async () => {
    const page = await browser.context.newPage();
    await page.goto('file://' + path.join(out, '00-lab-tour.html'));
    await page.waitForSelector('.cnnlab-plotly .main-svg', {timeout: 30_000});
    const points = await page.locator('.cnnlab-plotly .scatterlayer .point').count();
    assert.ok(points >= 3, `plotly drew ${points} points, expected one per width (3)`);
    // The vega-lite copy of the same figure is checked where no script runs (checkReport).
    await checkReport(page, 'tour');
    assert.deepEqual(browser.external, [], 'the report fetched nothing from the network');
    await page.screenshot({path: path.join(ARTIFACTS, 'tour-report.png'), fullPage: true});
    await page.close();
  });
});

describe('cnnlab report index @integration', function () {
  this.timeout(120_000);
  it('links each chapter report and shows its headline results', async () => {
    const out = tempDir('report');
    const results = await runReport({budget: 'smoke', outDir: out, notebooks: [path.join(FIXTURES, 'budget.ipynb')]});
    assert.equal(results.length, 1);
    assert.ok(results[0].ok);
    const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    assert.match(index, /<a href="budget\.html">Fixture: prints the budget and shows a headline<\/a>/);
    assert.match(index, /<b>Fixture<\/b>: ran on smoke/);
    assert.ok(fs.existsSync(path.join(out, 'budget.html')));
    // The whole book, the chapters not written yet marked as such, and what the reports ran with.
    // Taken from the book's own list, so that writing a chapter does not break this test.
    for (const entry of BOOK) {
      const planned = new RegExp(`planned: not written yet</span> \\(<code>notebooks/${entry.notebook.replace('.', '\\.')}`);
      if (entry.written) assert.doesNotMatch(index, planned, entry.notebook);
      else assert.match(index, planned, entry.notebook);
    }
    assert.match(index, /<td>code<\/td><td>commit [0-9a-f]{7}/);
    assert.match(index, /<td>TensorFlow\.js<\/td><td>4\.22\.0<\/td>/);
  });

  it('frames each report as a page of a course site: budget and time, contents, neighbours; the index lists each one\'s sections', async () => {
    const out = tempDir('site');
    const notebooks = ['budget.ipynb', 'sections.ipynb'].map(f => path.join(FIXTURES, f));
    const results = await runReport({budget: 'smoke', outDir: out, notebooks});
    assert.ok(results.every(r => r.ok));
    const first = fs.readFileSync(path.join(out, 'budget.html'), 'utf8');
    const second = fs.readFileSync(path.join(out, 'sections.html'), 'utf8');
    for (const page of [first, second]) {
      assert.match(page, /<p class="cnnlab-ran">Budget <b>smoke<\/b>; this report ran in \d+ s \(finished \d{4}-\d\d-\d\d \d\d:\d\d UTC\)\.<\/p>/);
      assert.match(page, /<a href="index\.html">All chapters<\/a>/);
    }
    // Neighbours in the order the report ran them, at the top and again at the bottom.
    assert.equal(first.match(/<a href="sections\.html" rel="next">Fixture: a chapter with sections<\/a> &rarr;/g)?.length, 2);
    assert.doesNotMatch(first, /rel="prev"/);
    assert.match(second, /&larr; <a href="budget\.html" rel="prev">Fixture: prints the budget and shows a headline<\/a>/);
    assert.doesNotMatch(second, /rel="next"/);
    // Contents from the notebook's own headings, ### nested under ##, each a link to the heading's anchor.
    const contents = /<details open><summary>Contents<\/summary>(.*?)<\/details>/s.exec(second)?.[1] ?? '';
    assert.match(contents, /^<ul><li><a href="#First-part">First part<\/a><ul><li><a href="#A-detail">A detail<\/a><\/li><\/ul><\/li><li><a href="#Second-part/);
    const anchors = [...contents.matchAll(/href="#([^"]+)"/g)].map(m => m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    for (const anchor of anchors) assert.ok(second.includes(`id="${anchor.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}"`), `a heading has the id ${anchor}`);
    assert.ok(!first.includes('<details open><summary>Contents'), 'a report without sections has no contents');
    // The index gives each chapter's sections as links into its report.
    const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    // (nbconvert's ids keep its own percent-encoding: the index links them as the report's own anchors do.)
    assert.match(index, /<p class="contents"><a href="sections\.html#First-part">First part<\/a> · <a href="sections\.html#Second-part:-5-%C3%97-5-%E2%86%92-%22two%22-3-%C3%97-3-&amp;-more">/);
  });
});
