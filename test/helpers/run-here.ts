/** The "run it here" cells of the notebooks, with their arguments, and a section run to its end in a page. */
import {strict as assert} from 'node:assert';
import * as path from 'node:path';

import type {Page} from 'playwright-core';

import {BOOK} from '../../lib/chapters';
import {REPO_ROOT} from '../../lib/root';
import type {RunHereOptions} from '../../lib/run-here/config';
import {cellsOf, sourceOf} from './knobs';

const CALL = /lab\.runItHere\((\{[^}]*\})\)/;

/** Each notebook's runItHere arguments, in book order (every notebook has exactly one such cell). */
export function runHereCalls(): RunHereOptions[] {
  return BOOK.map(entry => {
    const calls = cellsOf(path.join(REPO_ROOT, 'notebooks', entry.notebook)).map(sourceOf).flatMap(code => {
      const match = CALL.exec(code);
      return match ? [match[1]] : [];
    });
    if (calls.length !== 1) throw new Error(`${entry.notebook}: ${calls.length} runItHere cells, expected 1`);
    // The argument is an object literal of strings and numbers, as the cell shows it.
    return new Function(`return ${calls[0]};`)() as RunHereOptions;
  });
}

/** Waits until the section's status line matches `pattern`; returns it. */
export async function waitForStatus(page: Page, pattern: RegExp, timeout: number): Promise<string> {
  await page.waitForFunction(source => new RegExp(source).test(document.querySelector('[data-role=status]')!.textContent!),
                             pattern.source, {timeout});
  return (await page.textContent('[data-role=status]'))!;
}

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Runs the page's "run it here" section at smoke size (`page` opened with
 * ?run-here=smoke): Start waits for the estimate, the estimate names the
 * runs, every run trains, the plot shows both arms and the pairs, and the
 * verdict is the book's sentence about the claim's two arms.
 */
export async function runSectionToTheEnd(page: Page, name: string): Promise<void> {
  assert.ok(await page.isDisabled('[data-role=start]'), `${name}: Start waits for the estimate`);
  await page.click('[data-role=estimate]');
  const estimate = await waitForStatus(page, /will take about|Could not/, 300_000);
  assert.match(estimate, /will take about \d+ (s|min) on this machine \(4 runs\); the kernels run as fused WebAssembly/, name);
  await page.click('[data-role=start]');
  const done = await waitForStatus(page, /Done: |Could not/, 600_000);
  assert.match(done, /Done: 4 runs in /, name);
  // Both arms, each seed's accuracy and the mean, and a line for each of the two finished pairs.
  const traces = await page.evaluate(() => (document.querySelector('[data-role=plot]') as unknown as {data: Array<{name: string}>}).data);
  assert.equal(traces.length, 6, `${name}: ${JSON.stringify(traces.map(t => t.name))}`);
  assert.ok(await page.locator('[data-role=plot] .main-svg').count() > 0, `${name}: plotly drew the figure`);
  const config = JSON.parse((await page.textContent('.cnnlab-run-here script[data-role=config]'))!) as {claim: {a: {label: string}; b: {label: string}}};
  const verdict = (await page.textContent('[data-role=verdict]'))!;
  assert.match(verdict, new RegExp(`^${literal(config.claim.a.label)} against ${literal(config.claim.b.label)}: ` +
                                   '[+-]\\d\\.\\d{3} in test accuracy over 2 paired seeds, '), name);
  assert.match(verdict, /the lab (agrees|disagrees|cannot say at this budget)\./, name);
  assert.equal(await page.getAttribute('.cnnlab-run-here', 'data-state'), 'done', name);
}
