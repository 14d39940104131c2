/**
 * DepthwiseConv2dNative on wasm as the package's kernel generated per
 * geometry (wasm/sources/depthwise-conv.ts) for the shapes the lab's
 * networks use: 3x3 at stride 1 or 2, any padding, depth multiplier 1,
 * channels in multiples of 4, or 16 or more (padded with zeros to whole
 * vectors of 4 around the kernel: `onWholeVectors`). The input gradient at stride 1 with one
 * pixel of padding all round is the same kernel over dy with the filter
 * turned (depthwise-grads.ts). Images are split over the kernel pool as
 * the generated convolutions' are. Elsewhere (other shapes, no SIMD
 * kernels, switched off) the stock kernel runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {WasmKernel, expectRank, input, stockKernel} from '../wasm/heap';
import {runGeneratedByImageRanges, runGeneratedByImages} from '../wasm/kernel-pool';
import {GeneratedModules} from '../wasm/generated-modules';
import {OffSwitch} from '../wasm/off-switch';
import {GeneratedModule, SimdKernels, simdKernels, withScratch} from '../wasm/simd-kernels';
import {DepthwiseConvShape, depthwiseConvModuleText} from '../wasm/sources/depthwise-conv';
import {wholeVectors} from '../wasm/sources/loops';

const F32 = Float32Array.BYTES_PER_ELEMENT;

/** Off: XNNPACK's depthwise convolution and the input gradient's earlier route (`withoutGeneratedDepthwise`). */
const generatedDepthwise = new OffSwitch();

/** Runs `body` with the generated depthwise kernel off: how tests and benchmarks compare it with the routes it replaced. */
export function withoutGeneratedDepthwise<T>(body: () => Promise<T> | T): Promise<T> {
  return generatedDepthwise.offWhile(body);
}

const modules = new GeneratedModules<DepthwiseConvShape>('depthwise-conv', depthwiseConvModuleText, "XNNPACK's");

/** The geometries compiled so far in this process (tests check the kernel ran). */
export function compiledDepthwiseGeometries(): string[] {
  return modules.geometries();
}

/**
 * Whether the generated kernel covers `info` (a depthwise convolution's,
 * from computeConv2DInfo) on `backend`: 3x3, the same stride both ways (1
 * or 2), no dilation, multiplier 1, channels in multiples of 4 or 16 or more
 * (padded to whole vectors: `onWholeVectors`); turned
 * (`rotated`, the input gradient), stride 1 padded by one all round.
 */
export function generatedDepthwiseRuns(backend: BackendWasm, info: tf.backend_util.Conv2DInfo, rotated = false): boolean {
  const {filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, inChannels, outChannels, padInfo} = info;
  const covered = filterHeight === 3 && filterWidth === 3 && strideHeight === strideWidth && (strideHeight === 1 || strideHeight === 2) &&
      dilationHeight === 1 && dilationWidth === 1 && inChannels === outChannels &&
      (inChannels % 4 === 0 || inChannels >= MIN_PADDED_CHANNELS);
  const turnable = strideHeight === 1 && padInfo.top === 1 && padInfo.bottom === 1 && padInfo.left === 1 && padInfo.right === 1;
  return !generatedDepthwise.isOff && simdKernels(backend) != null && covered && (!rotated || turnable);
}

/**
 * From this many channels a count that is not a multiple of 4 is padded
 * to one (at most 3 of 19 or more lanes wasted): Xception α 0.25's 182
 * channels ran on XNNPACK at 0.8-4.3 GMAC/s, its forward pass stalling at
 * two threads on calls of 0.4 million multiply-adds (2026-12-06).
 */
const MIN_PADDED_CHANNELS = 16;

/**
 * Runs `body` on copies of `tensors` (each rows of C floats: x [N, H, W,
 * C], dy, the filter [3, 3, C, 1] as 9 rows) padded with zeros to rows of
 * C4 = C rounded up to 4, with `info` saying C4 channels, and returns its
 * result (rows of C4) cut back to rows of C, shaped `shape`. Depthwise
 * channels never meet, so the padding's only reach is the outputs it
 * adds, which are dropped. Where C is a multiple of 4, `body` runs on the
 * tensors as they are.
 */
function onWholeVectors(backend: BackendWasm, kernels: SimdKernels, info: tf.backend_util.Conv2DInfo, tensors: readonly tf.TensorInfo[],
                        shape: number[], body: (padded: tf.TensorInfo[], info: tf.backend_util.Conv2DInfo) => tf.TensorInfo | null):
    tf.TensorInfo | null {
  const C = info.inChannels, C4 = wholeVectors(C);
  if (C4 === C) return body([...tensors], info);
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  const rowsOf = (t: tf.TensorInfo) => tf.util.sizeFromShape(t.shape) / C;
  const padded = tensors.map(t => {
    const copy = backend.makeOutput([rowsOf(t), C4], 'float32');
    kernels.zeroBytes(at(copy), rowsOf(t) * C4 * F32);
    kernels.copyRows(at(t), C * F32, at(copy), C4 * F32, rowsOf(t), C * F32);
    return copy;
  });
  const result = body(padded, {...info, inChannels: C4, outChannels: C4});
  let out: tf.TensorInfo | null = null;
  if (result != null) {
    out = backend.makeOutput(shape, 'float32');
    kernels.copyRows(at(result), C4 * F32, at(out), C * F32, tf.util.sizeFromShape(shape) / C, C * F32);
    backend.disposeData(result.dataId);
  }
  for (const t of padded) backend.disposeData(t.dataId);
  return out;
}

/** The SIMD kernels and `info`'s module (turned or not); null where the generated kernel does not run or did not compile. */
function compiled(backend: BackendWasm, info: tf.backend_util.Conv2DInfo, rotated: boolean):
    {kernels: SimdKernels; module: GeneratedModule} | null {
  const kernels = simdKernels(backend);
  if (kernels == null || !generatedDepthwiseRuns(backend, info, rotated)) return null;
  const {inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, strideHeight: stride, padInfo} = info;
  const module = modules.moduleFor(backend, kernels, {H, W, C, OH, OW, stride, top: padInfo.top, left: padInfo.left, rotated});
  return module == null ? null : {kernels, module};
}

/**
 * Runs the module's per-image `kernel` (forward or inputGradient: from, w,
 * to, N) over the batch, split over the kernel pool by images: from
 * `source` (images of `fromShape`) into a new tensor of images of `toShape`.
 */
function runPerImage(backend: BackendWasm, info: tf.backend_util.Conv2DInfo, rotated: boolean, kernel: string, source: tf.TensorInfo,
                  filter: tf.TensorInfo, fromShape: number[], toShape: number[]): tf.TensorInfo | null {
  const generated = compiled(backend, info, rotated);
  if (generated == null) return null;
  const {batchSize: N, outHeight: OH, outWidth: OW, inChannels: C} = info;
  const out = backend.makeOutput([N, ...toShape], 'float32');
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  runGeneratedByImages(backend, generated.kernels, generated.module, kernel, at(source), [at(filter)], at(out), N,
                       tf.util.sizeFromShape(fromShape) * F32, tf.util.sizeFromShape(toShape) * F32, N * OH * OW * C * 9);
  return out;
}

/**
 * `source` [N, H, W, C] convolved depthwise with the 3x3 filter at
 * `filter` ([3, 3, C, 1], turned by 180 degrees where `rotated`) as `info`
 * says, into a new [N, OH, OW, C] tensor; null where
 * `generatedDepthwiseRuns` says no or the geometry did not compile (the
 * caller computes it another way).
 */
export function generatedDepthwiseConvolution(backend: BackendWasm, source: tf.TensorInfo, filter: tf.TensorInfo,
                                              info: tf.backend_util.Conv2DInfo, rotated: boolean): tf.TensorInfo | null {
  const kernels = simdKernels(backend);
  if (kernels == null || !generatedDepthwiseRuns(backend, info, rotated)) return null;
  const {batchSize: N, outHeight: OH, outWidth: OW, inChannels: C} = info;
  return onWholeVectors(backend, kernels, info, [source, filter], [N, OH, OW, C], ([from, w], whole) => {
    const {inHeight: H, inWidth: W, inChannels: C4} = whole;
    return runPerImage(backend, whole, rotated, 'forward', from, w, [H, W, C4], [OH, OW, C4]);
  });
}

/**
 * The input gradient [N, H, W, C] of a strided convolution `info`
 * describes, from dy and the filter, on the generated module's
 * `inputGradient` (each input pixel gathering the taps that read it);
 * null at stride 1 (the turned forward kernel serves there), where
 * `generatedDepthwiseRuns` says no, or where the geometry did not compile.
 */
export function generatedDepthwiseInputGradient(backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo,
                                                info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const kernels = simdKernels(backend);
  if (info.strideHeight === 1 || kernels == null || !generatedDepthwiseRuns(backend, info)) return null;
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: C} = info;
  return onWholeVectors(backend, kernels, info, [dy, filter], [N, H, W, C], ([from, w], whole) => {
    const {outHeight: OH, outWidth: OW, inChannels: C4} = whole;
    return runPerImage(backend, whole, false, 'inputGradient', from, w, [OH, OW, C4], [H, W, C4]);
  });
}

/**
 * The filter gradient [3, 3, C, 1] of the convolution `info` describes,
 * from its input x and output gradient dy, on the generated module's
 * `filterGradient`, split over the kernel pool by channels (by images, the
 * order of the float64 sums would follow the thread count); null where
 * `generatedDepthwiseRuns` says no or the geometry did not compile.
 */
export function generatedDepthwiseFilterGradient(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo,
                                                 info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const kernels = simdKernels(backend);
  if (kernels == null || !generatedDepthwiseRuns(backend, info)) return null;
  return onWholeVectors(backend, kernels, info, [x, dy], [3, 3, info.inChannels, 1],
                        ([from, gradient], whole) => filterGradientOnWholeVectors(backend, from, gradient, whole));
}

/** `generatedDepthwiseFilterGradient` where the channels are a multiple of 4. */
function filterGradientOnWholeVectors(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo,
                                      info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const generated = compiled(backend, info, false);
  if (generated == null) return null;
  const {kernels, module} = generated;
  const {batchSize: N, inChannels: C, outHeight: OH, outWidth: OW} = info;
  const out = backend.makeOutput([3, 3, C, 1], 'float32');
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  withScratch(backend, 9 * C * Float64Array.BYTES_PER_ELEMENT, acc => {
    kernels.zeroBytes(acc, 9 * C * Float64Array.BYTES_PER_ELEMENT);
    // Split by vectors of 4 channels: each channel's sums are one thread's, in one order, whatever the thread count.
    runGeneratedByImageRanges(backend, kernels, module, 'filterGradient', C / 4, N * OH * OW * C * 9, 1,
                              (v0, count) => [at(x), at(dy), acc, N, v0 * 16, (v0 + count) * 16]);
    kernels.narrow(acc, at(out), 9 * C);
  });
  return out;
}

/** DepthwiseConv2dNative: the generated kernel where it covers the shape, else `stock`. */
export function depthwiseConv2dKernel(stock: WasmKernel): WasmKernel {
  return args => {
    const x = input(args.inputs, 'x'), filter = input(args.inputs, 'filter');
    expectRank('DepthwiseConv2dNative', 'x', x.shape, 4);
    expectRank('DepthwiseConv2dNative', 'filter', filter.shape, 4);
    const dataFormat = args.attrs['dataFormat'] as string | undefined;
    if ((dataFormat != null && dataFormat !== 'NHWC') || x.dtype !== 'float32' || filter.dtype !== 'float32' ||
        x.shape[3] !== filter.shape[2]) {
      return stock(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
        args.attrs['strides'] as [number, number] | number, (args.attrs['dilations'] as [number, number] | number) ?? 1,
        args.attrs['pad'] as 'valid' | 'same' | number, args.attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined, true);
    return generatedDepthwiseConvolution(args.backend, x, filter, info, false) ?? stock(args);
  };
}

/** The stock kernel the wrapper falls back to, captured before the package's replaces it. */
export function depthwiseConvKernels(): {DepthwiseConv2dNative: WasmKernel} {
  return {DepthwiseConv2dNative: depthwiseConv2dKernel(stockKernel('DepthwiseConv2dNative'))};
}
