/**
 * The package's kernel pool in Node: worker_threads that instantiate the
 * package's kernels over the threaded wasm build's shared memory and take
 * tasks from a shared control block, so the filter gradients' products use
 * every core (packages/tfjs-backend-wasm-train/src/wasm/kernel-pool.ts says
 * what is split and why results stay bit-identical).
 *
 * Protocol, over an Int32Array on a SharedArrayBuffer:
 * - the caller writes the tasks, then the count, resets the done count and
 *   last the next-task index (parked at CLOSED between batches, so a helper
 *   that wakes late cannot take a task whose arguments are half written),
 *   bumps the generation and wakes the helpers (Atomics.notify);
 * - every thread, the caller too, takes the next index with Atomics.add
 *   until none are left, runs that task and counts it done;
 * - the caller waits (Atomics.wait, which Node allows its main thread) until
 *   all are done, then parks the index again.
 * The helpers sleep in Atomics.wait between batches: no spinning, which on
 * a machine with few cores would take time from XNNPACK's threads.
 */
import type * as WorkerThreads from 'node:worker_threads';

import type {KernelPool, PoolKernel, PoolTask} from 'tfjs-backend-wasm-train';

import {envValue} from '../../environment';

/** `LAB_KERNEL_POOL=off` keeps the lab's kernels on the calling thread (how docs/engine.md measures what the pool buys). */
export const KERNEL_POOL_ENV = 'LAB_KERNEL_POOL';

/** The pool's setting: 'on' (the default) or 'off'. */
export function kernelPoolFromEnvironment(env: NodeJS.ProcessEnv = process.env): 'on' | 'off' {
  const setting = envValue(KERNEL_POOL_ENV, env) ?? 'on';
  if (setting !== 'on' && setting !== 'off') throw new Error(`$${KERNEL_POOL_ENV} must be 'on' or 'off', got '${setting}'`);
  return setting;
}

const GENERATION = 0, NEXT = 1, DONE = 2, COUNT = 3, FUSED = 4, HELPER_TASKS = 5, HEADER = 8;
/** A task's slots: the kernel's index in `kernels`, then up to 16 arguments. */
const ARGS = 17;
/** Tasks one batch can hold; larger batches go in several. */
const MAX_TASKS = 256;
const CLOSED = 0x3fffffff;

/** What each helper runs (eval'd by worker_threads: no file to find in a bundle or a pack). */
const HELPER_SOURCE = `
const {workerData} = require('node:worker_threads');
const {control, memory, fusedModule, plainModule, kernels} = workerData;
const ctl = new Int32Array(control);
const fused = fusedModule == null ? null : new WebAssembly.Instance(fusedModule, {env: {memory}}).exports;
const plain = new WebAssembly.Instance(plainModule, {env: {memory}}).exports;
let generation = Atomics.load(ctl, ${GENERATION});
for (;;) {
  Atomics.wait(ctl, ${GENERATION}, generation);
  generation = Atomics.load(ctl, ${GENERATION});
  for (;;) {
    const i = Atomics.add(ctl, ${NEXT}, 1);
    if (i >= Atomics.load(ctl, ${COUNT})) break;
    const k = Atomics.load(ctl, ${FUSED}) === 1 && fused != null ? fused : plain;
    const at = ${HEADER} + i * ${ARGS};
    k[kernels[ctl[at]]](...ctl.subarray(at + 1, at + ${ARGS}));
    Atomics.add(ctl, ${HELPER_TASKS}, 1);
    if (Atomics.add(ctl, ${DONE}, 1) + 1 === Atomics.load(ctl, ${COUNT})) Atomics.notify(ctl, ${DONE});
  }
}
`;

/**
 * Starts `helpers` worker threads over `memory` (a shared WebAssembly
 * memory) with the package's kernels, compiled from `binary(fused)`. The
 * workers never keep the process alive.
 */
export function startKernelPool(memory: WebAssembly.Memory, helpers: number, kernels: readonly PoolKernel[],
                                binary: (fused: boolean) => Uint8Array<ArrayBuffer>, fusedAvailable: boolean): KernelPool {
  if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error('startKernelPool: the wasm memory is not shared (not the threaded build)');
  if (!Number.isInteger(helpers) || helpers < 1) throw new Error(`startKernelPool: helpers must be a positive whole number, got ${helpers}`);
  const {Worker} = require('node:worker_threads') as typeof WorkerThreads;
  const control = new SharedArrayBuffer((HEADER + MAX_TASKS * ARGS) * Int32Array.BYTES_PER_ELEMENT);
  const ctl = new Int32Array(control);
  ctl[NEXT] = CLOSED;
  const fusedModule = fusedAvailable ? new WebAssembly.Module(binary(true)) : null;
  const plainModule = new WebAssembly.Module(binary(false));
  for (let h = 0; h < helpers; h++) {
    const worker = new Worker(HELPER_SOURCE, {eval: true, workerData: {control, memory, fusedModule, plainModule, kernels}});
    worker.unref();
    worker.on('error', error => process.stderr.write(`warning: a kernel pool thread failed (${(error as Error).message}); its tasks run on the calling thread\n`));
  }
  started = ctl;
  return {memory, helpers, run: (tasks, fused, local) => {
    for (let start = 0; start < tasks.length; start += MAX_TASKS) runBatch(ctl, kernels, tasks.slice(start, start + MAX_TASKS), fused, local);
  }};
}

let started: Int32Array | null = null;

/** How many tasks the last started pool's helpers have run (0 without a pool): how a test knows the pool did the work. */
export function kernelPoolHelperTasks(): number {
  return started == null ? 0 : Atomics.load(started, HELPER_TASKS);
}

function runBatch(ctl: Int32Array, kernels: readonly PoolKernel[], tasks: readonly PoolTask[], fused: boolean,
                  local: {[K in PoolKernel]: (...args: number[]) => void}): void {
  tasks.forEach(({kernel, args}, i) => {
    const index = kernels.indexOf(kernel);
    if (index < 0 || args.length > ARGS - 1) throw new Error(`kernel pool: cannot run ${kernel} with ${args.length} arguments`);
    ctl[HEADER + i * ARGS] = index;
    ctl.set(args, HEADER + i * ARGS + 1);
  });
  Atomics.store(ctl, COUNT, tasks.length);
  Atomics.store(ctl, FUSED, fused ? 1 : 0);
  Atomics.store(ctl, DONE, 0);
  Atomics.store(ctl, NEXT, 0);
  Atomics.add(ctl, GENERATION, 1);
  Atomics.notify(ctl, GENERATION);
  for (;;) {
    const i = Atomics.add(ctl, NEXT, 1);
    if (i >= tasks.length) break;
    const {kernel, args} = tasks[i]!;
    local[kernel](...args);
    Atomics.add(ctl, DONE, 1);
  }
  for (let done = Atomics.load(ctl, DONE); done < tasks.length; done = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, done);
  Atomics.store(ctl, NEXT, CLOSED);
}
