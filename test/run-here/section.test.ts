/**
 * Each notebook's "run it here" section in headless Chromium, opened from a
 * file as a report is: at smoke size (?run-here=smoke) the buttons run the
 * experiment to the end, the plot is drawn and the verdict written, and no
 * request leaves the file; Stop ends a run under way and keeps what finished.
 * The page is the section after plotly.js, which a report's first figure
 * inlines (test/notebooks/ checks the sections inside the real reports).
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {Page} from 'playwright-core';

import {RunHereOptions, runHereConfig} from '../../lib/run-here/config';
import type {RunHereConfig} from '../../lib/run-here/runner';
import {runHereHtml} from '../../lib/run-here/section';
import {OfflineBrowser, launchOffline} from '../helpers/browser';
import {runHereCalls} from '../helpers/run-here';

const PLOTLY = fs.readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');

const statusOf = (page: Page) => page.textContent('[data-role=status]');

async function waitForStatus(page: Page, pattern: RegExp, timeout: number): Promise<string> {
  await page.waitForFunction(source => new RegExp(source).test(document.querySelector('[data-role=status]')!.textContent!),
                             pattern.source, {timeout});
  return (await statusOf(page))!;
}

describe('the reports\' "run it here" sections, in Chromium @integration', function () {
  this.timeout(900_000);
  let scratch = '';
  let browser: OfflineBrowser;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'run-here-'));
    browser = await launchOffline();
  });

  /** The section as a page of its own, after plotly.js. */
  function writePage(call: RunHereOptions): {config: RunHereConfig; file: string} {
    const config = runHereConfig(call);
    const file = path.join(scratch, `${call.chapter}.html`);
    fs.writeFileSync(file, `<!doctype html><meta charset="utf-8"><body><script>${PLOTLY}</script>${runHereHtml(config)}</body>`);
    return {config, file};
  }

  after(async () => {
    await browser?.close();
    fs.rmSync(scratch, {recursive: true, force: true});
  });

  for (const call of runHereCalls()) {
    it(`chapter ${call.chapter} (${call.claim}): estimates, trains every run, plots and judges, all from the file`, async () => {
      const {config, file} = writePage(call);
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('pageerror', error => problems.push(error.message));
      await page.goto(`file://${file}?run-here=smoke`);
      assert.ok(await page.isDisabled('[data-role=start]'), 'Start waits for the estimate');
      await page.click('[data-role=estimate]');
      const estimate = await waitForStatus(page, /will take about|Could not/, 300_000);
      assert.match(estimate, /will take about \d+ (s|min) on this machine \(4 runs\); the kernels run as fused WebAssembly/);
      await page.click('[data-role=start]');
      const done = await waitForStatus(page, /Done: |Could not/, 600_000);
      assert.match(done, /Done: 4 runs in /);
      // Two arms, each seed's accuracy and the mean, and a line per finished pair.
      const traces = await page.evaluate(() => (document.querySelector('[data-role=plot]') as unknown as {data: Array<{name: string}>}).data);
      assert.equal(traces.length, 6, JSON.stringify(traces.map(t => t.name)));
      assert.equal(await page.locator('[data-role=plot] .main-svg').count() > 0, true, 'plotly drew the figure');
      const verdict = (await page.textContent('[data-role=verdict]'))!;
      const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      assert.match(verdict, new RegExp(`^${literal(config.claim.a.label)} against ${literal(config.claim.b.label)}: ` +
                                       '[+-]\\d\\.\\d{3} in test accuracy over 2 paired seeds, '));
      assert.match(verdict, /the lab (agrees|disagrees|cannot say at this budget)\./);
      assert.equal(await page.getAttribute('.cnnlab-run-here', 'data-state'), 'done');
      assert.deepEqual(problems, []);
      assert.deepEqual(browser.external, []);
      await page.close();
    });
  }

  it('Stop ends the run under way and keeps the runs that finished', async () => {
    const {file} = writePage(runHereCalls().find(call => call.chapter === '02')!);
    const page = await browser.context.newPage();
    await page.goto(`file://${file}?run-here=smoke`);
    await page.click('[data-role=estimate]');
    await waitForStatus(page, /will take about/, 300_000);
    // The reader presses Stop as run 2 begins (a click from here could land between runs: they are short).
    await page.evaluate(() => {
      const status = document.querySelector('[data-role=status]')!;
      new MutationObserver(() => {
        if (/Training run 2 of 4/.test(status.textContent!)) (document.querySelector('[data-role=stop]') as HTMLButtonElement).click();
      }).observe(status, {childList: true, characterData: true, subtree: true});
    });
    await page.click('[data-role=start]');
    const stopped = await waitForStatus(page, /Stopped during|Done/, 300_000);
    assert.match(stopped, /Stopped during run 2 of 4: .*; 1 run finished\./);
    assert.ok(await page.isEnabled('[data-role=start]'), 'the experiment can start again');
    assert.match((await page.textContent('[data-role=verdict]'))!, /Runs so far: .*, seed 1: \d/);
    await page.close();
  });
});
