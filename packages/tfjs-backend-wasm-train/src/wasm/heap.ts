/**
 * Shared plumbing for the package's wasm kernels: typed views of tensors that
 * live in the wasm heap, and a uniform way to (re)register a kernel.
 *
 * Kernels read and write the heap in place (no copies to JS arrays), and
 * leave the arithmetic-heavy part to wasm's XNNPACK BatchMatMul.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {SimdKernels, simdKernels, withScratch, zeroHeap} from './simd-kernels';

export type WasmKernelArgs = {inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap};
export type WasmKernel = (args: WasmKernelArgs) => tf.TensorInfo;

/**
 * The bounds check of a kernel that writes through raw heap offsets: the
 * floats it computed it will touch must be exactly the tensor's. One
 * multiplication, cheap enough to keep; a mismatch is a bug in the kernel's
 * shape arithmetic, and the heap is left untouched.
 */
export function checkWrite(kernel: string, floats: number, shape: readonly number[]): void {
  const size = tf.util.sizeFromShape(shape as number[]);
  if (floats !== size) {
    throw new Error(`lab wasm ${kernel}: would touch ${floats} floats of a tensor of ${size} (shape [${shape.join(', ')}]); refused before writing`);
  }
}

/**
 * The input check every lab kernel makes before it touches the heap: `info`
 * must have the shape the kernel's arithmetic assumes. Worded as TF.js's own
 * op checks ("Error in <op>: ...").
 */
export function expectShape(op: string, name: string, info: {shape: readonly number[]}, expected: readonly number[], why = ''): void {
  if (info.shape.length !== expected.length || info.shape.some((d, i) => d !== expected[i])) {
    throw new Error(`Error in ${op}: ${name} must have shape [${expected.join(', ')}]${why}, but got shape [${info.shape.join(', ')}]`);
  }
}

/** Throws TF.js-style unless `shape` has `rank` dimensions. */
export function expectRank(op: string, name: string, shape: readonly number[], rank: number): void {
  if (shape.length !== rank) throw new Error(`Error in ${op}: ${name} must be rank ${rank}, but got shape [${shape.join(', ')}]`);
}

/** Throws TF.js-style unless the input's channels match the filter's input channels. */
export function expectDepth(op: string, inputShape: readonly number[], filterShape: readonly number[]): void {
  if (inputShape[3] !== filterShape[2]) {
    throw new Error(`Error in ${op}: depth of input (${inputShape[3]}) must match input depth for filter ${filterShape[2]}`);
  }
}

/** A Float32Array over the tensor's bytes in the wasm heap (no copy). */
export function heapF32(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  if (info.dtype !== 'float32') {
    throw new Error(`lab wasm kernel expected a float32 tensor, got ${info.dtype} [${info.shape}]`);
  }
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** A tensor info viewing `info`'s data with another shape (no copy). */
export function reshaped(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return {dataId: info.dataId, shape, dtype: info.dtype};
}

/** The kernel currently registered for wasm (the stock one before ours). */
export function stockKernel(kernelName: string): WasmKernel {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config == null) throw new Error(`tfjs-backend-wasm has no '${kernelName}' kernel to wrap`);
  return config.kernelFunc as unknown as WasmKernel;
}

/**
 * Registers `kernel` for wasm, replacing any kernel of that name but keeping
 * its setup function: that is where wasm binds the exports (`cwrap`) which
 * our fallbacks to the stock kernel still call.
 */
export function registerWasmKernel(kernelName: string, kernel: WasmKernel): void {
  const previous = tf.getKernel(kernelName, 'wasm');
  if (previous != null) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    kernelFunc: kernel as unknown as tf.KernelFunc,
    setupFunc: previous?.setupFunc,
    disposeFunc: previous?.disposeFunc,
  });
}

/**
 * A tensor info over part of another tensor's heap memory (rows of a batch),
 * so a kernel can hand a slice to a wasm op without copying. Release it with
 * `disposeView`, never `disposeData`, which would free memory it does not own.
 */
export function heapView(
    backend: BackendWasm, of: tf.TensorInfo, offsetFloats: number, shape: number[]): tf.TensorInfo {
  const offset = backend.getMemoryOffset(of.dataId) + offsetFloats * Float32Array.BYTES_PER_ELEMENT;
  return backend.makeOutput(shape, 'float32', offset);
}

interface WasmDataInternals {
  dataIdMap: {get(dataId: object): {id: number} | undefined; delete(dataId: object): void};
  wasm: {tfjs: {disposeData(id: number): void}};
}

/** Forgets a `heapView` without freeing the memory it points into. */
export function disposeView(backend: BackendWasm, view: tf.TensorInfo): void {
  const internals = backend as unknown as WasmDataInternals;
  const data = internals.dataIdMap.get(view.dataId);
  if (data == null) return;
  internals.wasm.tfjs.disposeData(data.id);
  internals.dataIdMap.delete(view.dataId);
}

/** A kernel input by name; a missing one is a bug in the caller. */
export function input(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const info = inputs[name];
  if (info == null) throw new Error(`lab wasm kernel: missing input '${name}'`);
  return info;
}

/** Rows at least this long are copied with `set()` (a memcpy), shorter ones by a loop. */
const MEMCPY_FROM = 64;

/**
 * Copies `length` floats. `subarray()` + `set()` allocates a typed-array
 * object per call, which dominates for short rows (a pixel's 8-32 channels),
 * so those are copied by a plain loop.
 */
export function copyFloats(from: Float32Array, fromOffset: number, to: Float32Array, toOffset: number, length: number): void {
  if (length >= MEMCPY_FROM) {
    to.set(from.subarray(fromOffset, fromOffset + length), toOffset);
    return;
  }
  for (let i = 0; i < length; i++) to[toOffset + i] = from[fromOffset + i];
}

/**
 * Copies a grid of rows x items pixels of `bytes` bytes between strided
 * layouts (byte addresses and strides): with SIMD loads and stores when a
 * pixel is a multiple of 16 bytes, else one memory.copy a pixel.
 */
export function copyPixelGrid(kernels: SimdKernels, src: number, srcRowStride: number, srcStep: number,
                              dst: number, dstRowStride: number, dstStep: number, rows: number, items: number, bytes: number): void {
  if (bytes % 16 === 0) {
    kernels.copyGrid(src, srcRowStride, srcStep, dst, dstRowStride, dstStep, rows, items, bytes);
    return;
  }
  // One pixel a row: the rows are copyRows' rows, in one call.
  if (items === 1) {
    kernels.copyRows(src, srcRowStride, dst, dstRowStride, rows, bytes);
    return;
  }
  for (let r = 0; r < rows; r++) kernels.copyRows(src + r * srcRowStride, srcStep, dst + r * dstRowStride, dstStep, items, bytes);
}

/** Images [N, H, W, C] and the zero-padded frame [N, Hp, Wp, C] they are copied into, at (top, left). */
export interface PaddedFrame {
  N: number; H: number; W: number; C: number;
  Hp: number; Wp: number; top: number; left: number;
}

/** Whether the frame is the images themselves (no padding, nothing cut): x can be read where it lies. */
export function padsNothing(frame: Pick<PaddedFrame, 'H' | 'W' | 'Hp' | 'Wp' | 'top' | 'left'>): boolean {
  return frame.top === 0 && frame.left === 0 && frame.Hp === frame.H && frame.Wp === frame.W;
}

/**
 * Runs `body` with the address of x as `frame` pads it, so that every tap of
 * a generated convolution reads inside it: x itself when the frame is x's
 * own size at (0, 0), else a copy into zeroed scratch. Rows and columns past
 * the frame ('valid' leaves some unread) are not copied.
 */
export function withPaddedImages<T>(backend: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, frame: PaddedFrame,
                                    body: (xp: number) => T): T {
  const {N, H, W, C, Hp, Wp, top, left} = frame;
  if (padsNothing(frame)) return body(backend.getMemoryOffset(x.dataId));
  const pixel = C * Float32Array.BYTES_PER_ELEMENT;
  return withScratch(backend, N * Hp * Wp * pixel, xp => {
    const rows = Math.min(H, Hp - top), columns = Math.min(W, Wp - left);
    const xAt = backend.getMemoryOffset(x.dataId);
    if (rows > 0 && columns > 0) {
      for (let b = 0; b < N; b++) {
        kernels.copyRows(xAt + b * H * W * pixel, W * pixel, xp + ((b * Hp + top) * Wp + left) * pixel, Wp * pixel, rows, columns * pixel);
      }
    }
    return body(xp);
  });
}

/** Whether `spreadPadded` covers the convolution: padding no wider than the filter less one. */
export function spreadFits(info: tf.backend_util.Conv2DInfo): boolean {
  return info.padInfo.top <= info.filterHeight - 1 && info.padInfo.left <= info.filterWidth - 1;
}

/**
 * dy of a convolution spread out by its stride into a zero-padded
 * [N, H + KH - 1, W + KW - 1, channels]: a stride-1 'valid' convolution of
 * it with the filter rotated by 180 degrees is the input gradient.
 */
export function spreadPadded(backend: BackendWasm, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const {batchSize: N, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW,
         strideHeight: sh, strideWidth: sw, filterHeight: KH, filterWidth: KW, padInfo} = info;
  const channels = dy.shape[3];
  if (!spreadFits(info)) throw new Error(`spreadPadded: padding ${padInfo.top}/${padInfo.left} exceeds the filter`);
  const top = KH - 1 - padInfo.top, left = KW - 1 - padInfo.left;
  const HP = H + KH - 1, WP = W + KW - 1;
  const spread = backend.makeOutput([N, HP, WP, channels], 'float32');
  zeroHeap(backend, backend.getMemoryOffset(spread.dataId), N * HP * WP * channels * Float32Array.BYTES_PER_ELEMENT);
  const kernels = simdKernels(backend);
  if (kernels != null) {
    // Rows of the output that land inside the padded grid; each copied with one memory.copy in wasm:
    // per image a run of whole rows at stride 1 in x, else per output row a run of single pixels.
    const rows = Math.min(OH, Math.ceil((HP - top) / sh)), columns = Math.min(OW, Math.ceil((WP - left) / sw));
    const F32 = Float32Array.BYTES_PER_ELEMENT, pixel = channels * F32;
    const dyAt = backend.getMemoryOffset(dy.dataId), spreadAt = backend.getMemoryOffset(spread.dataId);
    for (let n = 0; n < N; n++) {
      const from = dyAt + n * OH * OW * pixel, to = spreadAt + ((n * HP + top) * WP + left) * pixel;
      if (sw === 1) {
        kernels.copyRows(from, OW * pixel, to, sh * WP * pixel, rows, columns * pixel);
      } else {
        copyPixelGrid(kernels, from, OW * pixel, pixel, to, sh * WP * pixel, sw * pixel, rows, columns, pixel);
      }
    }
    return spread;
  }
  const DY = heapF32(backend, dy), S = heapF32(backend, spread);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const py = oy * sh + top;
      if (py >= HP) break;
      for (let ox = 0; ox < OW; ox++) {
        const px = ox * sw + left;
        if (px >= WP) break;
        copyFloats(DY, ((n * OH + oy) * OW + ox) * channels, S, ((n * HP + py) * WP + px) * channels, channels);
      }
    }
  }
  return spread;
}
