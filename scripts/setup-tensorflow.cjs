#!/usr/bin/env node
/**
 * Opt-in: the `tensorflow` engine (tfjs-node) built against the TensorFlow
 * C library that PyPI's `tensorflow-cpu` wheel ships.
 *
 * @tensorflow/tfjs-node's own install script downloads libtensorflow 2.9 and
 * a prebuilt addon from Google Cloud Storage, which this machine cannot
 * reach. The wheel from PyPI carries the same C API (TF_* and TFE_*, exported
 * by libtensorflow_cc.so.2) and its headers, so the addon builds from the
 * package's own sources against it, offline, with node-gyp and the local
 * Node headers. Idempotent: each step checks what is already there.
 *
 *   1. download the wheel (pip, from PyPI) into .cache/wheels/;
 *   2. install @tensorflow/tfjs-node without its install script (npm);
 *   3. copy the two shared libraries and the C headers into its deps/;
 *   4. build the addon with node-pre-gyp --build-from-source.
 *
 * Needs: Python 3 with pip, a C++ compiler and make, Node's headers (Debian:
 * g++, make, and the headers that ship with nodejs). About 230 MB to
 * download and 700 MB on disk. `npm ci` (after a lock change) removes the
 * package again; re-run this script then.
 *
 * Usage: node scripts/setup-tensorflow.cjs   (npm run setup:tensorflow)
 */
'use strict';
const {spawnSync} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** TensorFlow whose C library the addon is built against. */
const TF_VERSION = '2.18.0';
/** The tfjs-node matching the lab's @tensorflow/tfjs. */
const TFJS_NODE_VERSION = require(path.join(ROOT, 'package.json')).dependencies['@tensorflow/tfjs'];
const WHEEL_DIR = path.join(ROOT, '.cache', 'wheels');
const PACKAGE_DIR = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node');
const STAMP = path.join(PACKAGE_DIR, 'deps', '.lab-tensorflow');

function say(msg) {
  process.stderr.write(`[setup-tensorflow] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`[setup-tensorflow] ERROR: ${msg}\n`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  say(`$ ${cmd} ${args.join(' ')}`);
  const result = spawnSync(cmd, args, {cwd: ROOT, stdio: 'inherit', ...opts});
  if (result.error) fail(`could not start '${cmd}': ${result.error.message}`);
  if (result.status !== 0) fail(`'${cmd} ${args.join(' ')}' exited with ${result.status}`);
}

function python() {
  const venv = path.join(ROOT, '.venv', 'bin', 'python');
  return fs.existsSync(venv) ? venv : 'python3';
}

/** The wheel for any CPython: only its shared libraries and headers are used, never Python. */
function ensureWheel() {
  fs.mkdirSync(WHEEL_DIR, {recursive: true});
  const find = () => fs.readdirSync(WHEEL_DIR).find(f => f.startsWith(`tensorflow_cpu-${TF_VERSION}-`) && f.endsWith('.whl'));
  if (find() == null) {
    run(python(), ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--platform', 'manylinux2014_x86_64',
                   '--python-version', '3.11', '--dest', WHEEL_DIR, `tensorflow-cpu==${TF_VERSION}`]);
  }
  const wheel = find();
  if (wheel == null) fail(`pip did not leave a tensorflow_cpu-${TF_VERSION} wheel in ${WHEEL_DIR}`);
  return path.join(WHEEL_DIR, wheel);
}

function ensurePackage() {
  const manifest = path.join(PACKAGE_DIR, 'package.json');
  if (fs.existsSync(manifest) && require(manifest).version === TFJS_NODE_VERSION) return;
  // --no-save: package.json and the lock already declare it as optional.
  run('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `@tensorflow/tfjs-node@${TFJS_NODE_VERSION}`]);
  const nested = path.join(PACKAGE_DIR, 'node_modules', '@tensorflow', 'tfjs-core');
  if (fs.existsSync(nested)) fail(`${nested} exists: tfjs-node would register its backend with a second copy of TF.js`);
}

/** Libraries and C headers from the wheel into deps/, where binding.gyp looks. */
function ensureDeps(wheel) {
  const deps = path.join(PACKAGE_DIR, 'deps');
  const lib = path.join(deps, 'lib');
  fs.mkdirSync(lib, {recursive: true});
  const extract = `
import sys, zipfile
wheel, deps = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(wheel)
for name in z.namelist():
    if name in ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'):
        with z.open(name) as src, open(deps + '/lib/' + name.split('/')[-1], 'wb') as dst:
            while True:
                chunk = src.read(1 << 24)
                if not chunk: break
                dst.write(chunk)
    elif name.startswith(('tensorflow/include/tensorflow/c/', 'tensorflow/include/tensorflow/core/platform/ctstring',
                          'tensorflow/include/tsl/', 'tensorflow/include/xla/tsl/')) \
            and not name.endswith('/'):
        target = deps + '/include/' + name[len('tensorflow/include/'):]
        import os; os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(name) as src, open(target, 'wb') as dst: dst.write(src.read())
`;
  run(python(), ['-c', extract, wheel, deps]);
  // binding.gyp links -ltensorflow -ltensorflow_framework; the C API lives in libtensorflow_cc.
  for (const [link, target] of [['libtensorflow.so', 'libtensorflow_cc.so.2'], ['libtensorflow_framework.so', 'libtensorflow_framework.so.2']]) {
    fs.rmSync(path.join(lib, link), {force: true});
    fs.symlinkSync(target, path.join(lib, link));
  }
}

function nodeHeaders() {
  // Debian's nodejs puts them in /usr/include/node; a nodejs.org build next to bin/ too.
  const dir = path.resolve(path.dirname(process.execPath), '..');
  if (!fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h'))) {
    fail(`no Node headers under ${dir}/include/node (node-gyp would try to download them): install them ` +
        '(Debian: apt-get install libnode-dev) or run with a Node that ships them');
  }
  return dir;
}

function ensureAddon() {
  const preGyp = require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp', {paths: [PACKAGE_DIR]});
  run(process.execPath, [preGyp, 'rebuild', '--build-from-source', `--nodedir=${nodeHeaders()}`], {cwd: PACKAGE_DIR});
}

function check() {
  const probe = `require('@tensorflow/tfjs-node'); const tf = require('@tensorflow/tfjs');
    tf.ready().then(() => { const y = tf.conv2d(tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 1]), 1, 'same');
      console.log(tf.getBackend(), tf.backend().binding.TF_Version, y.dataSync()[5]); });`;
  const result = spawnSync(process.execPath, ['-e', probe], {cwd: ROOT, encoding: 'utf8', env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2'}});
  const out = result.stdout.trim();
  // Inner pixel of a 3x3 all-ones conv over two all-ones channels: 18.
  if (result.status !== 0 || out !== `tensorflow ${TF_VERSION} 18`) fail(`the built engine does not work: ${out} ${result.stderr}`);
  say(`ok: TF.js runs on the TensorFlow ${TF_VERSION} C library (${out})`);
}

function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') fail('this route is for Linux x86-64 (the wheel is manylinux x86_64)');
  if (fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8').trim() === TF_VERSION) {
    check();
    return;
  }
  const wheel = ensureWheel();
  ensurePackage();
  ensureDeps(wheel);
  ensureAddon();
  check();
  fs.writeFileSync(STAMP, TF_VERSION + '\n');
}

main();
