/**
 * Training in a browser against training in Node, on the same work, in one
 * run:
 *
 * 1. tfjs-backend-wasm-train's README network (test/fixtures/wasm-train-package/:
 *    a small conv net, model.fit, 1024 Fashion-MNIST images, 5 epochs):
 *    Node on wasm with the package, Node on TF.js's stock cpu backend (what
 *    a TF.js user trains on without it), and Chromium from script tags.
 * 2. A report's "run it here" experiment (lib/run-here/): every run of it in
 *    Chromium, as a reader's click runs it, and the same runs in Node on the
 *    lab's engine at one thread (the page's thread count).
 *
 * usage: npm run bench:in-browser [-- --chapter 02 --claim between --out FILE]
 * Writes bench/results/in-browser.json and prints a Markdown table.
 */
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {parseArgs} from 'node:util';

import {chromium} from 'playwright-core';

import {thisCpu} from '../lib/bench/machine';
import {serveFolder, writeFixtureProject} from '../lib/bench/wasm-train-fixture';
import {THREADS_ENV, initEngine, quietTfjs} from '../lib/engine';
import {writeFileAtomic} from '../lib/results';
import {REPO_ROOT} from '../lib/root';
import {RUN_HERE_DEFAULTS, runHereConfig} from '../lib/run-here/config';
import {runsOf, trainRun} from '../lib/run-here/runner';
import {carriedSets, runHereHtml} from '../lib/run-here/section';

const {values} = parseArgs({options: {
  chapter: {type: 'string', default: '02'},
  claim: {type: 'string', default: 'between'},
  out: {type: 'string', default: path.join(REPO_ROOT, 'bench', 'results', 'in-browser.json')},
}});

const CHROMIUM = process.env['LAB_CHROMIUM'] ?? '/usr/bin/chromium';
const PACKAGE_IMAGES = 1024;

interface Row {
  work: string;
  where: string;
  seconds: number;
  imagesPerSecond: number;
}

/** The package's README network: Node wasm + package, Node stock cpu, Chromium (script tags). */
async function packageNetwork(browser: import('playwright-core').Browser): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-in-browser-'));
  try {
    writeFixtureProject(dir, PACKAGE_IMAGES);
    // The lab's own node_modules: TF.js, and the package through its workspace link (its dist/, built by setup).
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const node = (...args: string[]) => {
      const run = spawnSync(process.execPath, ['train.cjs', ...args], {cwd: dir, encoding: 'utf8'});
      const outcome = JSON.parse(run.stdout.trim().split('\n').pop()!) as {images: number; fitSeconds: number; error?: string};
      if (outcome.error) throw new Error(`node train.cjs ${args.join(' ')}: ${outcome.error}`);
      return outcome;
    };
    const rows: Row[] = [];
    const work = `README network, model.fit, ${PACKAGE_IMAGES} images x 5 epochs`;
    for (const [where, args] of [['Node, wasm + tfjs-backend-wasm-train (1 thread)', []], ['Node, stock cpu backend', ['--stock', '--backend', 'cpu']]] as const) {
      const outcome = node(...args);
      rows.push({work, where, seconds: outcome.fitSeconds, imagesPerSecond: outcome.images / outcome.fitSeconds});
    }
    const server = await serveFolder(dir);
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction(() => (window as unknown as {result?: unknown}).result != null, null, {timeout: 600_000});
      const outcome = await page.evaluate(() => (window as unknown as {result: {images: number; fitSeconds: number; error?: string}}).result);
      if (outcome.error) throw new Error(`Chromium: ${outcome.error}`);
      rows.push({work, where: 'Chromium, wasm + tfjs-backend-wasm-train (1 thread, script tags)', seconds: outcome.fitSeconds,
                 imagesPerSecond: outcome.images / outcome.fitSeconds});
      await page.close();
    } finally {
      await server.close();
    }
    return rows;
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

/** A report's run-it-here experiment: all its runs in Chromium (the page), then the same in Node at one thread. */
async function runHereExperiment(browser: import('playwright-core').Browser): Promise<Row[]> {
  const config = runHereConfig({chapter: values.chapter!, claim: values.claim!});
  const images = config.seeds.length * 2 * config.training.limit! * config.training.epochs;
  const work = `run it here: chapter ${config.chapter} '${config.id}', ${config.seeds.length * 2} runs of ${config.training.limit} images x ` +
      `${config.training.epochs} epochs (${RUN_HERE_DEFAULTS.trainImages === config.training.limit ? 'the default size' : 'custom size'})`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-run-here-'));
  const rows: Row[] = [];
  try {
    const file = path.join(dir, 'page.html');
    const plotly = fs.readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');
    fs.writeFileSync(file, `<!doctype html><meta charset="utf-8"><body><script>${plotly}</script>${runHereHtml(config)}</body>`);
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    await page.click('[data-role=estimate]');
    await page.waitForFunction(() => /will take about/.test(document.querySelector('[data-role=status]')!.textContent!), null, {timeout: 600_000});
    const estimate = await page.textContent('[data-role=status]');
    const started = Date.now();
    await page.click('[data-role=start]');
    await page.waitForFunction(() => /Done: |Could not/.test(document.querySelector('[data-role=status]')!.textContent!), null, {timeout: 3_600_000});
    const seconds = (Date.now() - started) / 1000;
    const done = await page.textContent('[data-role=status]');
    if (!/Done: /.test(done!)) throw new Error(`the page did not finish: ${done}`);
    rows.push({work, where: `Chromium, the report's section (${estimate!.replace(/^The experiment will take /, 'estimated ').replace(/;.*$/, '')})`,
               seconds, imagesPerSecond: images / seconds});
    await page.close();
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
  process.env[THREADS_ENV] = '1';
  const engine = await initEngine('wasm');
  const sets = carriedSets(config);
  const started = Date.now();
  for (const run of runsOf(config)) await trainRun(config, sets, run, {engine});
  const seconds = (Date.now() - started) / 1000;
  rows.push({work, where: `Node, the lab's engine (${engine.threads} thread)`, seconds, imagesPerSecond: images / seconds});
  return rows;
}

async function main(): Promise<void> {
  quietTfjs();
  const browser = await chromium.launch({executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu']});
  let rows: Row[];
  try {
    rows = [...await packageNetwork(browser), ...await runHereExperiment(browser)];
  } finally {
    await browser.close();
  }
  const when = `${thisCpu()}, ${os.cpus().length} cores, Node ${process.versions.node}, ${browser.version()}, ${new Date().toISOString().slice(0, 10)}`;
  writeFileAtomic(values.out!, JSON.stringify({rows, when}, null, 1) + '\n');
  const table = ['| work | where | seconds | images/s |', '|---|---|---:|---:|',
                 ...rows.map(r => `| ${r.work} | ${r.where} | ${r.seconds.toFixed(1)} | ${r.imagesPerSecond.toFixed(0)} |`)];
  process.stdout.write(`${table.join('\n')}\n\n${when}\n`);
}

main().catch(error => {
  process.stderr.write(`bench:in-browser: ${(error as Error).stack}\n`);
  process.exit(1);
});
