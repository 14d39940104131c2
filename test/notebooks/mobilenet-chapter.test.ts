/**
 * Chapter 3 end to end on the smoke budget, through real Jupyter: it runs,
 * its tables come from the cost atlas, its report draws its plots offline,
 * and its sweeps reuse stored runs and resume after an interruption.
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {table3Rows} from '../../lib/models';
import {OfflineBrowser, launchOffline} from '../helpers/browser';
import {ARTIFACTS, runCli, tempDir} from '../helpers/cli';

const NOTEBOOK = 'notebooks/03-mobilenet-multipliers.ipynb';

interface Output {name?: string; text?: string | string[]; data?: Record<string, string | string[]>}
function outputsOf(file: string): Output[] {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as {cells: Array<{outputs?: Output[]}>};
  return nb.cells.flatMap(c => c.outputs ?? []);
}
const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : v ?? '');
function streamText(file: string): string {
  return outputsOf(file).filter(o => o.name === 'stdout').map(o => text(o.text)).join('');
}

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
        if (!sent && stderr.includes('code cell 7/')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 8000);
        }
      },
    });
    assert.equal(interrupted.code, 130, interrupted.stderr);
    const r = await runCli(['run', NOTEBOOK, '--budget', 'smoke', '--out', out], {env});
    assert.equal(r.code, 0, r.stderr);
    browser = await launchOffline();
  });
  after(async () => { await browser?.close(); });

  it('resumed the interrupted sweep: finished runs were reused, the rest trained', () => {
    const grid = /α × resolution: (\d+) trained now, (\d+) reused from results\//.exec(streamText(executed));
    assert.ok(grid, 'the grid sweep reported its runs');
    assert.ok(Number(grid![2]) > 0, `nothing was reused after the interruption: ${grid![0]}`);
    assert.equal(Number(grid![1]) + Number(grid![2]), 16, "4 widths x 4 resolutions");
  });

  it('a second run trains nothing: every sweep reuses its records', async () => {
    const again = path.join(tempDir('chapter-again'), 'out');
    const r = await runCli(['run', NOTEBOOK, '--budget', 'smoke', '--out', again], {env});
    assert.equal(r.code, 0, r.stderr);
    const lines = streamText(path.join(again, '03-mobilenet-multipliers.ipynb')).split('\n').filter(l => /trained now/.test(l));
    assert.ok(lines.length >= 5, lines.join('\n'));
    for (const line of lines) assert.match(line, /: 0 trained now, \d+ reused/);
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
    const vega = page.locator('img.cnnlab-vega').first();
    await vega.scrollIntoViewIfNeeded();
    assert.ok(await vega.evaluate(img => (img as HTMLImageElement).naturalWidth > 100));
    assert.doesNotMatch(await page.content(), /This report is incomplete/);
    assert.deepEqual(browser.external, []);
    await page.screenshot({path: path.join(ARTIFACTS, 'mobilenet-report.png'), fullPage: true});
    await page.close();
  });
});
