/**
 * tfjs-backend-wasm-train as a TF.js user gets it: `npm pack` makes the
 * tarball, an empty project installs it offline beside @tensorflow/tfjs and
 * @tensorflow/tfjs-backend-wasm, and the same small conv net
 * (test/fixtures/wasm-train-package/) trains there with model.fit: in Node
 * from the CommonJS and the ES module builds, and in Chromium from the
 * script-tag build, plain and cross-origin isolated (the threaded build).
 * Stock tfjs-backend-wasm, in the same project, cannot train it.
 */
import {strict as assert} from 'node:assert';
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {serveFolder, writeFixtureProject} from '../../lib/bench/wasm-train-fixture';
import {REPO_ROOT} from '../../lib/root';
import {launchOffline} from '../helpers/browser';
import {installOffline} from '../helpers/offline-install';

const PACKAGE_DIR = path.join(REPO_ROOT, 'packages', 'tfjs-backend-wasm-train');
/** Training images the net sees (five epochs of them). */
const IMAGES = 1024;

interface Outcome {
  before: number; after: number; images: number; fitSeconds: number; backend: string; kernels: string;
  threads?: number; crossOriginIsolated?: boolean; sharedMemory?: boolean; error?: string;
}

function runNode(project: string, script: string, ...args: string[]): Outcome {
  const run = spawnSync(process.execPath, [script, ...args], {cwd: project, encoding: 'utf8', timeout: 300_000});
  const last = run.stdout.trim().split('\n').pop() ?? '';
  assert.equal(run.status, 0, `node ${script} ${args.join(' ')} exited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(last) as Outcome;
}

function assertTrained(outcome: Outcome, where: string): void {
  assert.equal(outcome.error, undefined, `${where}: ${outcome.error}`);
  assert.equal(outcome.backend, 'wasm', where);
  assert.ok(Number.isFinite(outcome.before) && Number.isFinite(outcome.after), `${where}: losses ${outcome.before} -> ${outcome.after}`);
  // Ten classes start near ln 10 = 2.3; five epochs of 1024 images bring a working net well below
  // (about 1.4 here; a net whose gradients were wrong stays near 2.3 or climbs).
  assert.ok(outcome.after < 0.9 * outcome.before, `${where}: loss ${outcome.before.toFixed(3)} -> ${outcome.after.toFixed(3)}`);
}

describe('tfjs-backend-wasm-train, installed from its tarball into an empty project @integration', function () {
  this.timeout(900_000);
  let scratch = '';
  let project = '';
  const speeds: string[] = [];

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-train-package-'));
    const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', scratch], {cwd: PACKAGE_DIR, encoding: 'utf8'});
    assert.equal(pack.status, 0, `npm pack failed:\n${pack.stderr}`);
    const [packed] = JSON.parse(pack.stdout) as Array<{filename: string; files: Array<{path: string}>}>;
    const shipped = packed.files.map(f => f.path);
    for (const file of ['README.md', 'LICENSE', 'dist/index.cjs', 'dist/index.mjs', 'dist/index.d.ts', 'dist/tfjs-backend-wasm-train.min.js']) {
      assert.ok(shipped.includes(file), `the tarball lacks ${file}: ${shipped.join(', ')}`);
    }
    assert.ok(!shipped.some(f => f.startsWith('src/')), 'the tarball ships built code, not sources');
    const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as
        {name: string; version: string; peerDependencies: Record<string, string>; dependencies?: object};
    assert.equal(manifest.dependencies, undefined, 'TF.js is a peer dependency; nothing else is needed');
    project = path.join(scratch, 'project');
    fs.mkdirSync(project);
    installOffline(project, ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'],
                   {...manifest, file: path.join(scratch, packed.filename)});
    writeFixtureProject(project, IMAGES);
  });

  after(() => {
    if (speeds.length > 0) process.stderr.write(`      images/s, model.fit: ${speeds.join('; ')}\n`);
    fs.rmSync(scratch, {recursive: true, force: true});
  });

  it('stock tfjs-backend-wasm 4.22 cannot train the net: its conv2d has no filter gradient', () => {
    const outcome = runNode(project, 'train.cjs', '--stock');
    assert.match(outcome.error ?? '', /Conv2DBackpropFilter.*not registered for backend 'wasm'|'Conv2DBackpropFilter' not registered/);
  });

  it('trains it in Node through require() (the CommonJS build), on the SIMD kernels', () => {
    const outcome = runNode(project, 'train.cjs');
    assertTrained(outcome, 'Node, CommonJS');
    // Node 20 has relaxed SIMD only behind a flag the package does not set: its plain SIMD build runs.
    assert.ok(['plain', 'fused'].includes(outcome.kernels), `kernels: ${outcome.kernels}`);
    speeds.push(`Node ${(outcome.images / outcome.fitSeconds).toFixed(0)} (${outcome.kernels} SIMD)`);
  });

  it('trains it in Node through import (the ES module build)', () => {
    const outcome = runNode(project, 'train.mjs');
    assertTrained(outcome, 'Node, ES module');
    assert.notEqual(outcome.kernels, 'javascript');
  });

  for (const isolated of [false, true]) {
    it(`trains it in Chromium from script tags, ${isolated ? 'cross-origin isolated (the threaded build)' : 'not isolated'}, without leaving 127.0.0.1`, async () => {
      const server = await serveFolder(project);
      const browser = await launchOffline();
      try {
        const page = await browser.context.newPage();
        const problems: string[] = [];
        page.on('pageerror', error => problems.push(error.message));
        await page.goto(`${server.url}/index.html${isolated ? '?isolated' : ''}`);
        await page.waitForFunction(() => (window as unknown as {result?: unknown}).result != null, null, {timeout: 600_000});
        const outcome = await page.evaluate(() => (window as unknown as {result: Outcome}).result);
        assertTrained(outcome, `Chromium${isolated ? ', isolated' : ''}`);
        assert.deepEqual(problems, []);
        assert.equal(outcome.crossOriginIsolated, isolated);
        // Isolated, tfjs-backend-wasm loads its threaded build (a shared memory) with a pool of half the
        // cores, at most 4 (emscripten's pool size in its build): one thread on a 2-core machine.
        assert.equal(outcome.sharedMemory, isolated);
        assert.equal(outcome.threads, isolated ? Math.min(4, Math.max(1, Math.floor(os.cpus().length / 2))) : 1);
        // Chromium has relaxed SIMD: the fused build loads.
        assert.equal(outcome.kernels, 'fused');
        assert.deepEqual(browser.external, []);
        speeds.push(`Chromium${isolated ? ' isolated' : ''}, ${outcome.threads} thread(s): ${(outcome.images / outcome.fitSeconds).toFixed(0)}`);
      } finally {
        await browser.close();
        await server.close();
      }
    });
  }
});
