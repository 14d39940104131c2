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
 * a machine with few cores would take time from XNNPACK's threads. A helper
 * takes tasks once before its first wait, so one that starts after the
 * first batch was posted joins it rather than sleeping through it (a fresh
 * clone's test run on a busy machine caught that: the caller then ran the
 * whole batch alone).
 * A task names its module (0: the package's prebuilt kernels, fused or
 * plain as the caller uses; others: modules generated at run time, posted
 * to each helper's port before the first task that needs them, which the
 * helper takes with receiveMessageOnPort) and the function's index in that
 * module's list of names.
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

const GENERATION = 0, NEXT = 1, DONE = 2, COUNT = 3, FUSED = 4, HELPER_TASKS = 5, NAP = 6, FAILED = 7, HEADER = 8;
/** A task's slots: its module, the function's index in that module's names, then up to 18 arguments (poolGrad's). */
const ARGS = 20;
/** Tasks one batch can hold; larger batches go in several. */
const MAX_TASKS = 256;
const CLOSED = 0x3fffffff;

/** What each helper runs (eval'd by worker_threads: no file to find in a bundle or a pack). */
const HELPER_SOURCE = `
const {workerData, receiveMessageOnPort} = require('node:worker_threads');
const {control, memory, fusedModule, plainModule, kernels, port} = workerData;
const ctl = new Int32Array(control);
const fused = fusedModule == null ? null : new WebAssembly.Instance(fusedModule, {env: {memory}}).exports;
const plain = new WebAssembly.Instance(plainModule, {env: {memory}}).exports;
const generated = new Map();
function functionOf(module, index) {
  if (module === 0) return (Atomics.load(ctl, ${FUSED}) === 1 && fused != null ? fused : plain)[kernels[index]];
  while (!generated.has(module)) {
    const received = receiveMessageOnPort(port);
    // Posted before the task was written; if it is not queued yet, nap a millisecond.
    if (received === undefined) { Atomics.wait(ctl, ${NAP}, 0, 1); continue; }
    const {id, module: compiled, names} = received.message;
    generated.set(id, {exports: new WebAssembly.Instance(compiled, {env: {memory}}).exports, names});
  }
  const {exports, names} = generated.get(module);
  return exports[names[index]];
}
let generation = Atomics.load(ctl, ${GENERATION});
// The first pass takes tasks at once: a helper that starts after a batch was posted (a slow thread
// start on a busy machine) joins that batch instead of sleeping through it. Between batches the
// index is parked past any count, so this pass then finds nothing.
for (let first = true; ; first = false) {
  if (!first) {
    Atomics.wait(ctl, ${GENERATION}, generation);
    generation = Atomics.load(ctl, ${GENERATION});
  }
  for (;;) {
    const i = Atomics.add(ctl, ${NEXT}, 1);
    if (i >= Atomics.load(ctl, ${COUNT})) break;
    const at = ${HEADER} + i * ${ARGS};
    try {
      functionOf(ctl[at], ctl[at + 1])(...ctl.subarray(at + 2, at + ${ARGS}));
    } catch (error) {
      // Counted done all the same, so the caller never waits for it; the caller reads why from the port and throws.
      port.postMessage({failed: String(error && error.stack || error)});
      Atomics.add(ctl, ${FAILED}, 1);
    }
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
  const {MessageChannel, Worker, receiveMessageOnPort} = require('node:worker_threads') as typeof WorkerThreads;
  const control = new SharedArrayBuffer((HEADER + MAX_TASKS * ARGS) * Int32Array.BYTES_PER_ELEMENT);
  const ctl = new Int32Array(control);
  ctl[NEXT] = CLOSED;
  const fusedModule = fusedAvailable ? new WebAssembly.Module(binary(true)) : null;
  const plainModule = new WebAssembly.Module(binary(false));
  const ports: WorkerThreads.MessagePort[] = [];
  for (let h = 0; h < helpers; h++) {
    const {port1, port2} = new MessageChannel();
    port1.unref();
    ports.push(port1);
    const worker = new Worker(HELPER_SOURCE, {eval: true, workerData: {control, memory, fusedModule, plainModule, kernels, port: port2},
                                              transferList: [port2]});
    worker.unref();
    worker.on('error', error => process.stderr.write(`warning: a kernel pool thread failed (${(error as Error).message}); its tasks run on the calling thread\n`));
  }
  started = ctl;
  // Generated modules the helpers have been sent, with their id and exported function names.
  const sent = new Map<WebAssembly.Module, {id: number; names: string[]}>();
  const slotsOf = (task: PoolTask): [number, number] => {
    if (task.module == null) return [0, kernels.indexOf(task.kernel)];
    let known = sent.get(task.module.module);
    if (known == null) {
      known = {id: sent.size + 1, names: Object.keys(task.module.exports).filter(name => typeof task.module!.exports[name] === 'function')};
      sent.set(task.module.module, known);
      for (const port of ports) port.postMessage({id: known.id, module: task.module.module, names: known.names});
    }
    return [known.id, known.names.indexOf(task.kernel)];
  };
  /** Why the helpers' failed tasks failed, as they posted it (emptying the ports). */
  const helperFailures = (): string[] => {
    const reasons: string[] = [];
    for (const port of ports) {
      for (let m = receiveMessageOnPort(port); m != null; m = receiveMessageOnPort(port)) reasons.push((m.message as {failed: string}).failed);
    }
    return reasons;
  };
  return {memory, helpers, run: (tasks, fused, runHere) => {
    for (let start = 0; start < tasks.length; start += MAX_TASKS) {
      runBatch(ctl, slotsOf, tasks.slice(start, start + MAX_TASKS), fused, runHere, helperFailures);
    }
  }};
}

let started: Int32Array | null = null;

/** How many tasks the last started pool's helpers have run (0 without a pool): how a test knows the pool did the work. */
export function kernelPoolHelperTasks(): number {
  return started == null ? 0 : Atomics.load(started, HELPER_TASKS);
}

/**
 * Milliseconds the calling thread has spent waking the helpers and waiting
 * for their tasks, over every pool this process started: what the pool
 * costs the caller beyond the tasks it runs itself. `npm run bench:profile
 * -- --by source` reports it; V8's sampling profiler cannot, since at two
 * threads on two cores its own sampling thread takes the core a helper
 * wakes onto (docs/engine.md, "Where the time goes").
 */
export function kernelPoolDispatchMs(): number {
  return dispatchMs;
}

let dispatchMs = 0;

/**
 * Runs one batch. Whatever fails, on this thread or a helper, the batch
 * ends first (every task counted done, the index parked), so the next
 * batch starts clean; then the first failure is thrown.
 */
function runBatch(ctl: Int32Array, slotsOf: (task: PoolTask) => [number, number], tasks: readonly PoolTask[], fused: boolean,
                  runHere: (task: PoolTask) => void, helperFailures: () => string[]): void {
  tasks.forEach((task, i) => {
    const [module, index] = slotsOf(task);
    if (index < 0 || task.args.length > ARGS - 2) throw new Error(`kernel pool: cannot run ${task.kernel} with ${task.args.length} arguments`);
    ctl[HEADER + i * ARGS] = module;
    ctl[HEADER + i * ARGS + 1] = index;
    ctl.set(task.args, HEADER + i * ARGS + 2);
  });
  Atomics.store(ctl, COUNT, tasks.length);
  Atomics.store(ctl, FUSED, fused ? 1 : 0);
  Atomics.store(ctl, DONE, 0);
  Atomics.store(ctl, NEXT, 0);
  const posted = performance.now();
  Atomics.add(ctl, GENERATION, 1);
  Atomics.notify(ctl, GENERATION);
  dispatchMs += performance.now() - posted;
  let failure: unknown = null;
  for (;;) {
    const i = Atomics.add(ctl, NEXT, 1);
    if (i >= tasks.length) break;
    try {
      runHere(tasks[i]!);
    } catch (error) {
      failure ??= error;
    }
    Atomics.add(ctl, DONE, 1);
  }
  if (Atomics.load(ctl, DONE) < tasks.length) {
    const waitFrom = performance.now();
    for (let done = Atomics.load(ctl, DONE); done < tasks.length; done = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, done);
    dispatchMs += performance.now() - waitFrom;
  }
  Atomics.store(ctl, NEXT, CLOSED);
  const failedThere = Atomics.exchange(ctl, FAILED, 0) > 0 ? helperFailures() : [];
  if (failure != null) throw failure;
  if (failedThere.length > 0) {
    const kernels = [...new Set(tasks.map(task => task.kernel))].join(', ');
    throw new Error(`kernel pool: a task of ${kernels} failed on a helper thread: ${failedThere[0]}`);
  }
}
