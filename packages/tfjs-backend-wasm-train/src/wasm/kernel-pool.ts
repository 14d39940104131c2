/**
 * The package's compute-bound kernels on more than the calling thread.
 *
 * tfjs-backend-wasm's threaded build gives XNNPACK's operators every core,
 * but the package's kernels run on the thread that calls them. Where the
 * host can start threads over the same shared memory (in Node,
 * lib/engine/backends/kernel-pool.ts starts worker_threads), it hands the
 * package a `KernelPool`, and the filter gradients' products
 * (`transposedProducts`, the 1x1 and per-tap filter gradients) are split by
 * output rows across it. Each output is still summed in one order on one
 * thread, so results are bit-identical to one thread.
 *
 * Without a pool (one thread, a browser page, a host that gives none),
 * every call runs on the calling thread as before.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {SimdKernels, memoryOf, usingFusedKernels} from './simd-kernels';

/** One call of `transposedProductsRows`: a, b, out, P, M, N, i0, i1 (byte addresses and counts). */
export type RowsTask = readonly [number, number, number, number, number, number, number, number];

/** One whole `transposedProducts` call: a, b, out, P, M, N. */
export type ProductsCall = readonly [number, number, number, number, number, number];

/** Threads over the same shared memory as the calling thread, that run `transposedProductsRows` tasks. */
export interface KernelPool {
  readonly memory: WebAssembly.Memory;
  /** Threads besides the calling one. */
  readonly helpers: number;
  /**
   * Runs every task once, on the helpers and on the calling thread (with
   * `local`, the caller's kernels), the fused or the plain build as the
   * caller uses; returns when all are done.
   */
  run(tasks: readonly RowsTask[], fused: boolean, local: SimdKernels): void;
}

let pool: KernelPool | null = null;

/** Hands the package a pool (or takes it back with null). */
export function useKernelPool(given: KernelPool | null): void {
  pool = given;
}

/** The pool in use for `backend`'s memory, if any. */
export function kernelPoolFor(backend: BackendWasm): KernelPool | null {
  return pool != null && pool.helpers > 0 && pool.memory === memoryOf(backend) ? pool : null;
}

/**
 * Below this many multiply-adds in one batch of calls, waking the helpers
 * (a futex wake, tens of microseconds) costs about what they save: a
 * product of 1,024 x 64 x 64 (4.2 M) took 0.29 ms on one thread and the
 * same split over two (AMD EPYC, 2 cores, 2026-12-04).
 */
export const MIN_MULTIPLY_ADDS_TO_SPLIT = 1 << 23;

/** Output rows per task: a multiple of 4 (the kernel's tile), about `parts` tasks per call. */
function rowsPerTask(M: number, parts: number): number {
  return Math.max(4, Math.ceil(M / parts / 4) * 4);
}

/**
 * Runs `transposedProducts` for every call, split by output rows over the
 * pool where there is one and the batch is large enough to pay for waking
 * it; otherwise one call after another on this thread.
 */
export function runTransposedProducts(backend: BackendWasm, kernels: SimdKernels, calls: readonly ProductsCall[]): void {
  const shared = kernelPoolFor(backend);
  const multiplyAdds = calls.reduce((sum, [, , , P, M, N]) => sum + P * M * N, 0);
  if (shared == null || multiplyAdds < MIN_MULTIPLY_ADDS_TO_SPLIT) {
    for (const [a, b, out, P, M, N] of calls) kernels.transposedProducts(a, b, out, P, M, N);
    return;
  }
  const threads = shared.helpers + 1;
  // Split each call into about `threads` parts when there are few calls; many calls balance by themselves.
  const parts = calls.length >= 8 * threads ? 1 : threads;
  const tasks: RowsTask[] = [];
  for (const [a, b, out, P, M, N] of calls) {
    const step = rowsPerTask(M, parts);
    for (let i0 = 0; i0 < M; i0 += step) tasks.push([a, b, out, P, M, N, i0, Math.min(M, i0 + step)]);
  }
  shared.run(tasks, usingFusedKernels(), kernels);
}
