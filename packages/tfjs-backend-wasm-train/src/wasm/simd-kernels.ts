/**
 * Loads the package's WebAssembly SIMD kernels (sources/, built ahead into
 * binaries.generated.ts) into the memory of tfjs-backend-wasm's module, so
 * they work on tensors in place.
 *
 * They load on first use, for the backend's current memory: synchronously
 * (a 5 KB module), or where a browser refuses that on its main thread,
 * asynchronously while the kernels' JavaScript loops serve. Until then, and
 * where they cannot load, `simdKernels()` is null and every caller runs its
 * JavaScript loop, which computes the same results, only slower.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {KERNEL_BINARIES} from './binaries.generated';
import {relaxedSimdSupported} from './fused-multiply-add';
import {WabtModule, isShared, memoryImportFor, watToBinary} from './wat-assembly';

/** Byte addresses and counts, as in sources/*.ts. */
export interface SimdKernels {
  channelSums(a: number, b: number, rows: number, channels: number, shift: number, acc: number, block: number): void;
  channelSumsBy8(a: number, b: number, rows: number, channels: number, shift: number, acc: number, block: number): void;
  channelAffine(u: number, v: number, out: number, rows: number, channels: number, coefficients: number): void;
  /** channelAffine without its second term: v is not read. */
  channelScaleShift(u: number, v: number, out: number, rows: number, channels: number, coefficients: number): void;
  /**
   * The Band variants: batch norm with the activation after it (sources/batch-norm.ts); kz holds z's scale and shift,
   * band the address of the band's edges [low, high] (float32).
   */
  channelSumsBand(a: number, b: number, rows: number, channels: number, shift: number, acc: number, block: number,
                  kz: number, band: number): void;
  channelSumsBy8Band(a: number, b: number, rows: number, channels: number, shift: number, acc: number, block: number,
                     kz: number, band: number): void;
  channelAffineBand(u: number, v: number, out: number, rows: number, channels: number, coefficients: number,
                    kz: number, band: number): void;
  channelScaleShiftClamp(u: number, v: number, out: number, rows: number, channels: number, coefficients: number, band: number): void;
  tapProducts(x: number, xStride: number, dy: number, dyStride: number, count: number, channels: number, acc: number): void;
  bandGrad(dy: number, x: number, out: number, count: number, low: number, high: number, lowInclusive: number): void;
  clamp(x: number, out: number, count: number, low: number, high: number): void;
  transposedProducts(a: number, b: number, out: number, rows: number, m: number, n: number): void;
  transposedProductsRows(a: number, b: number, out: number, rows: number, m: number, n: number, i0: number, i1: number): void;
  maxPool(x: number, y: number, n: number, h: number, w: number, c: number, outHeight: number, outWidth: number,
          filterHeight: number, filterWidth: number, strideHeight: number, strideWidth: number, padTop: number, padLeft: number): void;
  poolGrad(x: number, y: number, dy: number, dx: number, n: number, h: number, w: number, c: number,
           outHeight: number, outWidth: number, filterHeight: number, filterWidth: number,
           strideHeight: number, strideWidth: number, padTop: number, padLeft: number, average: number, scale: number): void;
  spreadWindows(dy: number, dx: number, n: number, h: number, w: number, c: number, oh: number, ow: number,
                kh: number, kw: number, scale: number): void;
  copyRows(src: number, srcStride: number, dst: number, dstStride: number, rows: number, bytes: number): void;
  copyGrid(src: number, srcRowStride: number, srcStep: number, dst: number, dstRowStride: number, dstStep: number,
           rows: number, items: number, bytes: number): void;
  transposeFloats(src: number, dst: number, rows: number, cols: number): void;
  narrow(acc: number, out: number, count: number): void;
  zeroBytes(at: number, bytes: number): void;
  fewChannelInputGrad(dy: number, w: number, dx: number, N: number, H: number, W: number, Ci: number, OH: number, OW: number, Co: number,
                      KH: number, KW: number, strideHeight: number, strideWidth: number, padTop: number, padLeft: number): void;
  fewChannelFilterGrad(x: number, dy: number, dw: number, N: number, H: number, W: number, Ci: number, OH: number, OW: number, Co: number,
                       KH: number, KW: number, strideHeight: number, strideWidth: number, padTop: number, padLeft: number): void;
  adamUpdate(value: number, m: number, v: number, g: number, valueOut: number, mOut: number, vOut: number, n: number,
             beta1: number, beta2: number, oneMinusBeta1: number, oneMinusBeta2: number,
             correction1: number, correction2: number, epsilon: number, negativeRate: number): void;
  leadingSums(x: number, out: number, rows: number, cols: number, scale: number): void;
  depthwiseInputGrad(dy: number, w: number, dx: number, N: number, H: number, W: number, C: number, OH: number, OW: number,
                     KH: number, KW: number, strideHeight: number, strideWidth: number, padTop: number, padLeft: number): void;
  depthwiseFilterGrad(x: number, dy: number, acc: number, N: number, H: number, W: number, C: number, OH: number, OW: number,
                      KH: number, KW: number, strideHeight: number, strideWidth: number, padTop: number, padLeft: number): void;
  smallMatMul(a: number, b: number, out: number, M: number, K: number, N: number): void;
}

/**
 * Each kernel's parameter count, checked against `SimdKernels` by the type
 * checker (a wrong count does not compile) and against the assembled
 * module's exports by test/engine/simd-kernels.test.ts: the WebAssembly
 * text and the interface it is called through cannot drift apart.
 */
export const SIMD_KERNEL_ARITY: {readonly [K in keyof SimdKernels]: Parameters<SimdKernels[K]>['length']} = {
  channelSums: 7, channelSumsBy8: 7, channelAffine: 6, channelScaleShift: 6,
  channelSumsBand: 9, channelSumsBy8Band: 9, channelAffineBand: 8, channelScaleShiftClamp: 7, tapProducts: 7, bandGrad: 7, clamp: 5, transposedProducts: 6, transposedProductsRows: 8, maxPool: 14, poolGrad: 18, spreadWindows: 11, copyRows: 6, copyGrid: 9, transposeFloats: 4, narrow: 3, zeroBytes: 2,
  fewChannelInputGrad: 16, fewChannelFilterGrad: 16, adamUpdate: 16, leadingSums: 5, depthwiseInputGrad: 15, depthwiseFilterGrad: 15, smallMatMul: 6,
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

/** The memory tfjs-backend-wasm's module runs in (shared in its threaded build). */
export function memoryOf(backend: BackendWasm): WebAssembly.Memory | undefined {
  const module = moduleOf(backend);
  return module.wasmMemory ?? module.asm?.memory;
}

/**
 * The kernels over one backend's memory; `fused` when they use relaxed
 * SIMD's fused multiply-add (fused-multiply-add.ts), and the plain-SIMD
 * build of the same kernels once a test has asked for it.
 */
let loaded: {memory: WebAssembly.Memory; kernels: SimdKernels; fused: boolean; plain?: SimdKernels} | null = null;
/** Memories whose kernels could not load synchronously: an asynchronous load is under way or failed (not retried). */
const notLoadedNow = new WeakSet<WebAssembly.Memory>();
/** Set while `withPlainSimd` runs: the kernels in use are the plain ones. */
let plainForced = false;
/** wabt, where a caller has handed it over (`useWabt`): kernels generated per geometry need it. */
let wabtGiven: WabtModule | null = null;

/** The prebuilt module for a memory (shared or not), fused or plain, as bytes. */
export function kernelBinary(fused: boolean, shared: boolean): Uint8Array<ArrayBuffer> {
  const base64 = KERNEL_BINARIES[fused ? 'fused' : 'plain'][shared ? 'shared' : 'unshared'];
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function instantiateNow(memory: WebAssembly.Memory, fused: boolean): SimdKernels {
  const module = new WebAssembly.Module(kernelBinary(fused, isShared(memory)));
  return new WebAssembly.Instance(module, {env: {memory}}).exports as unknown as SimdKernels;
}

/** The kernels over `memory`, fused or plain, compiled asynchronously (what browsers' main threads allow for any size). */
export async function assemble(memory: WebAssembly.Memory, fused = false): Promise<SimdKernels> {
  const module = await WebAssembly.compile(kernelBinary(fused, isShared(memory)));
  const instance = await WebAssembly.instantiate(module, {env: {memory}});
  return instance.exports as unknown as SimdKernels;
}

/**
 * Loads the kernels for `memory` now where this WebAssembly allows a
 * synchronous compile; otherwise starts an asynchronous load and returns
 * (the JavaScript loops serve until it ends).
 */
function loadFor(memory: WebAssembly.Memory): void {
  if (notLoadedNow.has(memory)) return;
  const fused = relaxedSimdSupported();
  try {
    loaded = {memory, kernels: instantiateNow(memory, fused), fused};
  } catch {
    // prepareSimdKernels says why, where a caller wants to know; the JavaScript loops serve meanwhile.
    notLoadedNow.add(memory);
    assemble(memory, fused).then(kernels => { loaded = {memory, kernels, fused}; }, () => {});
  }
}

/**
 * Loads the kernels for a wasm backend, the current one by default
 * (idempotent). Returns why they could not load, or null: the JavaScript
 * loops still compute the same results, only slower, so callers warn
 * instead of failing.
 */
export async function prepareSimdKernels(backend = tf.backend() as BackendWasm): Promise<string | null> {
  const memory = memoryOf(backend);
  if (memory == null) return 'tfjs-backend-wasm exposes no WebAssembly.Memory (wasmMemory or asm.memory)';
  if (loaded?.memory === memory) return null;
  try {
    const fused = relaxedSimdSupported();
    loaded = {memory, kernels: await assemble(memory, fused), fused};
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

let disabled = false;

/**
 * Hands wabt to the package, for the kernels it generates at run time for
 * one layer's geometry (the grouped convolution's). Without it those
 * layers run their JavaScript loops; every other kernel is built ahead.
 */
export function useWabt(wabt: WabtModule): void {
  wabtGiven = wabt;
}

/** Whether kernels generated at run time can be assembled (wabt handed over). */
export function runtimeAssemblyAvailable(): boolean {
  return wabtGiven != null;
}

/** A module generated at run time, with its instance's exports over the backend's memory. */
export interface GeneratedModule {
  readonly module: WebAssembly.Module;
  readonly exports: WebAssembly.Exports;
}

/**
 * Assembles and instantiates, synchronously, a module generated at run time
 * (`text` given the memory import) over `backend`'s memory: kernels
 * specialised for one shape. Null where the SIMD kernels are not loaded or
 * switched off, or no wabt was handed over.
 */
export function compileKernelsNow(backend: BackendWasm, name: string, text: (memoryImport: string) => string): GeneratedModule | null {
  const memory = memoryOf(backend);
  if (simdKernels(backend) == null || wabtGiven == null || memory == null) return null;
  const binary = watToBinary(wabtGiven, name, text(memoryImportFor(isShared(memory))), usingFusedKernels());
  const module = new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>);
  return {module, exports: new WebAssembly.Instance(module, {env: {memory}}).exports};
}

/** The kernels over `backend`'s memory (loaded on first ask), or null where they are not loaded (use the JS loop). */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  if (disabled) return null;
  if (loaded == null || loaded.memory !== memoryOf(backend)) {
    const memory = memoryOf(backend);
    if (memory == null) return null;
    loadFor(memory);
    if (loaded == null || loaded.memory !== memory) return null;
  }
  return plainForced && loaded.plain != null ? loaded.plain : loaded.kernels;
}

/**
 * Which build of the kernels ran last: 'fused' (relaxed SIMD), 'plain'
 * (SIMD), or 'javascript' where they have not loaded (yet, or at all) or
 * are switched off: what a page or a log can show its reader.
 */
export function kernelBuild(): 'fused' | 'plain' | 'javascript' {
  if (disabled || loaded == null) return 'javascript';
  return usingFusedKernels() ? 'fused' : 'plain';
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
export function withScratch<T>(backend: BackendWasm, bytes: number, body: (address: number) => T, zeroed = true): T {
  const module = moduleOf(backend);
  // `>>> 0`: emscripten's malloc returns a signed int32, negative above 2 GB.
  const address = module._malloc(bytes) >>> 0;
  if (address === 0) throw new Error(`wasm heap: could not allocate ${bytes} bytes of kernel scratch`);
  try {
    // Not zeroed where the kernel writes every byte it reads (the generated convolution pads its own images).
    if (zeroed) zeroHeap(backend, address, bytes);
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
