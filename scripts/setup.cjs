#!/usr/bin/env node
/**
 * Idempotent set-up behind both README commands (`npm run report`, `npm test`).
 *
 * Plain CommonJS with no dependencies, because it runs before node_modules
 * exists. Each step checks a stamp first, so a machine that is already set up
 * pays only for a few hashes and stats (well under the 5 s budget):
 *   1. node_modules matches package-lock.json (else `npm ci`);
 *   2. the workspace package tfjs-backend-wasm-train (the lab's kernels) has
 *      a dist/ newer than its sources (else its build: esbuild and tsc), and
 *      dist/ is newer than every file in lib/ and the package's sources
 *      (else `tsc -p tsconfig.build.json`);
 *      then the reports' "run it here" page code (dist/run-here/, esbuild);
 *   3. .venv/ holds requirements.txt (else venv + pip install);
 *   4. Debian packages the lab uses (dataset-fashion-mnist; for tests
 *      chromium), installed when running as root on Debian, otherwise the
 *      exact command;
 *   5. for tests, Mesa's software Vulkan unpacked into .cache/vulkan/
 *      (scripts/software-vulkan.cjs): nothing is installed on the system;
 *   6. Fashion-MNIST found.
 *
 * Usage: node scripts/setup.cjs [--for-tests] [--quiet]
 */
'use strict';
const {execFileSync, spawnSync} = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const {softwareVulkanEnv} = require('./software-vulkan.cjs');

const ROOT = path.resolve(__dirname, '..');
const args = new Set(process.argv.slice(2));
const forTests = args.has('--for-tests');
const quiet = args.has('--quiet');
const started = Date.now();

function say(msg) {
  if (!quiet) process.stderr.write(`[setup] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`[setup] ERROR: ${msg}\n`);
  process.exit(1);
}

function sha1(file) {
  return crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex');
}

function readStamp(file) {
  try { return fs.readFileSync(file, 'utf8').trim(); } catch { return null; }
}

function run(cmd, cmdArgs, opts = {}) {
  say(`$ ${cmd} ${cmdArgs.join(' ')}`);
  const result = spawnSync(cmd, cmdArgs, {cwd: ROOT, stdio: 'inherit', ...opts});
  if (result.error) fail(`could not start '${cmd}': ${result.error.message}`);
  if (result.status !== 0) fail(`'${cmd} ${cmdArgs.join(' ')}' exited with ${result.status}`);
}

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) fail(`Node ${process.versions.node} is too old: the lab needs Node 20 or newer`);
}

function ensureNodeModules() {
  const lock = path.join(ROOT, 'package-lock.json');
  const stampFile = path.join(ROOT, 'node_modules', '.lab-lock-sha1');
  const want = sha1(lock);
  if (readStamp(stampFile) === want) return;
  say('node_modules is missing or older than package-lock.json: installing');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  fs.writeFileSync(stampFile, want + '\n');
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

const KERNEL_PACKAGE = path.join(ROOT, 'packages', 'tfjs-backend-wasm-train');

/** The newest modification time among `paths` (folders searched through). */
function newestOf(paths) {
  return Math.max(...paths.map(p => fs.statSync(p).isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs));
}

/**
 * Runs `build` when `stamp` is older than any of `sources` (or missing),
 * then stamps: each build step below is skipped when nothing it reads changed.
 */
function buildWhenStale(stamp, sources, what, build) {
  let built = 0;
  try { built = fs.statSync(stamp).mtimeMs; } catch { /* never built */ }
  if (built >= newestOf(sources)) return;
  say(what);
  build();
  fs.mkdirSync(path.dirname(stamp), {recursive: true});
  fs.writeFileSync(stamp, new Date().toISOString() + '\n');
}

function ensureKernelPackage() {
  buildWhenStale(path.join(KERNEL_PACKAGE, 'dist', '.build-stamp'),
      ['src', 'scripts', 'package.json', 'tsconfig.json'].map(p => path.join(KERNEL_PACKAGE, p)),
      'building the kernel package packages/tfjs-backend-wasm-train/dist/',
      () => run(process.execPath, [path.join(KERNEL_PACKAGE, 'scripts', 'build.cjs')]));
}

function ensureBuild() {
  buildWhenStale(path.join(ROOT, 'dist', '.build-stamp'),
      [path.join(ROOT, 'lib'), path.join(KERNEL_PACKAGE, 'src'), path.join(ROOT, 'tsconfig.build.json'), path.join(ROOT, 'tsconfig.json')],
      'compiling lib/ to dist/', () => {
        // From empty: output of a module since moved or deleted would otherwise
        // linger in dist/ and keep working for whatever still imports it.
        fs.rmSync(path.join(ROOT, 'dist'), {recursive: true, force: true});
        run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
      });
}

/** The reports' "run it here" page code (scripts/build-run-here.cjs), after lib/ and the kernel package. */
function ensureRunHereBundle() {
  buildWhenStale(path.join(ROOT, 'dist', 'run-here', '.build-stamp'),
      [path.join(ROOT, 'lib'), path.join(KERNEL_PACKAGE, 'src'), path.join(ROOT, 'scripts', 'build-run-here.cjs')],
      'bundling the reports\' "run it here" page code into dist/run-here/',
      () => run(process.execPath, [path.join(ROOT, 'scripts', 'build-run-here.cjs')]));
}

function findPython() {
  for (const candidate of ['python3', 'python']) {
    const r = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {encoding: 'utf8'});
    if (r.status === 0) {
      const [major, minor] = r.stdout.trim().split('.').map(Number);
      if (major === 3 && minor >= 10) return candidate;
      fail(`${candidate} is Python ${r.stdout.trim()}; the lab needs Python 3.10 or newer`);
    }
  }
  fail('no python3 found: install Python 3.10+ (Debian/Ubuntu: apt-get install python3 python3-venv)');
}

function ensureVenv() {
  const venv = path.join(ROOT, '.venv');
  const python = path.join(venv, 'bin', 'python');
  const stampFile = path.join(venv, '.lab-requirements-sha1');
  const want = sha1(path.join(ROOT, 'requirements.txt'));
  if (fs.existsSync(python) && readStamp(stampFile) === want) return;
  if (!fs.existsSync(python)) {
    const system = findPython();
    say('creating the project-local Python environment in .venv/');
    const r = spawnSync(system, ['-m', 'venv', venv], {stdio: 'inherit'});
    if (r.status !== 0) {
      fail('python3 -m venv failed. On Debian/Ubuntu: apt-get install python3-venv');
    }
  }
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', 'requirements.txt']);
  fs.writeFileSync(stampFile, want + '\n');
}

function isDebianRoot() {
  return process.getuid && process.getuid() === 0 && fs.existsSync('/usr/bin/apt-get') &&
      fs.existsSync('/etc/debian_version');
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], {encoding: 'utf8'});
  return r.status === 0 && r.stdout.includes('install ok installed');
}

const FASHION_FILES = [
  'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz',
];

/**
 * The same search as lib/data/locate.ts: datasets/fashion-mnist/, then
 * Debian's package; a set $LAB_DATA_DIR is the only place searched.
 */
function fashionMnistCandidates() {
  const fromEnv = process.env.LAB_DATA_DIR;
  // The same check as lib/environment.ts: a set $LAB_DATA_DIR must name a folder.
  if (fromEnv && !(fs.existsSync(fromEnv) && fs.statSync(fromEnv).isDirectory())) {
    fail(`$LAB_DATA_DIR must be an existing folder holding the data sets' files, got '${fromEnv}': ` +
         `${fs.existsSync(fromEnv) ? 'it is not a folder' : 'it does not exist'}`);
  }
  if (fromEnv) return [path.join(fromEnv, 'fashion-mnist'), fromEnv];
  return [path.join(ROOT, 'datasets', 'fashion-mnist'), '/usr/share/datasets/fashion-mnist'];
}

function fashionMnistDir() {
  return fashionMnistCandidates().find(dir => FASHION_FILES.every(f => fs.existsSync(path.join(dir, f))));
}

function ensureDebianPackages() {
  const wanted = [];
  // A user-chosen $LAB_DATA_DIR is theirs to fill: installing Debian's copy
  // would not make the lab read it.
  if (!fashionMnistDir() && !process.env.LAB_DATA_DIR) wanted.push('dataset-fashion-mnist');
  if (forTests && !fs.existsSync('/usr/bin/chromium')) wanted.push('chromium');
  const missing = wanted.filter(p => !fs.existsSync('/usr/bin/dpkg-query') || !dpkgInstalled(p));
  if (missing.length === 0) return;
  if (!isDebianRoot()) {
    const need = missing.join(' ');
    fail(`missing Debian packages: ${need}. Run: sudo apt-get install -y ${need}` +
        (missing.includes('dataset-fashion-mnist') ?
             ' (or put the four Fashion-MNIST .gz files in datasets/fashion-mnist/ or $LAB_DATA_DIR)' : ''));
  }
  say(`installing Debian packages: ${missing.join(', ')}`);
  const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'};
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', ...missing], {stdio: 'inherit', env});
  if (install().status !== 0) {
    run('apt-get', ['update', '-qq'], {env});
    if (install().status !== 0) fail(`apt-get install ${missing.join(' ')} failed`);
  }
}

function main() {
  checkNode();
  ensureNodeModules();
  ensureKernelPackage();
  ensureBuild();
  ensureRunHereBundle();
  ensureVenv();
  ensureDebianPackages();
  // The webgpu tests' software Vulkan, inside .cache/ (scripts/software-vulkan.cjs); without it they skip.
  if (forTests) softwareVulkanEnv(say);
  if (!fashionMnistDir()) {
    fail(`Fashion-MNIST not found in ${fashionMnistCandidates().join(' or ')}` +
        (process.env.LAB_DATA_DIR ? ': put the four .gz files in $LAB_DATA_DIR, or unset it' : ''));
  }
  say(`ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main();
