/**
 * The GPU pack as a user carries it to an offline machine: built from this
 * checkout by `cnnlab pack`, unpacked in a temporary folder, and run with no
 * Node.js on PATH and no network (a network namespace of its own): doctor,
 * a short training run on wasm, one on webgpu over Mesa's software Vulkan
 * (through the pack's own Vulkan loader), and the GPU benchmark. A pack
 * that lacks a file it needs fails here.
 */
import {strict as assert} from 'node:assert';
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {TINY_TRAIN_ARGS, runCli, tempDir} from '../helpers/cli';

const {softwareVulkanEnv} = require('../../scripts/software-vulkan.cjs') as
    {softwareVulkanEnv(): {env?: NodeJS.ProcessEnv; reason?: string}};

/** Where the launcher (lib/pack/launcher.ts) looks for the machine's own Vulkan loader. */
const SYSTEM_LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/lib64', '/usr/lib', '/usr/local/lib'];
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** How to run a command without network: a namespace of its own (root), or with a user namespace. */
function offlinePrefix(): string[] | null {
  const unshare = spawnSync('/bin/sh', ['-c', 'command -v unshare'], {encoding: 'utf8'}).stdout.trim();
  if (unshare === '') return null;
  for (const flags of ['-n', '-rn']) {
    if (spawnSync(unshare, [flags, 'true']).status === 0) return [unshare, flags];
  }
  return null;
}

describe('the GPU pack, offline and without Node.js @integration', function () {
  this.timeout(600_000);
  const work = tempDir('pack');
  const archive = path.join(work, 'cnnlab-pack-linux-x64.tar.xz');
  const pack = path.join(work, 'cnnlab-pack');
  // A PATH with only what the launcher's shell script uses: no node, no npm.
  const bin = path.join(work, 'path');
  let offline: string[] = [];

  before(async function () {
    const prefix = offlinePrefix();
    if (prefix == null) {
      console.log('      (skipped: no network namespace can be made here: unshare -n and unshare -rn both fail)');
      this.skip();
    }
    offline = prefix!;
    const built = await runCli(['pack', '--out', archive]);
    assert.equal(built.code, 0, built.stderr);
    assert.equal(spawnSync('tar', ['-xJf', archive, '-C', work]).status, 0);
    fs.mkdirSync(bin);
    for (const tool of ['dirname', 'tr']) {
      fs.symlinkSync(spawnSync('/bin/sh', ['-c', `command -v ${tool}`], {encoding: 'utf8'}).stdout.trim(), path.join(bin, tool));
    }
  });

  /** The pack's cnnlab, offline, with a bare environment plus `env`. */
  function packed(args: string[], env: NodeJS.ProcessEnv = {}) {
    return spawnSync(offline[0], [...offline.slice(1), path.join(pack, 'bin', 'cnnlab'), ...args], {
      encoding: 'utf8', timeout: 300_000,
      env: {PATH: bin, HOME: work, LAB_DATA_DIR: '/usr/share/datasets/fashion-mnist', ...env},
    });
  }

  it('is one archive under 60 MiB (measured: 27 MiB) holding Node, the bundled lab, TF.js\'s wasm, Dawn and a Vulkan loader', () => {
    const mib = fs.statSync(archive).size / 2 ** 20;
    assert.ok(mib < 60, `${mib.toFixed(1)} MiB`);
    for (const file of ['bin/cnnlab', 'node/node', 'app/cnnlab.js', 'app/webgpu-adapter.js', 'app/wasm/tfjs-backend-wasm-simd.wasm',
                        'app/node_modules/webgpu/dist/linux-x64/dawn.node', 'vulkan/libvulkan.so.1', 'bench/torch_peer.py', 'README.txt']) {
      assert.ok(fs.existsSync(path.join(pack, file)), file);
    }
    assert.notEqual(spawnSync('/bin/sh', ['-c', 'command -v node'], {env: {PATH: bin}}).status, 0, 'no node on the test PATH');
  });

  it('doctor runs on the pack\'s own Node and finds the data and the wasm engine', () => {
    const r = packed(['doctor']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`ok\\s+Node\\s+${process.versions.node.replace(/\./g, '\\.')} \\(${pack}/node/node\\)`));
    assert.match(r.stdout, /ok\s+GPU pack\s+/);
    assert.match(r.stdout, /ok\s+backend wasm\s+WebAssembly SIMD \+ XNNPACK \+ the lab's SIMD kernels/);
    assert.match(r.stdout, /The lab can run\./);
  });

  it('trains on wasm and writes an ordinary record in the pack\'s results/', () => {
    const r = packed(['train', 'mobilenet_v1', '--dataset', 'synthetic', '--limit', '128', '--test-limit', '64', '--epochs', '1',
                      '--backend', 'wasm', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.result.backend, 'wasm');
    assert.equal(path.dirname(out.record), path.join(pack, 'results'));
    assert.ok(fs.existsSync(out.record));
  });

  it('writes a Slurm job array whose tasks run the pack\'s launcher, and a task trains its run with no Node.js on the PATH', () => {
    const written = packed(['slurm', '00', '--budget', 'smoke', '--time', '00:10:00']);
    assert.equal(written.status, 0, written.stderr);
    const script = /script: (\S+)/.exec(written.stdout)![1];
    assert.equal(path.dirname(path.dirname(path.dirname(script))), path.join(pack, 'results'));
    const text = fs.readFileSync(script, 'utf8');
    assert.match(text, new RegExp(`^${path.join(pack, 'bin', 'cnnlab').replace(/[/.]/g, '\\$&')} run-plan 00 --budget smoke --backend wasm `, 'm'));
    // What a node without Node.js does for array task 1 (the script also calls hostname and date).
    for (const tool of ['hostname', 'date']) {
      if (!fs.existsSync(path.join(bin, tool))) {
        fs.symlinkSync(spawnSync('/bin/sh', ['-c', `command -v ${tool}`], {encoding: 'utf8'}).stdout.trim(), path.join(bin, tool));
      }
    }
    const task = spawnSync(offline[0], [...offline.slice(1), '/bin/bash', script], {
      encoding: 'utf8', timeout: 300_000,
      env: {PATH: bin, HOME: work, LAB_DATA_DIR: '/usr/share/datasets/fashion-mnist', SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_JOB_ID: '5', SLURM_CPUS_PER_TASK: '1'},
    });
    assert.equal(task.status, 0, task.stdout + task.stderr);
    assert.match(task.stdout, /cnnlab-slurm: finished run 1 with exit code 0/);
    const key = /^keys=\((\w+) (\w+) (\w+)\)$/m.exec(text)![2];
    assert.ok(fs.existsSync(path.join(pack, 'results', `${key}.json`)), 'task 1 wrote run 1\'s record');
  });

  describe('on a GPU: here Mesa\'s software Vulkan (lavapipe)', () => {
    let driverEnv: NodeJS.ProcessEnv = {};
    before(function () {
      const vulkan = softwareVulkanEnv();
      if (vulkan.reason) {
        console.log(`      (skipped: ${vulkan.reason})`);
        this.skip();
      }
      // The driver's own libraries, without the loader: the pack's libvulkan.so.1 must serve.
      const libs = path.join(work, 'driver-libs');
      fs.mkdirSync(libs, {recursive: true});
      const source = vulkan.env!['LD_LIBRARY_PATH']!.split(':')[0];
      for (const f of fs.readdirSync(source).filter(f => !f.startsWith('libvulkan.so'))) {
        if (!fs.existsSync(path.join(libs, f))) fs.symlinkSync(path.join(source, f), path.join(libs, f));
      }
      driverEnv = {VK_DRIVER_FILES: vulkan.env!['VK_DRIVER_FILES'], LD_LIBRARY_PATH: libs};
    });

    it('doctor names the loader the launcher chose (the machine\'s where it has one, else the pack\'s), the driver and the adapter', () => {
      // docs/gpu.md: the machine's own loader wins; the pack's serves where there is none.
      const systemLoader = SYSTEM_LIBRARY_DIRS.map(dir => path.join(dir, 'libvulkan.so.1')).find(file => fs.existsSync(file));
      const r = packed(['doctor'], driverEnv);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const expected = systemLoader ?? `${pack}/vulkan/libvulkan.so.1`;
      assert.match(r.stdout, new RegExp(`ok\\s+Vulkan loader\\s+${escaped(expected)}\n`));
      assert.match(r.stdout, /ok\s+backend webgpu\s+.*llvmpipe.*not a GPU/);
    });

    it('a loader on LD_LIBRARY_PATH is preferred to the pack\'s', () => {
      const own = path.join(work, 'own-loader');
      fs.mkdirSync(own, {recursive: true});
      const loader = path.join(own, 'libvulkan.so.1');
      if (!fs.existsSync(loader)) fs.symlinkSync(path.join(softwareVulkanEnv().env!['LD_LIBRARY_PATH']!.split(':')[0], 'libvulkan.so.1'), loader);
      const r = packed(['doctor'], {...driverEnv, LD_LIBRARY_PATH: `${own}:${driverEnv['LD_LIBRARY_PATH']}`});
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`ok\\s+Vulkan loader\\s+${escaped(loader)}\n`));
      assert.match(r.stdout, /ok\s+backend webgpu\s+.*llvmpipe.*not a GPU/);
    });

    it('trains on webgpu', () => {
      // A small network: software Vulkan compiles every shader on the CPU, and what is checked is the pack's path to the driver.
      const r = packed([...TINY_TRAIN_ARGS, '--backend', 'webgpu', '--json'], driverEnv);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.result.backend, 'webgpu');
      assert.match(out.result.device, /llvmpipe/);
    });

    it('bench gpu runs every part and labels the software adapter', () => {
      const file = path.join(work, 'gpu.json');
      const r = packed(['bench', 'gpu', '--out', file], driverEnv);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /SOFTWARE ADAPTER: NOT A GPU FIGURE/);
      const report = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.equal(report.softwareAdapter, true);
      assert.ok(report.correctness.rows.length > 0 && report.correctness.rows.every((row: {ok: boolean}) => row.ok), r.stdout);
      assert.ok(report.gpuSpeed.rows.some((row: {engine: string}) => row.engine.includes('webgpu')), r.stdout);
      assert.ok(report.cpuScaling.rows.some((row: {engine: string; threads: number}) => row.engine.includes('wasm') && row.threads === 1),
          r.stdout);
    });
  });
});
