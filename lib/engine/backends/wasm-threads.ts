/**
 * Multi-threaded wasm in Node. tfjs-backend-wasm ships a threaded SIMD build
 * (XNNPACK on a pthread pool) whose emscripten glue supports Node, but
 * tfjs's wrapper turns it off there (tfjs#3830) and would not start it
 * anyway. Four things stand in the way, each worked around here
 * (docs/engine.md, "Threads", has the measurements):
 *
 * 1. the `WASM_HAS_MULTITHREAD_SUPPORT` flag is false whenever IS_NODE;
 * 2. tfjs hands emscripten a `blob:` URL for the pthread worker script,
 *    which node:worker_threads refuses (ERR_WORKER_PATH): the script is
 *    written to a file and workers are started from it;
 * 3. the worker is told to import the main script from a Blob, which it
 *    cannot read in Node: it gets the script's path instead;
 * 4. the C++ side caps the pool at half of `os.cpus().length` (one thread
 *    on two cores): the count is raised while the module instantiates.
 *
 * The pool's workers are never ref'd, so a process that has finished its
 * work still exits on its own (the main thread blocks while they compute). Results are bit-identical to the single-threaded
 * build: XNNPACK splits outputs into tiles, never a reduction.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as WorkerThreads from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs';

import {envValue, folderFromEnv} from '../../environment';

/** Emscripten's PTHREAD_POOL_SIZE in tfjs-backend-wasm 4.22: more threads cannot start. */
export const MAX_WASM_THREADS = 8;
export const THREADS_ENV = 'LAB_THREADS';

interface WasmPackage {
  setThreadsCount(count: number): void;
  getThreadsCount(): number;
}

/**
 * Where tfjs-backend-wasm's binaries and glue scripts are: in its npm
 * package, or where LAB_WASM_DIR says (the GPU pack bundles the lab into one
 * file and ships the binaries beside it).
 */
export const WASM_DIR_ENV = 'LAB_WASM_DIR';

/** A file every build of tfjs-backend-wasm's wasm-out/ holds: its presence tells a folder of its binaries. */
const WASM_BINARY = 'tfjs-backend-wasm-simd.wasm';

export function wasmOutDir(env: NodeJS.ProcessEnv = process.env): string {
  const accepts = `an existing folder holding tfjs-backend-wasm's binaries (${WASM_BINARY} and the rest of its wasm-out/)`;
  const fromEnv = folderFromEnv(WASM_DIR_ENV, {create: false, accepts}, env);
  if (fromEnv == null) return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  if (!fs.existsSync(path.join(fromEnv, WASM_BINARY))) {
    throw new Error(`$${WASM_DIR_ENV} must be ${accepts}, got '${env[WASM_DIR_ENV]}': it has no ${WASM_BINARY}`);
  }
  return fromEnv;
}

/** The pthread worker script as a file (tfjs keeps it only as a string). */
function workerScriptFile(): string {
  const source = require(path.join(wasmOutDir(), 'tfjs-backend-wasm-threaded-simd.worker.js')) as {wasmWorkerContents: string};
  // tfjs re-escapes newlines inside the template-literal source the same way before making its Blob.
  const contents = source.wasmWorkerContents.replace(/\n/g, '\\n');
  const file = path.join(os.tmpdir(), `cnnlab-tfjs-wasm-${tf.version.tfjs}-${process.getuid?.() ?? 'user'}.worker.js`);
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== contents) {
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, contents);
    fs.renameSync(temporary, file);
  }
  return file;
}

let shimInstalled = false;

/** Lets emscripten start its pthread workers from files instead of blob: URLs. */
function installWorkerShim(): void {
  if (shimInstalled) return;
  const workerFile = workerScriptFile();
  const mainScript = path.join(wasmOutDir(), 'tfjs-backend-wasm-threaded-simd.js');
  // The module object itself (an `import *` namespace is read-only).
  const workerThreads = require('node:worker_threads') as typeof WorkerThreads;
  const NodeWorker = workerThreads.Worker;
  class FileWorker extends NodeWorker {
    constructor(url: string | URL, options?: WorkerThreads.WorkerOptions) {
      super(typeof url === 'string' && url.startsWith('blob:') ? workerFile : url, options);
      // The pool must not keep a finished process alive: XNNPACK's threads
      // run (waiting for work) for the life of the process, and emscripten
      // ref()s the worker of every running thread.
      this.unref();
    }
    override ref(): void {}
    override postMessage(message: unknown, transfer?: readonly WorkerThreads.TransferListItem[]): void {
      const m = message as {cmd?: string; urlOrBlob?: unknown} | null;
      const fixed = m?.cmd === 'load' && typeof m.urlOrBlob !== 'string' ? {...m, urlOrBlob: mainScript} : message;
      super.postMessage(fixed, transfer);
    }
  }
  // The glue reads `require('worker_threads').Worker` when it instantiates.
  (workerThreads as {Worker: typeof NodeWorker}).Worker = FileWorker;
  shimInstalled = true;
}

/** Thread count from `LAB_THREADS`, or every core up to the pool's 8. */
export function threadsFromEnvironment(env: NodeJS.ProcessEnv = process.env): number {
  const raw = envValue(THREADS_ENV, env);
  if (raw == null) return Math.min(os.cpus().length, MAX_WASM_THREADS);
  return parseThreads(raw, `$${THREADS_ENV}`);
}

export function parseThreads(raw: string, source: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new Error(`${source} must be a whole number of threads in [1, ${MAX_WASM_THREADS}], got '${raw}'`);
  }
  return n;
}

/**
 * Prepares the threaded wasm build before the backend's first use. Returns
 * a function to call once `tf.setBackend('wasm')` has resolved.
 */
export function prepareWasmThreads(threads: number): () => void {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
  if (threads <= 1) {
    wasm.setThreadsCount(1);
    return () => {};
  }
  installWorkerShim();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  // The glue asks `require('os').cpus()`; patch that module object (an `import *` namespace is read-only).
  const osModule = require('node:os') as typeof os;
  const realCpus = osModule.cpus;
  const reported = Math.max(realCpus().length, 2 * threads);
  osModule.cpus = () => {
    const cpus = realCpus();
    while (cpus.length < reported) cpus.push(cpus[0]);
    return cpus;
  };
  return () => { osModule.cpus = realCpus; };
}
