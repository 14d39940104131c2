/**
 * The engine's kernel pool (lib/engine/backends/kernel-pool.ts) on its own,
 * over a shared memory of its own: a product split into row tasks over the
 * calling thread and a helper equals one call to the bit, the time the
 * caller waits for the helper is counted, and a task that
 * fails on the helper ends the batch with an error that says which kernel
 * and why, after which the pool still computes.
 */
import {strict as assert} from 'node:assert';

import {kernelPoolDispatchMs, kernelPoolHelperTasks, startKernelPool} from '../../../lib/engine/backends/kernel-pool';
import {POOL_KERNELS, type PoolTask} from '../../../packages/tfjs-backend-wasm-train/src/wasm/kernel-pool';
import {type SimdKernels, kernelBinary} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';

const P = 16384, M = 64, N = 64, F32 = 4;
const A = 1024, B = A + P * M * F32, OUT = B + P * N * F32, REFERENCE = OUT + M * N * F32;
/** An address past the memory's end: any access there traps. */
const OUTSIDE = 0x7ff00000;

describe('kernel pool', function () {
  this.timeout(60_000);
  const memory = new WebAssembly.Memory({initial: 1024, maximum: 65536, shared: true});
  const local = new WebAssembly.Instance(new WebAssembly.Module(kernelBinary(false, true)), {env: {memory}}).exports as unknown as SimdKernels;
  const runHere = (task: PoolTask) => (local[task.kernel as keyof SimdKernels] as (...args: number[]) => void)(...task.args);
  const pool = startKernelPool(memory, 1, POOL_KERNELS, fused => kernelBinary(fused, true), false);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  /**
   * `body` as the calling thread's runHere, holding back its first task until
   * the helper has taken one (up to 30 s): which thread runs what then does
   * not depend on how fast the machine is at the moment.
   */
  const afterHelper = (body: (task: PoolTask) => void) => {
    const before = kernelPoolHelperTasks();
    let waited = false;
    return (task: PoolTask) => {
      for (const deadline = Date.now() + 30_000; !waited && kernelPoolHelperTasks() === before && Date.now() < deadline;) Atomics.wait(nap, 0, 0, 1);
      waited = true;
      body(task);
    };
  };
  const rowTasks = (a: number): PoolTask[] => Array.from({length: M / 4}, (_, t) =>
      ({kernel: 'transposedProductsRows', args: [a, B, OUT, P, M, N, 4 * t, 4 * t + 4]}));

  before(() => {
    const floats = new Float32Array(memory.buffer);
    for (let i = 0; i < P * M; i++) floats[A / F32 + i] = Math.sin(i);
    for (let i = 0; i < P * N; i++) floats[B / F32 + i] = Math.cos(i);
    local.transposedProducts(A, B, REFERENCE, P, M, N);
  });

  it('row tasks over the caller and a helper give one call\'s result, bit for bit', () => {
    const before = kernelPoolHelperTasks();
    pool.run(rowTasks(A), false, afterHelper(runHere));
    assert.ok(kernelPoolHelperTasks() > before, 'the helper took no task');
    const floats = new Float32Array(memory.buffer);
    assert.deepEqual(floats.subarray(OUT / F32, OUT / F32 + M * N), floats.subarray(REFERENCE / F32, REFERENCE / F32 + M * N));
  });

  it('counts the time the calling thread spends waking the helper and waiting for its tasks', () => {
    // Three tasks: the caller's (index 0) lasts until the helper has finished its first whole
    // product (index 1); the helper is then at work on a second (index 2), and the caller, with no
    // task left, waits for it: milliseconds that the clock must hold, whatever runs beside this test.
    const whole: PoolTask = {kernel: 'transposedProductsRows', args: [A, B, OUT, P, M, N, 0, M]};
    const tasks = [whole, whole, whole];
    let callerMs = 0;
    const before = kernelPoolDispatchMs();
    const started = performance.now();
    const untilHelperFinishedOne = afterHelper(() => {});
    pool.run(tasks, false, task => {
      const from = performance.now();
      untilHelperFinishedOne(task);
      callerMs += performance.now() - from;
    });
    const beyondCallersTasks = performance.now() - started - callerMs;
    const counted = kernelPoolDispatchMs() - before;
    assert.ok(counted <= beyondCallersTasks, `counted ${counted} ms; the batch took ${beyondCallersTasks} ms beyond the caller's task`);
    assert.ok(counted >= 0.5 * beyondCallersTasks, `counted ${counted} ms of ${beyondCallersTasks} ms waking and waiting`);
  });

  it('a task that fails on the helper ends its batch with an error naming the kernel and why; the pool still computes after', () => {
    // Here the failing tasks pass, and the helper takes one first, so a failure is the helper's.
    assert.throws(() => pool.run(rowTasks(OUTSIDE), false, afterHelper(() => {})),
                  /^Error: kernel pool: a task of transposedProductsRows failed on a helper thread: RuntimeError: memory access out of bounds/);
    new Float32Array(memory.buffer).fill(0, OUT / F32, OUT / F32 + M * N);
    pool.run(rowTasks(A), false, runHere);
    const floats = new Float32Array(memory.buffer);
    assert.deepEqual(floats.subarray(OUT / F32, OUT / F32 + M * N), floats.subarray(REFERENCE / F32, REFERENCE / F32 + M * N));
  });

  it('a failure on the calling thread is thrown once the batch has ended', () => {
    assert.throws(() => pool.run(rowTasks(OUTSIDE), false, runHere), /memory access out of bounds/);
    pool.run(rowTasks(A), false, runHere);
  });
});
