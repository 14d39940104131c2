/**
 * Loads the lab's WebAssembly SIMD kernels (sources/) into the memory
 * of tfjs-backend-wasm's module, so they work on tensors in place.
 *
 * The text is assembled with wabt when the wasm engine starts (tens of
 * milliseconds, once a process), rather than shipping a prebuilt binary: the
 * source is what gets reviewed, and there is no build step to forget. Until
 * `prepareSimdKernels` has run for the backend's current memory,
 * `simdKernels()` is null and callers use their JavaScript loops, so TF.js
 * code that sets the wasm backend by itself still computes the same results.
 */
import * as tf from '@tensorflow/tfjs';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {enableRelaxedSimd, fuseMultiplyAdds} from './fused-multiply-add';
import {simdModuleText} from './sources';

/** Byte addresses and counts, as in sources/*.ts. */
export interface SimdKernels {
  channelSums(a: number, b: number, rows: number, channels: number, shift: number, acc: number, block: number): void;
  channelAffine(u: number, v: number, out: number, rows: number, channels: number, coefficients: number): void;
  tapProducts(x: number, xStride: number, dy: number, dyStride: number, count: number, channels: number, acc: number): void;
  bandGrad(dy: number, x: number, out: number, count: number, low: number, high: number, lowInclusive: number): void;
  transposedProducts(a: number, b: number, out: number, rows: number, m: number, n: number): void;
  poolGrad(x: number, y: number, dy: number, dx: number, n: number, h: number, w: number, c: number,
           outHeight: number, outWidth: number, filterHeight: number, filterWidth: number,
           strideHeight: number, strideWidth: number, padTop: number, padLeft: number, average: number, scale: number): void;
  copyRows(src: number, srcStride: number, dst: number, dstStride: number, rows: number, bytes: number): void;
  copyGrid(src: number, srcRowStride: number, srcStep: number, dst: number, dstRowStride: number, dstStep: number,
           rows: number, items: number, bytes: number): void;
  narrow(acc: number, out: number, count: number): void;
  zeroBytes(at: number, bytes: number): void;
  fewChannelInputGrad(dy: number, w: number, dx: number, N: number, H: number, W: number, Ci: number, OH: number, OW: number, Co: number,
                      KH: number, KW: number, strideHeight: number, strideWidth: number, padTop: number, padLeft: number): void;
  fewChannelFilterGrad(x: number, dy: number, dw: number, N: number, H: number, W: number, Ci: number, OH: number, OW: number, Co: number,
                       KH: number, KW: number, strideHeight: number, strideWidth: number, padTop: number, padLeft: number): void;
  adamUpdate(value: number, m: number, v: number, g: number, valueOut: number, mOut: number, vOut: number, n: number,
             beta1: number, beta2: number, oneMinusBeta1: number, oneMinusBeta2: number,
             correction1: number, correction2: number, epsilon: number, negativeRate: number): void;
}

/**
 * Each kernel's parameter count, checked against `SimdKernels` by the type
 * checker (a wrong count does not compile) and against the assembled
 * module's exports by test/engine/simd-kernels.test.ts: the WebAssembly
 * text and the interface it is called through cannot drift apart.
 */
export const SIMD_KERNEL_ARITY: {readonly [K in keyof SimdKernels]: Parameters<SimdKernels[K]>['length']} = {
  channelSums: 7, channelAffine: 6, tapProducts: 7, bandGrad: 7, transposedProducts: 6, poolGrad: 18, copyRows: 6, copyGrid: 9, narrow: 3, zeroBytes: 2,
  fewChannelInputGrad: 16, fewChannelFilterGrad: 16, adamUpdate: 16,
};

/** What the kernels need of tfjs-backend-wasm's emscripten module. */
interface EmscriptenModule {
  wasmMemory?: WebAssembly.Memory;   // the threaded build creates its memory in JS
  asm?: {memory?: WebAssembly.Memory};   // the single-threaded build exports it
  _malloc(bytes: number): number;
  _free(address: number): void;
}

function moduleOf(backend: BackendWasm): EmscriptenModule {
  return (backend as unknown as {wasm: EmscriptenModule}).wasm;
}

function memoryOf(backend: BackendWasm): WebAssembly.Memory | undefined {
  const module = moduleOf(backend);
  return module.wasmMemory ?? module.asm?.memory;
}

/**
 * The kernels over one backend's memory; `fused` when they use relaxed
 * SIMD's fused multiply-add (fused-multiply-add.ts), and the plain-SIMD
 * build of the same kernels once a test has asked for it.
 */
let loaded: {memory: WebAssembly.Memory; kernels: SimdKernels; fused: boolean; plain?: SimdKernels} | null = null;
/** Set while `withPlainSimd` runs: the kernels in use are the plain ones. */
let plainForced = false;
/** wabt, kept once loaded, so kernels generated later (per geometry) assemble synchronously. */
let wabtLoaded: WabtModule | null = null;

function memoryImportOf(memory: WebAssembly.Memory): string {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  // A shared memory import needs a maximum no lower than the memory's own:
  // 65536 pages is wasm32's whole address space.
  return shared ? '(memory 1 65536 shared)' : '(memory 1)';
}

/**
 * Assembles the kernels for `memory` (shared or not: the import must say
 * which), with fused multiply-adds when `fused`; exported for the interface test.
 */
export async function assemble(memory: WebAssembly.Memory, fused = false): Promise<SimdKernels> {
  const wabt = wabtLoaded ??= await (require('wabt') as () => Promise<WabtModule>)();
  const module = await WebAssembly.compile(binaryOf(wabt, 'lab-simd-kernels.wat', simdModuleText(memoryImportOf(memory)), fused));
  const instance = await WebAssembly.instantiate(module, {env: {memory}});
  return instance.exports as unknown as SimdKernels;
}

/**
 * WebAssembly text to a binary with the features the kernels use. Compiling
 * it validates (wabt's own validate() ignores the threads feature).
 */
function binaryOf(wabt: WabtModule, name: string, text: string, fused: boolean): Uint8Array<ArrayBuffer> {
  const parsed = wabt.parseWat(name, fused ? fuseMultiplyAdds(text) : text, {simd: true, threads: true, bulk_memory: true, relaxed_simd: fused});
  try {
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

interface WabtModule {
  parseWat(filename: string, text: string, features: Record<string, boolean>): {
    toBinary(options: object): {buffer: Uint8Array<ArrayBuffer>};
    destroy(): void;
  };
}

/**
 * Loads the kernels for a wasm backend, the current one by default
 * (idempotent). Returns why they could not load, or null: the JavaScript
 * loops still compute the same results, only slower, so the engine warns
 * instead of failing.
 */
export async function prepareSimdKernels(backend = tf.backend() as BackendWasm): Promise<string | null> {
  const memory = memoryOf(backend);
  if (memory == null) return 'tfjs-backend-wasm exposes no WebAssembly.Memory (wasmMemory or asm.memory)';
  if (loaded?.memory === memory) return null;
  try {
    const fused = enableRelaxedSimd();
    loaded = {memory, kernels: await assemble(memory, fused), fused};
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

let disabled = false;

/**
 * Assembles and instantiates, synchronously, a module generated at run time
 * (`text` given the memory import) over `backend`'s memory: kernels
 * specialised for one shape. Null where the SIMD kernels are not loaded
 * (then wabt may not be either) or switched off.
 */
export function compileKernelsNow(backend: BackendWasm, name: string, text: (memoryImport: string) => string): WebAssembly.Exports | null {
  const memory = memoryOf(backend);
  if (simdKernels(backend) == null || wabtLoaded == null || memory == null) return null;
  const module = new WebAssembly.Module(binaryOf(wabtLoaded, name, text(memoryImportOf(memory)), usingFusedKernels()));
  return new WebAssembly.Instance(module, {env: {memory}}).exports;
}

/** The kernels over `backend`'s memory, or null where they are not loaded (use the JS loop). */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  if (disabled || loaded == null || loaded.memory !== memoryOf(backend)) return null;
  return plainForced && loaded.plain != null ? loaded.plain : loaded.kernels;
}

/** Whether the kernels in use have fused multiply-adds (relaxed SIMD). */
export function usingFusedKernels(): boolean {
  return loaded != null && loaded.fused && !plainForced;
}

/**
 * Runs `body` with the plain-SIMD build of the kernels (mul then add), where
 * the loaded ones are fused: how the tests check both builds on a machine
 * that has relaxed SIMD. Kernels generated per shape follow (they are cached
 * per kernels object).
 */
export async function withPlainSimd<T>(body: () => Promise<T>): Promise<T> {
  if (loaded != null && loaded.fused) loaded.plain ??= await assemble(loaded.memory, false);
  plainForced = true;
  try {
    return await body();
  } finally {
    plainForced = false;
  }
}

/**
 * Runs `body` with the SIMD kernels switched off, so every kernel takes its
 * JavaScript path: how the tests check that both paths compute the same.
 */
export async function withoutSimdKernels<T>(body: () => Promise<T>): Promise<T> {
  disabled = true;
  try {
    return await body();
  } finally {
    disabled = false;
  }
}

/**
 * Runs `body` with `bytes` of zeroed scratch from the backend's allocator
 * (for float64 accumulators and per-channel coefficients), freed after.
 */
export function withScratch<T>(backend: BackendWasm, bytes: number, body: (address: number) => T): T {
  const module = moduleOf(backend);
  // `>>> 0`: emscripten's malloc returns a signed int32, negative above 2 GB.
  const address = module._malloc(bytes) >>> 0;
  if (address === 0) throw new Error(`wasm heap: could not allocate ${bytes} bytes of kernel scratch`);
  try {
    zeroHeap(backend, address, bytes);
    return body(address);
  } finally {
    module._free(address);
  }
}

/** Zeroes `bytes` of the heap at `address`: memory.fill once the kernels are loaded, else fill(0) on a view. */
export function zeroHeap(backend: BackendWasm, address: number, bytes: number): void {
  const kernels = simdKernels(backend);
  if (kernels != null) kernels.zeroBytes(address, bytes);
  else new Uint8Array(memoryOf(backend)!.buffer, address, bytes).fill(0);
}

/** The heap's bytes as float32s at `address` (re-take after anything that may grow the heap). */
export function heapFloats(backend: BackendWasm, address: number, count: number): Float32Array {
  return new Float32Array(memoryOf(backend)!.buffer, address, count);
}

/** The heap's bytes as int32s at `address` (re-take after anything that may grow the heap). */
export function heapInts(backend: BackendWasm, address: number, count: number): Int32Array {
  return new Int32Array(memoryOf(backend)!.buffer, address, count);
}

/** The heap's bytes as float64s at `address` (re-take after anything that may grow the heap). */
export function heapF64(backend: BackendWasm, address: number, count: number): Float64Array {
  return new Float64Array(memoryOf(backend)!.buffer, address, count);
}
