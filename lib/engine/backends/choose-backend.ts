/**
 * Picks and prepares the TF.js backend the lab trains on.
 *
 * Order of preference (fastest first, where it can be had):
 *   tensorflow  tfjs-node-gpu / tfjs-node (native TensorFlow; their install
 *               script downloads libtensorflow, so usually absent offline).
 *               Chosen automatically only with the GPU build: the CPU build
 *               (npm run setup:tensorflow) trains slower than wasm with the
 *               lab's kernels on every benchmark net (README), so `auto`
 *               passes it by; LAB_BACKEND=tensorflow still selects it
 *   webgpu      Dawn through npm `webgpu`, only with a hardware adapter when
 *               chosen automatically (a software Vulkan driver is slower than wasm)
 *   wasm        XNNPACK plus the lab's kernels: the embedded default
 *   cpu         pure JavaScript, always there, slow
 * LAB_BACKEND or --backend overrides the choice. wasm uses LAB_THREADS
 * threads (default: every core, at most 8; lib/engine/backends/wasm-threads.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';

import {envValue} from '../../environment';
import {isSoftwareAdapter} from './gpu-probe';
import {kernelPoolFromEnvironment, startKernelPool} from './kernel-pool';
import {enableRelaxedSimdInNode} from './relaxed-simd';
import {trainingKernels} from './training-kernels';
import {WASM_DIR_ENV, prepareWasmThreads, threadsFromEnvironment, wasmOutDir} from './wasm-threads';

export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = typeof BACKEND_NAMES[number];
export type BackendChoice = BackendName | 'auto';
export const BACKEND_ENV = 'LAB_BACKEND';

/** The backend $LAB_BACKEND asks for ('auto' when unset); an error naming the variable when it names none. */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): BackendChoice {
  return parseBackend(envValue(BACKEND_ENV, env) ?? 'auto', `$${BACKEND_ENV}`);
}

export interface EngineInfo {
  backend: BackendName;
  /** What computes: CPU model and threads, or the GPU adapter. */
  device: string;
  threads: number;
  tfjsVersion: string;
}

export function parseBackend(value: string, source = 'backend'): BackendChoice {
  if (value === 'auto' || (BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new Error(`${source} must be one of auto, ${BACKEND_NAMES.join(', ')}; got '${value}'`);
}

function cpuModel(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim() || 'unknown CPU';
  return `${model}, ${cpus.length} logical cores`;
}

/** `hardwareOnly`: refuse before starting anything when the device is a software one. */
type Loader = (hardwareOnly: boolean) => Promise<{device: string; threads: number; afterInit?: () => void}>;

/** Requires an optional package by name; null if it is not installed. */
function optionalRequire(name: string): unknown {
  try {
    return require(name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${name}'`)) return null;
    throw error;
  }
}

/** Whether a tfjs-node package has its native addon (tfjs_binding.node under lib/napi-v<N>), built or downloaded. */
function addonBuilt(name: string): boolean {
  let root: string;
  try {
    root = path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return false;
  }
  const lib = path.join(root, 'lib');
  return fs.existsSync(lib) && fs.readdirSync(lib).some(d => d.startsWith('napi-v') && fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
}

const LOADERS: Record<BackendName, Loader> = {
  async tensorflow(hardwareOnly) {
    // Decided before loading TensorFlow's 630 MB library.
    if (hardwareOnly && !addonBuilt('@tensorflow/tfjs-node-gpu')) {
      throw new Error('only the CPU build is installed, which trains slower than wasm here (README benchmark); ' +
          'LAB_BACKEND=tensorflow selects it');
    }
    // tfjs-node-gpu installs wherever its download works, GPU or not; without one it runs on the CPU, slower than wasm.
    if (hardwareOnly && !hasGpuDeviceNode()) throw new Error('tfjs-node-gpu is installed but there is no GPU device (/dev/nvidia*)');
    // TensorFlow's C++ logging (oneDNN notices, CPU feature hints) would land in every report.
    process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
    // TensorFlow sizes its thread pools from these when its first session starts.
    const threads = threadsFromEnvironment();
    process.env['TF_NUM_INTRAOP_THREADS'] ??= String(threads);
    process.env['TF_NUM_INTEROP_THREADS'] ??= String(threads);
    // Loading either package registers the 'tensorflow' backend.
    // `npm install --ignore-scripts` (npm run setup:tensorflow) also unpacks the
    // optional tfjs-node-gpu without its addon: such a copy cannot load.
    const gpu = addonBuilt('@tensorflow/tfjs-node-gpu') ? optionalRequire('@tensorflow/tfjs-node-gpu') : null;
    const native = gpu ?? optionalRequire('@tensorflow/tfjs-node');
    if (native == null) {
      throw new Error('neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed ' +
          '(npm run setup:tensorflow builds it against PyPI\'s tensorflow-cpu; docs/engine.md)');
    }
    const version = (tf.findBackend('tensorflow') as unknown as {binding?: {TF_Version?: string}} | null)?.binding?.TF_Version;
    return {device: `${gpu ? 'TensorFlow C library with CUDA' : 'TensorFlow C library'}${version ? ` ${version}` : ''} (${cpuModel()})`,
            threads: Number(process.env['TF_NUM_INTRAOP_THREADS'])};
  },
  async webgpu(hardwareOnly) {
    return {device: await setUpDawn(hardwareOnly), threads: 1};
  },
  async wasm() {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as {setWasmPaths(prefix: string): void};
    // Bundled (the GPU pack), the backend cannot find its binaries beside its own code.
    if (envValue(WASM_DIR_ENV) != null) wasm.setWasmPaths(`${wasmOutDir()}/`);
    // Before the thread set-up, which inflates os.cpus() while wasm starts.
    const device = `WebAssembly SIMD + XNNPACK (${cpuModel()})`;
    // Threads are fixed when the wasm module instantiates, i.e. at the first
    // setBackend('wasm') of the process; later calls cannot change them.
    const afterInit = wasmInitialised ? undefined : prepareWasmThreads(threadsFromEnvironment());
    wasmInitialised = true;
    // The thread count is known only once the backend has initialised.
    return {device, threads: 1, afterInit};
  },
  async cpu() {
    return {device: `JavaScript (${cpuModel()})`, threads: 1};
  },
};

/**
 * Makes Dawn (npm `webgpu`) the process's navigator.gpu and registers
 * TF.js's webgpu backend; returns the adapter's description. With
 * `hardwareOnly`, refuses a machine without a GPU or with only a software
 * rasteriser.
 */
export async function setUpDawn(hardwareOnly: boolean): Promise<string> {
  // Without a GPU device node there is at best a software rasteriser; Dawn
  // would print its limit warnings just enumerating it, into every report.
  if (hardwareOnly && !hasGpuDeviceNode()) throw new Error('no GPU device (/dev/nvidia*, /dev/dri/renderD*)');
  const dawn = optionalRequire('webgpu') as {create(options: string[]): unknown; globals: object} | null;
  if (dawn == null) throw new Error("the npm package 'webgpu' (Dawn) is not installed");
  Object.assign(globalThis, dawn.globals);
  const holder = globalThis as unknown as {navigator?: Record<string, unknown>};
  const nav = (holder.navigator ??= {});
  if (nav['gpu'] == null) Object.defineProperty(nav, 'gpu', {value: dawn.create([]), configurable: true});
  const gpu = nav['gpu'] as {requestAdapter(): Promise<{info?: {vendor?: string; architecture?: string; description?: string}} | null>};
  const adapter = await gpu.requestAdapter();
  if (adapter == null) throw new Error('Dawn found no WebGPU adapter (no Vulkan driver for a GPU)');
  const info = adapter.info ?? {};
  const device = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'WebGPU adapter';
  // Decided before any device exists: creating one costs seconds on a
  // software rasteriser and prints Dawn's limit warnings.
  if (hardwareOnly && isSoftwareAdapter(device)) throw new Error(`software adapter (${device}), slower than wasm`);
  // Registers 'webgpu' only when navigator.gpu exists at import time.
  require('@tensorflow/tfjs-backend-webgpu');
  return device;
}

let current: EngineInfo | null = null;
let wasmInitialised = false;

/**
 * Silences TF.js's console notices (the cpu backend's "install tfjs-node"
 * banner, deprecation notes), which would land in every report and CLI run.
 */
export function quietTfjs(): void {
  tf.env().set('PROD', true);
}

/** A GPU a Vulkan driver could use: NVIDIA's device nodes or a DRM render node (Linux). */
function hasGpuDeviceNode(): boolean {
  const list = (dir: string) => { try { return fs.readdirSync(dir); } catch { return []; } };
  return list('/dev').some(n => /^nvidia\d+$/.test(n)) || list('/dev/dri').some(n => n.startsWith('renderD'));
}

async function activate(name: BackendName, hardwareOnly = false): Promise<EngineInfo> {
  const loaded = await LOADERS[name](hardwareOnly);
  try {
    if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
    await tf.ready();
  } finally {
    loaded.afterInit?.();
  }
  let threads = loaded.threads;
  let device = loaded.device;
  if (name === 'wasm') {
    threads = (require('@tensorflow/tfjs-backend-wasm') as {getThreadsCount(): number}).getThreadsCount();
    // Before the kernels load: they are built fused where relaxed SIMD validates.
    const kernels = trainingKernels();
    enableRelaxedSimdInNode(kernels.relaxedSimdSupported);
    const simdProblem = await kernels.prepareSimdKernels();
    // The grouped convolution's kernels are assembled per layer geometry, on wasm only.
    kernels.useWabt(await (require('wabt') as () => Promise<import('tfjs-backend-wasm-train').WabtModule>)());
    if (simdProblem != null) process.stderr.write(`warning: the lab's wasm SIMD kernels did not load (${simdProblem}); using its JavaScript kernels, which are slower\n`);
    startKernelPoolFor(kernels, threads);
    // Reports and records say which of the lab's kernels ran.
    device = device.replace('XNNPACK', simdProblem != null ? 'XNNPACK + the lab\'s JavaScript kernels' :
        kernels.usingFusedKernels() ? 'XNNPACK + the lab\'s SIMD kernels with fused multiply-add' : 'XNNPACK + the lab\'s SIMD kernels');
  }
  return {backend: name, device, threads, tfjsVersion: tf.version.tfjs};
}

/**
 * At more than one wasm thread, worker threads for the lab's filter-gradient
 * products (kernel-pool.ts), so that they use every core as XNNPACK does.
 */
function startKernelPoolFor(kernels: ReturnType<typeof trainingKernels>, threads: number): void {
  const setting = kernelPoolFromEnvironment();
  const memory = kernels.wasmMemoryOf(tf.backend() as unknown as Parameters<typeof kernels.wasmMemoryOf>[0]);
  if (threads <= 1 || setting === 'off' || memory == null || !(memory.buffer instanceof SharedArrayBuffer)) {
    kernels.useKernelPool(null);
    return;
  }
  // The engine may activate wasm again (after a switch to another backend): the threads started for this memory serve again.
  if (poolStarted?.memory !== memory) {
    poolStarted = startKernelPool(memory, threads - 1, kernels.POOL_KERNELS, fused => kernels.kernelBinary(fused, true), kernels.usingFusedKernels());
  }
  kernels.useKernelPool(poolStarted);
}

let poolStarted: ReturnType<typeof startKernelPool> | null = null;

/**
 * Initialises the engine once per process and returns what runs. With
 * 'auto', the first backend in BACKEND_NAMES that loads wins (webgpu only on
 * a hardware adapter); a named backend that cannot load is an error.
 */
export async function initEngine(choice?: BackendChoice): Promise<EngineInfo> {
  const wanted = choice ?? backendFromEnv();
  if (current != null && (wanted === 'auto' || wanted === current.backend)) {
    // Someone may have switched TF.js to another backend since (tests compare
    // backends this way); the engine's backend is the one promised.
    if (tf.getBackend() !== current.backend) await tf.setBackend(current.backend);
    return current;
  }
  quietTfjs();
  trainingKernels().registerTrainingKernels();
  if (wanted !== 'auto') {
    try {
      current = await activate(wanted);
    } catch (error) {
      throw new Error(`backend '${wanted}' is not available here: ${(error as Error).message}. ` +
          'Run `cnnlab doctor` to see which backends load.');
    }
    return current;
  }
  const reasons: string[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      current = await activate(name, true);
      return current;
    } catch (error) {
      reasons.push(`${name}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no TF.js backend could be initialised:\n  ${reasons.join('\n  ')}`);
}

export interface BackendProbe {
  name: BackendName;
  ok: boolean;
  device?: string;
  threads?: number;
  error?: string;
}

/** Tries every backend but `except` (for `cnnlab doctor`); leaves the engine as it found it. */
export async function probeBackends(except: readonly BackendName[] = []): Promise<BackendProbe[]> {
  const before = current;
  const probes: BackendProbe[] = [];
  for (const name of BACKEND_NAMES.filter(n => !except.includes(n))) {
    try {
      const info = await activate(name);
      probes.push({name, ok: true, device: info.device, threads: info.threads});
    } catch (error) {
      probes.push({name, ok: false, error: (error as Error).message.split('\n')[0]});
    }
  }
  if (before != null) await tf.setBackend(before.backend);
  return probes;
}
