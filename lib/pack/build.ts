/**
 * `cnnlab pack`: one archive that trains the lab's networks on an offline
 * Linux x86-64 machine with no Node.js (a GPU workstation, a cluster's GPU
 * nodes). esbuild bundles the whole lab into app/cnnlab.js; beside it go the
 * files a bundle cannot hold: TF.js's WebAssembly binaries, Dawn's native
 * WebGPU binding, the Node runtime the lab runs on here, Debian's Vulkan
 * loader (for machines that lack one), the PyTorch peer script of the
 * benchmark, and a shell launcher. `tar` compresses it with xz (the Node
 * binary, stripped of its symbols, is most of the size; xz halves it where
 * gzip would not); every Linux that has dpkg or rpm has xz.
 * With `withData`, the four Fashion-MNIST files travel too (30 MB).
 */
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {FASHION_MNIST_FILES, requireFashionMnist} from '../data/locate';
import {REPO_ROOT} from '../root';
import {LAUNCHER, packReadme} from './launcher';

/** What the bundle must not contain: native code shipped as files, or what the pack's commands never load. */
const EXTERNAL = [
  'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'esbuild',
  // Notebook display only (the pack runs no notebooks).
  'vega', 'vega-lite', 'plotly.js-dist-min', 'tslab', 'tslab/*', 'playwright-core',
];

/** tfjs-backend-wasm's binaries and the glue its threaded build's workers load from disk. */
const WASM_FILES = [
  'tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.js', 'tfjs-backend-wasm-threaded-simd.worker.js',
];

export interface PackOptions {
  /** The archive to write; default cnnlab-pack-linux-x64.tar.xz in the current folder. */
  out?: string;
  /** Carry the Fashion-MNIST files (for a machine that has no copy). */
  withData?: boolean;
  /** A libvulkan.so.1 to carry; default: Debian's libvulkan1, fetched with apt-get download. */
  vulkanLoader?: string | null;
  say?: (line: string) => void;
}

export interface PackResult {
  archive: string;
  bytes: number;
  /** Files in the pack, relative to its folder, with sizes. */
  files: Array<{file: string; bytes: number}>;
  /** Where the Vulkan loader came from, or why the pack has none. */
  vulkanLoader: string;
}

function run(command: string, args: string[], cwd?: string): string {
  const r = spawnSync(command, args, {cwd, encoding: 'utf8'});
  if (r.error) throw new Error(`could not run ${command}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  return r.stdout;
}

function copy(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), {recursive: true});
  fs.copyFileSync(from, to);
}

/** The lab's project-local loader (npm test unpacks one), else Debian's libvulkan1 from apt. */
function findVulkanLoader(scratch: string): {file: string | null; source: string} {
  const local = path.join(REPO_ROOT, '.cache', 'vulkan', 'root', 'usr', 'lib', 'x86_64-linux-gnu', 'libvulkan.so.1');
  if (fs.existsSync(local)) return {file: fs.realpathSync(local), source: "Debian's libvulkan1 from .cache/vulkan"};
  const debs = path.join(scratch, 'debs');
  fs.mkdirSync(debs, {recursive: true});
  const download = spawnSync('apt-get', ['-qq', 'download', 'libvulkan1'], {cwd: debs, encoding: 'utf8'});
  const deb = fs.existsSync(debs) ? fs.readdirSync(debs).find(f => f.startsWith('libvulkan1_')) : undefined;
  if (download.status !== 0 || deb == null) {
    return {file: null, source: `none: apt-get download libvulkan1 failed (${(download.stderr || 'no apt-get').trim().split('\n').pop()})`};
  }
  const root = path.join(scratch, 'root');
  run('dpkg', ['-x', path.join(debs, deb), root]);
  const file = path.join(root, 'usr', 'lib', 'x86_64-linux-gnu', 'libvulkan.so.1');
  return fs.existsSync(file) ? {file: fs.realpathSync(file), source: `Debian's ${deb}`} : {file: null, source: `none: ${deb} has no libvulkan.so.1`};
}

function commit(): string {
  const r = spawnSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'], {encoding: 'utf8'});
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

function listFiles(dir: string, prefix = ''): Array<{file: string; bytes: number}> {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap(entry => {
    const rel = path.join(prefix, entry.name);
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full, rel) : [{file: rel, bytes: fs.statSync(full).size}];
  });
}

export async function buildPack(options: PackOptions = {}): Promise<PackResult> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the pack is for Linux x86-64 and carries this machine's Node; this is ${process.platform}-${process.arch}`);
  }
  const say = options.say ?? (() => {});
  const archive = path.resolve(options.out ?? 'cnnlab-pack-linux-x64.tar.xz');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cnnlab-pack-'));
  const root = path.join(scratch, 'cnnlab-pack');
  try {
    const app = path.join(root, 'app');
    say('bundling the lab with esbuild');
    const esbuild = require('esbuild') as typeof import('esbuild');
    const common = {bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, keepNames: true,
                    external: EXTERNAL, logLevel: 'error', legalComments: 'none'} as const;
    const entry = path.join(__dirname, '..', 'cli', `pack-entry${path.extname(__filename)}`);
    const adapter = path.join(__dirname, '..', 'engine', 'backends', `webgpu-adapter${path.extname(__filename)}`);
    await esbuild.build({...common, entryPoints: [entry], outfile: path.join(app, 'cnnlab.js')});
    await esbuild.build({...common, entryPoints: [adapter], outfile: path.join(app, 'webgpu-adapter.js')});

    say('copying TF.js\'s WebAssembly binaries, Dawn\'s binding and Node');
    const wasmOut = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
    for (const file of WASM_FILES) copy(path.join(wasmOut, file), path.join(app, 'wasm', file));
    const webgpu = path.dirname(require.resolve('webgpu/package.json'));
    for (const file of ['package.json', 'index.js', 'LICENSE.md', path.join('dist', 'linux-x64', 'dawn.node')]) {
      copy(path.join(webgpu, file), path.join(app, 'node_modules', 'webgpu', file));
    }
    const node = path.join(root, 'node', 'node');
    copy(process.execPath, node);
    fs.chmodSync(node, 0o755);
    // Symbols are for debuggers, not for running: 99 MB -> 86 MB, and xz packs the rest to 22 MB.
    if (spawnSync('strip', ['--strip-all', node]).status !== 0) say('strip is not here: the Node binary travels unstripped');
    copy(path.join(REPO_ROOT, 'bench', 'torch_peer.py'), path.join(root, 'bench', 'torch_peer.py'));

    const loader = options.vulkanLoader === null ? {file: null, source: 'none: left out on request'} :
        options.vulkanLoader ? {file: options.vulkanLoader, source: options.vulkanLoader} : findVulkanLoader(path.join(scratch, 'apt'));
    if (loader.file) copy(loader.file, path.join(root, 'vulkan', 'libvulkan.so.1'));

    fs.mkdirSync(path.join(root, 'bin'), {recursive: true});
    fs.writeFileSync(path.join(root, 'bin', 'cnnlab'), LAUNCHER, {mode: 0o755});
    const version = {commit: commit(), date: new Date().toISOString().slice(0, 10), node: process.versions.node};
    fs.writeFileSync(path.join(root, 'README.txt'), packReadme(version));
    fs.writeFileSync(path.join(root, 'VERSION.json'), JSON.stringify({...version, vulkanLoader: loader.source}, null, 1) + '\n');
    const dataDir = path.join(root, 'datasets', 'fashion-mnist');
    fs.mkdirSync(dataDir, {recursive: true});
    if (options.withData) {
      const source = requireFashionMnist();
      for (const file of Object.values(FASHION_MNIST_FILES)) copy(path.join(source, file), path.join(dataDir, file));
    }

    say(`writing ${archive}`);
    fs.mkdirSync(path.dirname(archive), {recursive: true});
    const temporary = `${archive}.${process.pid}.tmp`;
    const xz = spawnSync('tar', ['-cJf', temporary, '-C', scratch, 'cnnlab-pack'], {env: {...process.env, XZ_OPT: '-T0'}, encoding: 'utf8'});
    if (xz.status !== 0) throw new Error(`tar -cJf failed (${xz.status}): ${(xz.stderr || '').trim().split('\n').pop()} (is xz installed?)`);
    fs.renameSync(temporary, archive);
    return {archive, bytes: fs.statSync(archive).size, files: listFiles(root), vulkanLoader: loader.source};
  } finally {
    fs.rmSync(scratch, {recursive: true, force: true});
  }
}
