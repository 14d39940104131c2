/**
 * A "run it here" section's Stop, in headless Chromium, from a file as a
 * report is opened: it ends the run under way and keeps the runs that
 * finished. (Every chapter's report runs its own section to the end at
 * smoke size in test/notebooks/, through test/helpers/report-checks.ts.)
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {runHereConfig} from '../../lib/run-here/config';
import {runHereHtml} from '../../lib/run-here/section';
import {launchOffline} from '../helpers/browser';
import {runHereCalls, waitForStatus} from '../helpers/run-here';

describe('a report\'s "run it here" section, in Chromium @integration', function () {
  this.timeout(600_000);

  it('Stop ends the run under way and keeps the runs that finished; nothing leaves the file', async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'run-here-'));
    const browser = await launchOffline();
    try {
      const config = runHereConfig(runHereCalls().find(call => call.chapter === '02')!);
      const file = path.join(scratch, 'section.html');
      const plotly = fs.readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');
      fs.writeFileSync(file, `<!doctype html><meta charset="utf-8"><body><script>${plotly}</script>${runHereHtml(config)}</body>`);
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('pageerror', error => problems.push(error.message));
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
      assert.deepEqual(problems, []);
      assert.deepEqual(browser.external, []);
    } finally {
      await browser.close();
      fs.rmSync(scratch, {recursive: true, force: true});
    }
  });
});
