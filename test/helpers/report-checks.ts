/**
 * What every chapter's HTML report must pass in the browser, so each new
 * chapter keeps it: point labels that do not overlap one another or the
 * legend, a legend wherever a figure has more than one series, static
 * charts (each figure once, its static copy where no script runs, legends
 * not truncated), code folded, finished progress
 * collapsed to one line, no stderr output, no sources outside the repository,
 * and a "run it here" section that trains to its end at smoke size.
 */
import {strict as assert} from 'node:assert';

import type {Page} from 'playwright-core';

import {runSectionToTheEnd} from './run-here';

interface Box {x: number; y: number; width: number; height: number}
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

export async function checkReport(page: Page, name: string): Promise<void> {
  await page.waitForFunction(() => [...document.querySelectorAll('.cnnlab-plotly')].every(d => d.querySelector('.main-svg')),
      null, {timeout: 30_000});
  // (No named helpers inside $$eval: the test's TypeScript loader adds a __name() the page lacks.)
  const figures = await page.$$eval('.cnnlab-plotly', divs => divs.map(div => ({
    labels: [...div.querySelectorAll('.annotation-text')].map(e =>
        ({text: e.textContent ?? '', box: JSON.parse(JSON.stringify(e.getBoundingClientRect())) as Box})),
    legend: [...div.querySelectorAll('.legend .traces')].map(e => JSON.parse(JSON.stringify(e.getBoundingClientRect())) as Box),
    series: ((div as unknown as {data?: Array<{showlegend?: boolean}>}).data ?? []).filter(t => t.showlegend !== false).length,
    title: div.querySelector('.gtitle')?.textContent ?? '',
  })));
  assert.ok(figures.length > 0, `${name}: the report has figures`);
  for (const figure of figures) {
    const what = `${name}, figure '${figure.title}'`;
    if (figure.series > 1) assert.equal(figure.legend.length, figure.series, `${what}: one legend entry per series`);
    for (let i = 0; i < figure.labels.length; i++) {
      for (let j = i + 1; j < figure.labels.length; j++) {
        assert.ok(!overlap(figure.labels[i].box, figure.labels[j].box),
            `${what}: labels '${figure.labels[i].text}' and '${figure.labels[j].text}' overlap`);
      }
      for (const entry of figure.legend) {
        assert.ok(!overlap(figure.labels[i].box, entry), `${what}: label '${figure.labels[i].text}' covers the legend`);
      }
    }
  }
  // Each figure once: where plotly draws, the figure's static copy is gone.
  assert.equal(await page.locator('img.cnnlab-vega').count(), 0, `${name}: a static chart is shown beside its interactive figure`);
  await checkStaticCopies(page, name);
  // Code is folded, but for the cells a student is invited to change ("code to change"); the executed notebook keeps all open.
  const inputs = await page.locator('.jp-CodeCell .jp-InputArea-editor').count();
  const folded = await page.locator('details.cnnlab-code:not([open]) .jp-InputArea-editor').count();
  const knobs = await page.locator('details.cnnlab-code[open]:has(> summary:text-matches("^code to change")) .jp-InputArea-editor').count();
  assert.ok(inputs > 0 && folded + knobs === inputs, `${name}: of ${inputs} code cells, ${folded} folded and ${knobs} open to change`);
  assert.equal(await page.locator('.jp-InputArea-editor').first().isVisible(), false, `${name}: code hidden until asked for`);
  // Nothing a library printed on stderr (a warning shows as a red block).
  const stderr = await page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').allInnerTexts();
  assert.deepEqual(stderr, [], `${name}: stderr output in the report`);
  // A finished plan is one summary line, not a bar.
  assert.equal(await page.locator('progress').count(), 0, `${name}: progress bars left in the report`);
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /\w\(s\)/, `${name}: a count written as 'word(s)'`);
  assert.doesNotMatch(text, /\.\.\/shared|REFERENCE\.md|PLATFORM\.md/, `${name}: cites a file outside the repository`);
  assert.doesNotMatch(text, /NaN|undefined/, `${name}: NaN or undefined in the text`);
  // Last: it reloads the page at smoke size and trains there.
  assert.equal(await page.locator('.cnnlab-run-here').count(), 1, `${name}: one "run it here" section`);
  await page.goto(`${page.url().split('?')[0]}?run-here=smoke`);
  await runSectionToTheEnd(page, name);
}

/**
 * The report as a viewer that runs no script sees it (an untrusted
 * notebook, a mail client): the figures that have a static copy show it,
 * drawn, with every legend label whole (vega truncates with an ellipsis);
 * the others say what they are.
 */
async function checkStaticCopies(page: Page, name: string): Promise<void> {
  const browser = page.context().browser();
  assert.ok(browser, 'the page belongs to a launched browser');
  const context = await browser.newContext({javaScriptEnabled: false, viewport: {width: 1280, height: 900}});
  try {
    const plain = await context.newPage();
    await plain.goto(page.url(), {waitUntil: 'load'});
    const statics = await plain.$$eval('.cnnlab-plotly img.cnnlab-vega', imgs => imgs.map(img => ({
      width: (img as HTMLImageElement).naturalWidth, svg: atob((img as HTMLImageElement).src.split(',')[1]),
    })));
    assert.ok(statics.length > 0, `${name}: no figure has a static copy`);
    // Every other figure says what it is where it would draw, instead of an empty box.
    const empty = await plain.$$eval('.cnnlab-plotly', boxes => boxes.filter(box =>
        box.querySelector('img.cnnlab-vega') == null && !(box.querySelector('p.cnnlab-noscript')?.textContent ?? '').includes('interactive figure')).length);
    assert.equal(empty, 0, `${name}: ${empty} figures show an empty box where no script runs`);
    for (const s of statics) {
      assert.ok(s.width > 100, `${name}: a static copy is ${s.width} px wide`);
      assert.doesNotMatch(s.svg, /…/, `${name}: a static chart truncates a label`);
    }
  } finally {
    await context.close();
  }
}
