/**
 * Gradients of Conv2D for the wasm backend.
 *
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter at all, and its
 * Conv2DBackpropInput is a direct scalar loop. Both gradients are themselves
 * convolutions, which wasm runs on XNNPACK (SIMD, and threaded where the
 * backend's threads are on):
 *   dW = conv(x^T [Ci, H, W, N], dy^T [OH, OW, N, Co], dilation = stride)
 *        -> [Ci, KH, KW, Co], transposed to [KH, KW, Ci, Co]
 *   dX = conv(dy, W rotated by 180 degrees with its channel axes swapped),
 *        stride 1, one convolution per phase of the stride, each with the
 *        taps that phase meets (input-grad-phases.ts; without the package's
 *        SIMD kernels, one convolution of dy spread by the stride)
 * Where wabt was handed over (`useWabt`), dW is first the package's kernel
 * generated per geometry over the padded x (direct-filter-grad.ts). Else,
 * where it pays, one x^T @ dy per tap on the package's SIMD kernel
 * (filter-grad-taps.ts; at strides above 1, per phase of the stride).
 * Where those pay less (few input channels, 1x1 stride-1 convolutions) the
 * gradients are matrix products over the "column" matrix (P = N*OH*OW
 * output positions x K = KH*KW*Ci taps):
 *   dW [K, Co] = cols^T [K, P] @ dy [P, Co]
 *   dX        = col2im(dy [P, Co] @ W^T [Co, K])
 * The column matrix is built in place in the wasm heap, a batch chunk at a
 * time so that its memory stays bounded.
 */
import * as tf from '@tensorflow/tfjs-core';
import {type BackendWasm, getThreadsCount} from '@tensorflow/tfjs-backend-wasm';

import {
  checkWrite, copyFloats, disposeView, expectDepth, expectRank, expectShape, heapF32, heapView, input, reshaped, spreadFits,
  stockKernel, WasmKernel,
} from '../wasm/heap';
import {kernelPoolFor, runInputGradientByImages} from '../wasm/kernel-pool';
import {SimdKernels, simdKernels} from '../wasm/simd-kernels';
import {directConvolution, directConvolutionRuns} from './direct-conv';
import {directFilterGradient, directFilterGradientRuns} from './direct-filter-grad';
import {winogradFilterGradient, winogradFilterGradientPays} from './winograd-conv';
import {filterGradientByTaps, tapsRouteFits, tapsRoutePays} from './filter-grad-taps';
import {transposedProductsAnyWidth} from './padded-products';
import {ExplicitPadding, PhaseConvolution, inputGradientByPhases, inputGradientBySpread} from './input-grad-phases';
import {batchMatMul, transpose} from './matmul';

/**
 * Below this many input channels the filter gradient keeps im2col: x^T has
 * only Ci rows for XNNPACK to spread its work over (a 3-channel stem ran
 * 1.3-1.6x slower as a convolution; 8 channels already 1.3x faster).
 */
const MIN_CHANNELS_FOR_CONVOLUTION = 8;

/**
 * Below this many input channels (a network's stem) both gradients are the
 * package's SIMD kernels over the output channels (wasm/sources/conv-grads-few-channels.ts), when
 * those are a multiple of 4.
 */
const FEW_CHANNELS = 4;

let stockConv2D: WasmKernel | null = null;

/** Captures wasm's forward Conv2D; call before registering ours. */
export function captureStockConv(): void {
  stockConv2D ??= stockKernel('Conv2D');
}

/** Upper bound on the floats in one chunk's column matrix (64 MiB). */
const MAX_COLUMN_FLOATS = 16 * 1024 * 1024;

function convInfo(xShape: number[], filterShape: number[], attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo {
  const dataFormat = attrs['dataFormat'] as string | undefined;
  if (dataFormat != null && dataFormat !== 'NHWC') {
    throw new Error(`lab wasm conv gradient supports dataFormat NHWC only, got ${dataFormat}`);
  }
  return tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number], filterShape as [number, number, number, number],
      attrs['strides'] as [number, number] | number, 1,
      attrs['pad'] as 'valid' | 'same' | number, attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
      false, 'channelsLast');
}

/** Samples per chunk so that the column matrix stays under the bound. */
function chunkSize(info: tf.backend_util.Conv2DInfo): number {
  const perSample = info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels;
  return Math.max(1, Math.min(info.batchSize, Math.floor(MAX_COLUMN_FLOATS / perSample)));
}

/**
 * Writes the transposed column matrix [K, P] of samples [n0, n0 + count) of
 * `x`. Each tap (kh, kw) fills Ci rows, one sequential stream per channel.
 */
function im2colTransposed(
    x: Float32Array, cols: Float32Array, info: tf.backend_util.Conv2DInfo, n0: number, count: number): void {
  const {inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW,
         strideHeight: sh, strideWidth: sw, filterHeight: KH, filterWidth: KW, padInfo} = info;
  const P = count * OH * OW;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const rowBase = (kh * KW + kw) * C;
      let p = 0;
      for (let n = n0; n < n0 + count; n++) {
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * sh + kh - padInfo.top;
          for (let ox = 0; ox < OW; ox++, p++) {
            const ix = ox * sw + kw - padInfo.left;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
              for (let c = 0; c < C; c++) cols[(rowBase + c) * P + p] = 0;
              continue;
            }
            const xo = ((n * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) cols[(rowBase + c) * P + p] = x[xo + c];
          }
        }
      }
    }
  }
}

/** A 1x1, stride-1 convolution whose input rows are already the column matrix. */
function isPointwise(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 &&
      info.outHeight === info.inHeight && info.outWidth === info.inWidth && info.padInfo.top === 0 && info.padInfo.left === 0;
}

/**
 * dW as one forward convolution on XNNPACK: the batch becomes the channel
 * axis that is summed over, and dy is the filter, dilated by the stride.
 */
function filterGradientByConvolution(
    x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, backend: BackendWasm): tf.TensorInfo {
  const {inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw,
         filterHeight: KH, filterWidth: KW, padInfo} = info;
  // Padding that makes the output exactly KH x KW. It is negative where
  // 'valid' leaves the last rows or columns of x unread; those are cropped.
  const bottom = (OH - 1) * sh + KH - H - padInfo.top;
  const right = (OW - 1) * sw + KW - W - padInfo.left;
  const temporaries: tf.TensorInfo[] = [];
  let source = x;
  if (bottom < 0 || right < 0) {
    const [N, , , C] = x.shape;
    source = cropped(x, [N, H + Math.min(bottom, 0), W + Math.min(right, 0), C], backend);
    temporaries.push(source);
  }
  const xT = transpose(source, [3, 1, 2, 0], backend);  // [Ci, H, W, N]
  const dyT = transpose(dy, [1, 2, 0, 3], backend);      // [OH, OW, N, Co]
  temporaries.push(xT, dyT);
  const pad = [[0, 0], [padInfo.top, Math.max(bottom, 0)], [padInfo.left, Math.max(right, 0)], [0, 0]];
  const byInput = stockConv2D!({
    inputs: {x: xT, filter: dyT}, backend,
    attrs: {strides: [1, 1], pad, dilations: [sh, sw], dataFormat: 'NHWC'},
  });  // [Ci, KH, KW, Co]
  temporaries.push(byInput);
  const dw = transpose(byInput, [1, 2, 0, 3], backend);
  for (const t of temporaries) backend.disposeData(t.dataId);
  return dw;
}

/** The leading [N, h, w, C] corner of an NHWC tensor, copied. */
function cropped(x: tf.TensorInfo, shape: number[], backend: BackendWasm): tf.TensorInfo {
  const [N, H, W, C] = x.shape;
  const [, h, w] = shape;
  const out = backend.makeOutput(shape, 'float32');
  const X = heapF32(backend, x), O = heapF32(backend, out);
  for (let n = 0; n < N; n++) {
    for (let y = 0; y < h; y++) {
      copyFloats(X, ((n * H + y) * W) * C, O, ((n * h + y) * w) * C, w * C);
    }
  }
  return out;
}

/** The wasm backend's thread count (the module is loaded whenever a wasm kernel runs). */
function wasmThreads(): number {
  return getThreadsCount();
}

let forcedFilterRoute: 'taps' | 'convolution' | null = null;

/**
 * Runs `body` with every filter gradient the taps route covers taken by
 * `route`, whether it pays or not (and none by the generated kernel), so
 * that tests check both routes on the same shapes and benchmarks time them.
 */
export async function withFilterGradientRoute<T>(route: 'taps' | 'convolution', body: () => Promise<T>): Promise<T> {
  forcedFilterRoute = route;
  try {
    return await body();
  } finally {
    forcedFilterRoute = null;
  }
}

export const conv2DBackpropFilter: WasmKernel = ({inputs, backend, attrs}) => {
  const x = input(inputs, 'x'), dy = input(inputs, 'dy');
  const filterShape = attrs['filterShape'] as number[];
  expectRank('conv2dDerFilter', 'input', x.shape, 4);
  expectRank('conv2dDerFilter', 'filterShape', filterShape, 4);
  expectDepth('conv2dDerFilter', x.shape, filterShape);
  const info = convInfo(x.shape, filterShape, attrs);
  const {batchSize: N, outHeight: OH, outWidth: OW, outChannels: Co} = info;
  expectShape('conv2dDerFilter', 'dy', dy, [N, OH, OW, Co], ` (the convolution's output for input [${x.shape.join(', ')}])`);
  if (isPointwise(info)) {
    // x is [P, Ci] as it lies: dW = x^T @ dy.
    const P = N * OH * OW;
    const kernels = simdKernels(backend);
    if (kernels != null) {
      // The package's SIMD kernel reads x and dy in place (XNNPACK would need x
      // transposed and dy packed, two copies of the activations); channel
      // counts that are not a multiple of 4 through padded copies.
      const dw = backend.makeOutput(filterShape, 'float32');
      checkWrite('Conv2DBackpropFilter', info.inChannels * Co, dw.shape);
      transposedProductsAnyWidth(backend, kernels, backend.getMemoryOffset(x.dataId), backend.getMemoryOffset(dy.dataId),
                                 backend.getMemoryOffset(dw.dataId), P, info.inChannels, Co);
      return dw;
    }
    // Without the SIMD kernels, wasm's transpose and XNNPACK's matmul (1.4-2.5x
    // faster than the JS im2col on MobileNet and CondenseNet shapes).
    const dw = batchMatMul(reshaped(x, [1, P, info.inChannels]), reshaped(dy, [1, P, Co]), true, false, backend);
    return reshaped(dw, filterShape);
  }
  const kernels = simdKernels(backend);
  if (kernels != null && forcedFilterRoute == null && directFilterGradientRuns(backend, info)) {
    // Winograd's where it pays, else (or where its geometry did not compile) the generated direct gradient.
    const dw = (winogradFilterGradientPays(info) ? winogradFilterGradient(backend, kernels, x, dy, info) : null) ??
        directFilterGradient(backend, kernels, x, dy, info, filterShape);
    if (dw != null) return dw;
  }
  if (kernels != null && tapsRouteFits(info) && forcedFilterRoute !== 'convolution' &&
      (forcedFilterRoute === 'taps' || tapsRoutePays(info, kernelPoolFor(backend) != null ? 1 : wasmThreads()))) {
    return filterGradientByTaps(backend, kernels, x, dy, info, filterShape);
  }
  if (stockConv2D != null && info.inChannels >= MIN_CHANNELS_FOR_CONVOLUTION) {
    return filterGradientByConvolution(x, dy, info, backend);
  }
  // A stem (fewer than 4 input channels): the package's SIMD products of x and dy in place.
  if (info.inChannels < FEW_CHANNELS && Co % 4 === 0 && kernels != null) {
    const dw = backend.makeOutput(filterShape, 'float32');
    checkWrite('Conv2DBackpropFilter', info.filterHeight * info.filterWidth * info.inChannels * Co, dw.shape);
    const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
    kernels.fewChannelFilterGrad(at(x), at(dy), at(dw), N, info.inHeight, info.inWidth, info.inChannels, OH, OW, Co,
                                 info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left);
    return dw;
  }
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const chunk = chunkSize(info);
  let dw: tf.TensorInfo | null = null;
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const count = Math.min(chunk, N - n0);
    const P = count * OH * OW;
    const cols = backend.makeOutput([1, K, P], 'float32');
    im2colTransposed(heapF32(backend, x), heapF32(backend, cols), info, n0, count);
    const dyChunk = heapView(backend, dy, n0 * OH * OW * Co, [1, P, Co]);
    const part = reshaped(batchMatMul(cols, dyChunk, false, false, backend), filterShape);
    backend.disposeData(cols.dataId);
    disposeView(backend, dyChunk);
    if (dw == null) {
      dw = part;
      continue;
    }
    // Views are taken after the matmul, which may have grown the heap.
    const total = heapF32(backend, dw);
    const partValues = heapF32(backend, part);
    for (let i = 0; i < total.length; i++) total[i] += partValues[i];
    backend.disposeData(part.dataId);
  }
  return dw!;
};

/**
 * The filter of the phase meeting taps `rows` x `cols` (in the order the
 * phase reads them, last tap first), channel axes swapped:
 * phase[u, v, co, c] = W[rows[u], cols[v], c, co]. With every tap, reversed,
 * it is the filter rotated by 180 degrees.
 */
function phaseFilter(backend: BackendWasm, filter: tf.TensorInfo, rows: readonly number[], cols: readonly number[]): tf.TensorInfo {
  const [, KW, C, Co] = filter.shape;
  const phase = backend.makeOutput([rows.length, cols.length, Co, C], 'float32');
  const kernels = simdKernels(backend);
  // Each tap's [C, Co] transposed to [Co, C]: on the SIMD module where it is loaded.
  const transposeTap = kernels != null ? transposeInHeap(backend, kernels, filter, phase) : transposeInViews(backend, filter, phase);
  rows.forEach((kh, u) => cols.forEach((kw, v) => transposeTap((kh * KW + kw) * C * Co, (u * cols.length + v) * Co * C, C, Co)));
  return phase;
}

/** Tap transposes by the SIMD module's `transposeFloats`, float offsets `from` in filter and `to` in phase. */
function transposeInHeap(backend: BackendWasm, kernels: SimdKernels, filter: tf.TensorInfo, phase: tf.TensorInfo):
    (from: number, to: number, C: number, Co: number) => void {
  const F32 = Float32Array.BYTES_PER_ELEMENT;
  // Addresses after the output's allocation: it may have grown the heap.
  const filterAt = backend.getMemoryOffset(filter.dataId), phaseAt = backend.getMemoryOffset(phase.dataId);
  return (from, to, C, Co) => kernels.transposeFloats(filterAt + from * F32, phaseAt + to * F32, C, Co);
}

/** The same in JavaScript over views of the heap, where the SIMD kernels did not load. */
function transposeInViews(backend: BackendWasm, filter: tf.TensorInfo, phase: tf.TensorInfo): (from: number, to: number, C: number, Co: number) => void {
  const F = heapF32(backend, filter), P = heapF32(backend, phase);
  return (from, to, C, Co) => {
    for (let c = 0; c < C; c++) {
      for (let co = 0; co < Co; co++) P[to + co * C + c] = F[from + c * Co + co];
    }
  };
}

/** A stride-1 convolution on the package's generated kernel (direct-conv.ts), or null where that does not run. */
function directStride1(backend: BackendWasm, source: tf.TensorInfo, filter: tf.TensorInfo, pad: ExplicitPadding | 'valid'): tf.TensorInfo | null {
  const info = tf.backend_util.computeConv2DInfo(
      source.shape as [number, number, number, number], filter.shape as [number, number, number, number], 1, 1, pad);
  return directConvolution(backend, source, filter, null, info, 'linear');
}

/**
 * The convolution the input-gradient routes (input-grad-phases.ts) need: the phases' filters and a stride-1
 * convolution, the package's generated one where it runs, else XNNPACK's.
 */
function phaseConvolution(backend: BackendWasm, filter: tf.TensorInfo): PhaseConvolution {
  return {
    channels: filter.shape[2],
    phaseFilter: (rows, cols) => phaseFilter(backend, filter, rows, cols),
    convolve: (source, phase, pad) => directStride1(backend, source, phase, pad) ?? stockConv2D!({
      inputs: {x: source, filter: phase}, backend, attrs: {strides: [1, 1], pad, dilations: [1, 1], dataFormat: 'NHWC'},
    }),
  };
}

let stockBackpropInput: WasmKernel | null = null;

/** Captures wasm's own Conv2DBackpropInput; call before registering ours. */
export function captureStockBackpropInput(): void {
  stockBackpropInput ??= stockKernel('Conv2DBackpropInput');
}

export const conv2DBackpropInput: WasmKernel = args => {
  const {inputs, backend, attrs} = args;
  const dy = input(inputs, 'dy'), filter = input(inputs, 'filter');
  const inputShape = attrs['inputShape'] as number[];
  expectRank('conv2dDerInput', 'inShape', inputShape, 4);
  expectRank('conv2dDerInput', 'filter', filter.shape, 4);
  expectDepth('conv2dDerInput', inputShape, filter.shape);
  const info = convInfo(inputShape, filter.shape, attrs);
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: Co,
         strideHeight: sh, strideWidth: sw, filterHeight: KH, filterWidth: KW, padInfo} = info;
  // conv2dTranspose lets dy's shape differ from the forward output's: the cpu
  // and stock kernels then read the window of dy the output covers. Ours read
  // dy as if it had the expected shape, so such calls go to the stock kernel.
  if (dy.shape.length !== 4 || dy.shape[0] !== N || dy.shape[1] !== OH || dy.shape[2] !== OW || dy.shape[3] !== Co) {
    if (stockBackpropInput == null) {
      throw new Error(`lab wasm Conv2DBackpropInput: dy has shape [${dy.shape}], expected [${[N, OH, OW, Co]}] for input [${inputShape}]`);
    }
    return stockBackpropInput(args);
  }
  const K = KH * KW * C;
  const weights = reshaped(filter, [1, K, Co]);
  if (isPointwise(info)) {
    // dx = dy @ W^T: a 1x1 convolution of dy with the filter's channel axes swapped where the package's
    // kernel pays (0.54-0.61 of the matmul's time on MobileNet v1's shapes), else XNNPACK's matmul.
    // The filter is transposed only where that kernel will run.
    if (directConvolutionRuns(backend, tf.backend_util.computeConv2DInfo([N, H, W, Co], [1, 1, Co, C], 1, 1, 'valid'))) {
      const transposed = phaseFilter(backend, filter, [0], [0]);
      const direct = directStride1(backend, dy, transposed, 'valid');
      backend.disposeData(transposed.dataId);
      if (direct != null) return direct;
    }
    const dx = batchMatMul(reshaped(dy, [1, N * H * W, Co]), weights, false, true, backend);
    return reshaped(dx, inputShape);
  }
  // With fewer than 4 input channels (a network's stem: dx of the image,
  // which tf.fused.conv2d computes even though nothing needs it) the
  // convolution below would have 1-3 output channels, XNNPACK's weakest
  // shape (6 ms for [64, 28, 28, 1] from 16 channels at stride 2): the
  // the package's kernel takes dot products over dy's channels instead.
  const kernels = simdKernels(backend);
  if (C < FEW_CHANNELS && Co % 4 === 0 && kernels != null) {
    const dx = backend.makeOutput(inputShape, 'float32');
    checkWrite('Conv2DBackpropInput', N * H * W * C, dx.shape);
    const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
    runInputGradientByImages(backend, kernels, 'fewChannelInputGrad', at(dy), at(filter), at(dx), N,
                             {H, W, C, OH, OW, Co, KH, KW, sh, sw, padTop: padInfo.top, padLeft: padInfo.left});
    return dx;
  }
  if (stockConv2D != null && kernels != null) {
    return inputGradientByPhases(backend, kernels, dy, info, phaseConvolution(backend, filter));
  }
  if (stockConv2D != null && spreadFits(info)) {
    return inputGradientBySpread(backend, dy, info, phaseConvolution(backend, filter));
  }
  const dx = backend.makeOutput(inputShape, 'float32');
  heapF32(backend, dx).fill(0);
  const chunk = chunkSize(info);
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const count = Math.min(chunk, N - n0);
    const P = count * OH * OW;
    const dyChunk = heapView(backend, dy, n0 * OH * OW * Co, [1, P, Co]);
    const cols = batchMatMul(dyChunk, weights, false, true, backend);  // [1, P, K]
    disposeView(backend, dyChunk);
    const colValues = heapF32(backend, cols);
    const out = heapF32(backend, dx);
    let o = 0;
    for (let n = n0; n < n0 + count; n++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          for (let kh = 0; kh < KH; kh++) {
            const iy = oy * sh + kh - padInfo.top;
            for (let kw = 0; kw < KW; kw++, o += C) {
              const ix = ox * sw + kw - padInfo.left;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              const xo = ((n * H + iy) * W + ix) * C;
              for (let c = 0; c < C; c++) out[xo + c] += colValues[o + c];
            }
          }
        }
      }
    }
    backend.disposeData(cols.dataId);
  }
  return dx;
};
