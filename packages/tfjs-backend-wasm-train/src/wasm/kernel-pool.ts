/**
 * The package's compute-bound kernels on more than the calling thread.
 *
 * tfjs-backend-wasm's threaded build gives XNNPACK's operators every core,
 * but the package's kernels run on the thread that calls them. Where the
 * host can start threads over the same shared memory (in Node,
 * lib/engine/backends/kernel-pool.ts starts worker_threads), it hands the
 * package a `KernelPool`, and the kernels below split their work across
 * it, each part a call of the same kernel over a disjoint part of the
 * output:
 * - the filter gradients' products (`transposedProducts`: the 1x1 and the
 *   per-tap filter gradients), by output rows (`transposedProductsRows`);
 * - the depthwise and the few-channel input gradients, and the max
 *   pool's gradient, by images;
 * - Concat's and SplitV's row copies, by rows;
 * - batch norm's two passes: the sums by fixed chunks of rows (each
 *   chunk's sums its own, added up in chunk order afterwards, however
 *   many threads ran them), the affine pass by rows;
 * - the grouped convolution's forward pass and input gradient (kernels
 *   generated for each layer's geometry), by images.
 * Every output is still summed in one order on one thread, so results are
 * bit-identical to one thread.
 *
 * Without a pool (one thread, a browser page, a host that gives none),
 * every call runs on the calling thread as before.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {GeneratedModule, SimdKernels, memoryOf, usingFusedKernels} from './simd-kernels';

/** The kernels a pool runs: all take integer arguments only (byte addresses and counts). */
export const POOL_KERNELS = [
  'transposedProductsRows', 'depthwiseInputGrad', 'fewChannelInputGrad', 'maxPool', 'poolGrad',
  'channelSums', 'channelSumsBy8', 'channelSumsBand', 'channelSumsBy8Band',
  'channelAffine', 'channelScaleShift', 'channelScaleShiftClamp', 'channelAffineBand', 'copyGrid', 'copyRows',
] as const;
export type PoolKernel = typeof POOL_KERNELS[number];

/**
 * One call of a pool kernel: its name and its arguments (integers only,
 * at most 18; a float parameter takes the integer as its value), from the
 * package's prebuilt kernels or, with `module`, from
 * a module generated at run time (the host's threads instantiate it too).
 */
export type PoolTask = {readonly kernel: PoolKernel; readonly args: readonly number[]; readonly module?: undefined} |
                       {readonly kernel: string; readonly args: readonly number[]; readonly module: GeneratedModule};

/** One whole `transposedProducts` call: a, b, out, P, M, N. */
export type ProductsCall = readonly [number, number, number, number, number, number];

/** Threads over the same shared memory as the calling thread, that run pool kernels. */
export interface KernelPool {
  readonly memory: WebAssembly.Memory;
  /** Threads besides the calling one. */
  readonly helpers: number;
  /**
   * Runs every task once, on the helpers (the fused or the plain build of
   * the prebuilt kernels, as the caller uses) and on the calling thread
   * (through `runHere`); returns when all are done. Where a task fails,
   * it throws once every task has ended, so the next call starts clean.
   */
  run(tasks: readonly PoolTask[], fused: boolean, runHere: (task: PoolTask) => void): void;
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

/**
 * From this many elements a memory-bound pass (batch norm's) is split
 * over the pool. Per call at two threads against one (`channelAffine`,
 * 2026-12-06, ms): [64, 32, 32, 32] 0.49 against 0.87, [64, 16, 16, 64]
 * 0.23 against 0.35, [64, 8, 8, 128] 0.12-0.14 against 0.16.
 */
export const MIN_ELEMENTS_TO_SPLIT_A_PASS = 1 << 19;

/** The pool, where there is one and a memory-bound pass over `elements` reaches MIN_ELEMENTS_TO_SPLIT_A_PASS. */
function passPoolFor(backend: BackendWasm, elements: number): KernelPool | null {
  return elements >= MIN_ELEMENTS_TO_SPLIT_A_PASS ? kernelPoolFor(backend) : null;
}

/** Runs a prebuilt `kernel` once with each of `argsList`, on the pool where `elements` reach MIN_ELEMENTS_TO_SPLIT_A_PASS. */
export function runPassTasks(backend: BackendWasm, kernels: SimdKernels, kernel: PoolKernel, argsList: readonly number[][],
                             elements: number): void {
  runTasks(passPoolFor(backend, elements), kernels, argsList.map(args => ({kernel, args})));
}

/**
 * Runs a prebuilt `kernel` over `rows` rows, split by rows over the pool
 * where `elements` reach MIN_ELEMENTS_TO_SPLIT_A_PASS (each call's
 * arguments from `argsOf(first row, count)`): for passes whose rows are
 * independent, so that the result does not depend on the split.
 */
export function runByRows(backend: BackendWasm, kernels: SimdKernels, kernel: PoolKernel, rows: number, elements: number,
                          argsOf: (r0: number, count: number) => number[]): void {
  const shared = passPoolFor(backend, elements);
  const parts = shared == null ? 1 : (shared.helpers + 1) * RANGES_PER_THREAD;
  runTasks(shared, kernels, ranges(rows, parts, 1).map(([r0, r1]) => ({kernel, args: argsOf(r0, r1 - r0)})));
}

/** Runs `tasks` on the pool, or one after another here. */
function runTasks(shared: KernelPool | null, kernels: SimdKernels, tasks: readonly PoolTask[]): void {
  if (shared == null || tasks.length < 2) {
    for (const task of tasks) runHere(task, kernels);
    return;
  }
  shared.run(tasks, usingFusedKernels(), task => runHere(task, kernels));
}

/**
 * The per-image input gradients do a multiply-add in about eight times the
 * products' time (a depthwise one at [64, 14, 14, 64]: 7.2 M in 3 ms, one
 * thread, against 13-24 G a second for `transposedProducts`), so the same
 * wake-up pays from an eighth of the work.
 */
export const SLOWER_MULTIPLY_ADDS = 8;

/** Runs one task on the calling thread. */
function runHere(task: PoolTask, kernels: SimdKernels): void {
  const functions = (task.module?.exports ?? kernels) as unknown as Record<string, (...args: number[]) => void>;
  functions[task.kernel]!(...task.args);
}

/** The pool, where there is one and `multiplyAdds` (weighted by `slower`) pays for waking it. */
function poolFor(backend: BackendWasm, multiplyAdds: number, slower = 1): KernelPool | null {
  return multiplyAdds * slower >= MIN_MULTIPLY_ADDS_TO_SPLIT ? kernelPoolFor(backend) : null;
}

/** [start, end) ranges of `count` items in about `parts` parts, each a multiple of `unit` long (but the last). */
function ranges(count: number, parts: number, unit: number): Array<[number, number]> {
  const step = Math.max(unit, Math.ceil(count / parts / unit) * unit);
  const out: Array<[number, number]> = [];
  for (let start = 0; start < count; start += step) out.push([start, Math.min(count, start + step)]);
  return out;
}

/**
 * Runs `transposedProducts` for every call, split by output rows (a
 * multiple of 4, the kernel's tile) over the pool where there is one and
 * the batch is large enough to pay for waking it.
 */
export function runTransposedProducts(backend: BackendWasm, kernels: SimdKernels, calls: readonly ProductsCall[]): void {
  const shared = poolFor(backend, calls.reduce((sum, [, , , P, M, N]) => sum + P * M * N, 0));
  const threads = (shared?.helpers ?? 0) + 1;
  // Split each call when there are few; many calls balance by themselves.
  const parts = calls.length >= 8 * threads ? 1 : threads;
  const tasks: PoolTask[] = [];
  for (const [a, b, out, P, M, N] of calls) {
    for (const [i0, i1] of ranges(M, parts, 4)) tasks.push({kernel: 'transposedProductsRows', args: [a, b, out, P, M, N, i0, i1]});
  }
  runTasks(shared, kernels, tasks);
}

/** The geometry of the per-image input gradients (depthwise, few-channel): every argument after dy, w, dx, N. */
export interface ImageGradientGeometry {
  H: number; W: number; C: number; OH: number; OW: number;
  /** Output channels, for the few-channel kernel (the depthwise kernel has as many as C). */
  Co?: number;
  KH: number; KW: number; sh: number; sw: number; padTop: number; padLeft: number;
}

/**
 * Runs `depthwiseInputGrad` or `fewChannelInputGrad`, dy -> dx for N
 * images, split by images over the pool where it pays: an image's dx
 * depends only on that image's dy.
 */
export function runInputGradientByImages(backend: BackendWasm, kernels: SimdKernels, kernel: 'depthwiseInputGrad' | 'fewChannelInputGrad',
                                         dy: number, w: number, dx: number, N: number, g: ImageGradientGeometry): void {
  const Co = kernel === 'depthwiseInputGrad' ? g.C : g.Co!;
  const shared = poolFor(backend, N * g.OH * g.OW * Co * g.KH * g.KW * (kernel === 'depthwiseInputGrad' ? 1 : g.C), SLOWER_MULTIPLY_ADDS);
  const F32 = Float32Array.BYTES_PER_ELEMENT;
  const dyImage = g.OH * g.OW * Co * F32, dxImage = g.H * g.W * g.C * F32;
  const tail = kernel === 'depthwiseInputGrad' ?
      [g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.padTop, g.padLeft] :
      [g.H, g.W, g.C, g.OH, g.OW, Co, g.KH, g.KW, g.sh, g.sw, g.padTop, g.padLeft];
  runByImages(shared, kernels, N, (n0, count) => ({kernel, args: [dy + n0 * dyImage, w, dx + n0 * dxImage, count, ...tail]}));
}

/** The geometry of a pooling window: the arguments of `maxPool` and `poolGrad` after the tensors and N. */
export interface PoolGeometry {
  H: number; W: number; C: number; OH: number; OW: number;
  KH: number; KW: number; sh: number; sw: number; padTop: number; padLeft: number;
}

/**
 * Runs `poolGrad` for a max pool (dx zeroed by the caller), split by
 * images over the pool where it pays: an image's dx depends only on that
 * image's x, y and dy. A window's taps take about a product's
 * multiply-add time each times SLOWER_MULTIPLY_ADDS (the small Inception's
 * [64, 32, 32, 56], 3x3: 33 million taps in 11.5 ms, one thread,
 * 2026-12-06). Average pools stay on the calling thread: their scale is
 * not an integer, which the pool's arguments must be.
 */
export function runMaxPoolGradientByImages(backend: BackendWasm, kernels: SimdKernels, x: number, y: number, dy: number, dx: number,
                                           N: number, g: PoolGeometry): void {
  const shared = poolFor(backend, N * g.OH * g.OW * g.C * g.KH * g.KW, SLOWER_MULTIPLY_ADDS);
  const F32 = Float32Array.BYTES_PER_ELEMENT;
  const xImage = g.H * g.W * g.C * F32, yImage = g.OH * g.OW * g.C * F32;
  runByImages(shared, kernels, N, (n0, count) => ({kernel: 'poolGrad', args: [
    x + n0 * xImage, y + n0 * yImage, dy + n0 * yImage, dx + n0 * xImage, count,
    g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.padTop, g.padLeft, 0, 1]}));
}

/**
 * Runs `maxPool`, x -> y for N images, split by images over the pool where
 * it pays, on the same reckoning as the max pool's gradient: a window's
 * tap costs about SLOWER_MULTIPLY_ADDS products' multiply-adds.
 */
export function runMaxPoolByImages(backend: BackendWasm, kernels: SimdKernels, x: number, y: number, N: number, g: PoolGeometry): void {
  const shared = poolFor(backend, N * g.OH * g.OW * g.C * g.KH * g.KW, SLOWER_MULTIPLY_ADDS);
  const F32 = Float32Array.BYTES_PER_ELEMENT;
  const xImage = g.H * g.W * g.C * F32, yImage = g.OH * g.OW * g.C * F32;
  runByImages(shared, kernels, N, (n0, count) => ({kernel: 'maxPool', args: [
    x + n0 * xImage, y + n0 * yImage, count, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.sh, g.sw, g.padTop, g.padLeft]}));
}

/**
 * Runs one of a generated module's functions whose last two arguments are
 * a range [from, to) of `parts` independent parts (the grouped filter
 * gradient's groups, each summing into its own outputs), split over the
 * pool where `multiplyAdds` (weighted by `slower`) pays. Every output is
 * still summed by one thread in one order: the result does not depend on
 * the split.
 */
export function runGeneratedByParts(backend: BackendWasm, kernels: SimdKernels, module: GeneratedModule, kernel: string,
                                    args: readonly number[], parts: number, multiplyAdds: number, slower = 1): void {
  const shared = poolFor(backend, multiplyAdds, slower);
  const split = shared == null ? 1 : (shared.helpers + 1) * RANGES_PER_THREAD;
  runTasks(shared, kernels, ranges(parts, split, 1).map(([p0, p1]) => ({module, kernel, args: [...args, p0, p1]})));
}

/**
 * Ranges of images per thread. Every thread, the caller too, takes the next
 * range as it finishes one, so with several ranges each a helper that starts
 * late (at two threads its core can still be held by XNNPACK's pool thread,
 * which spins a while after each of its operators) leaves the caller less to
 * wait for. Four per thread against one, whole training steps at two threads
 * (2026-12-05, two processes of each alternated twice): chapter 01's nets
 * 127-147 against 140-163 ms, the spectrum at k = 1 175-193 against 182-203;
 * chapter 04 102-118 against 98-112. Images are independent, so the result
 * is the same however they are split.
 */
const RANGES_PER_THREAD = 4;

/** Runs the task `taskOf` gives for each range of the N images, RANGES_PER_THREAD ranges per thread of `shared` (one range without it). */
function runByImages(shared: KernelPool | null, kernels: SimdKernels, N: number, taskOf: (n0: number, count: number) => PoolTask): void {
  const parts = shared == null ? 1 : (shared.helpers + 1) * RANGES_PER_THREAD;
  runTasks(shared, kernels, ranges(N, parts, 1).map(([n0, n1]) => taskOf(n0, n1 - n0)));
}

/**
 * Runs one of a generated module's per-image functions (`forward`,
 * `inputGrad` of the grouped convolution: (from, weights..., to, N)),
 * split by images over the pool where `multiplyAdds` pays for it (each
 * taking `slower` times a product's, as for poolFor).
 * `fromImage` and `toImage` are the bytes of one image of the source and
 * of the result.
 */
export function runGeneratedByImages(backend: BackendWasm, kernels: SimdKernels, module: GeneratedModule, kernel: string,
                                     from: number, middle: readonly number[], to: number, N: number,
                                     fromImage: number, toImage: number, multiplyAdds: number, slower = 1): void {
  runGeneratedByImageRanges(backend, kernels, module, kernel, N, multiplyAdds, slower,
                            (n0, count) => [from + n0 * fromImage, ...middle, to + n0 * toImage, count]);
}

/**
 * At most how many ranges `runGeneratedByImageRanges` splits images into
 * on `backend`: a kernel that needs scratch per range (the Winograd
 * convolution's) allocates this many.
 */
export function imageRangesAtMost(backend: BackendWasm): number {
  const shared = kernelPoolFor(backend);
  return shared == null ? 1 : (shared.helpers + 1) * RANGES_PER_THREAD;
}

/** As runGeneratedByImages, with each range's arguments from `argsOf(first image, count)`. */
export function runGeneratedByImageRanges(backend: BackendWasm, kernels: SimdKernels, module: GeneratedModule, kernel: string, N: number,
                                          multiplyAdds: number, slower: number, argsOf: (n0: number, count: number) => number[]): void {
  runByImages(poolFor(backend, multiplyAdds, slower), kernels, N, (n0, count) => ({module, kernel, args: argsOf(n0, count)}));
}
