/**
 * Gradients of Conv2D for the wasm backend, as im2col + one XNNPACK matmul.
 *
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter at all, and its
 * Conv2DBackpropInput is a direct scalar loop. Both become matrix products
 * over the "column" matrix of the convolution (P = N*OH*OW output positions
 * x K = KH*KW*Ci taps):
 *   dW [K, Co] = cols^T [K, P] @ dy [P, Co]
 *   dX        = col2im(dy [P, Co] @ W^T [Co, K])
 * The column matrix is built in place in the wasm heap, a batch chunk at a
 * time so that its memory stays bounded.
 */
import * as tf from '@tensorflow/tfjs';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {disposeView, heapF32, heapView, input, reshaped, WasmKernel} from './heap';
import {batchMatMul} from './matmul';

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

export const conv2DBackpropFilter: WasmKernel = ({inputs, backend, attrs}) => {
  const x = input(inputs, 'x'), dy = input(inputs, 'dy');
  const filterShape = attrs['filterShape'] as number[];
  const info = convInfo(x.shape, filterShape, attrs);
  const {batchSize: N, outHeight: OH, outWidth: OW, outChannels: Co} = info;
  if (isPointwise(info)) {
    // x is [P, Ci] as it lies: dW = x^T @ dy, with wasm's transpose instead
    // of the JS im2col (1.4-2.5x faster on MobileNet and CondenseNet shapes).
    const P = N * OH * OW;
    const dw = batchMatMul(reshaped(x, [1, P, info.inChannels]), reshaped(dy, [1, P, Co]), true, false, backend);
    return reshaped(dw, filterShape);
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

export const conv2DBackpropInput: WasmKernel = ({inputs, backend, attrs}) => {
  const dy = input(inputs, 'dy'), filter = input(inputs, 'filter');
  const inputShape = attrs['inputShape'] as number[];
  const info = convInfo(inputShape, filter.shape, attrs);
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: Co,
         strideHeight: sh, strideWidth: sw, filterHeight: KH, filterWidth: KW, padInfo} = info;
  const K = KH * KW * C;
  const weights = reshaped(filter, [1, K, Co]);
  if (isPointwise(info)) {
    const dx = batchMatMul(reshaped(dy, [1, N * H * W, Co]), weights, false, true, backend);
    return reshaped(dx, inputShape);
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
