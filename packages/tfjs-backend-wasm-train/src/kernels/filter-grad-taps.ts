/**
 * The filter gradient of a stride-1 convolution as one x^T @ dy product
 * per tap, on the package's SIMD `transposedProducts` (the 1x1 filter
 * gradient's kernel), with no im2col.
 *
 * x and dy are copied into one zero-padded grid each, Gw = W + max(pad
 * left, pad right) pixels wide and Gh = H + max(pad top, pad bottom) rows an
 * image: a row's right padding is the next row's left padding, an image's
 * bottom padding the next image's top. dy sits at (oy, ox) of its grid, x
 * shifted by the padding. Then tap (kh, kw) of dW is
 *   sum over every grid pixel p of xGrid[p + kh*Gw + kw]^T dy[p]
 * (where dy's grid is zero, nothing is added; where the shifted read lands
 * in padding, x is zero): contiguous rows of both, as transposedProducts
 * reads them. The padding costs Gh*Gw / (OH*OW) more multiply-adds (1.15x
 * at 14x14 with a 3x3 filter, 1.56x at 4x4).
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {checkWrite} from '../wasm/heap';
import {SimdKernels} from '../wasm/simd-kernels';

/**
 * Above this many multiply-adds per padded grid pixel, waste (grid pixels
 * against output pixels) or inputs x outputs, XNNPACK's route
 * (conv-grads.ts) is as fast or faster. Measured 2026-12-03 (AMD EPYC, batch
 * 64, median of 30 calls of each route interleaved): at one thread taps
 * took 8.1 against 13.7 ms at [14, 14, 32] -> 32, 9.0 against 12.1 at
 * [7, 7, 64] -> 64 and tied at [4, 4, 128] -> 128 (waste 1.56); at two
 * threads XNNPACK's route uses both cores and this one does not: taps still
 * won at [14, 14, 16] -> 24 (2.7 against 4.1 ms) and a 1x3 at [7, 7, 24] ->
 * 32 (0.47 against 0.90), tied at 32 -> 32, and lost at 64 -> 64 (10.3
 * against 7.8).
 */
const MAX_WASTE = 1.4;
const MAX_PRODUCTS_WITH_THREADS = 32 * 32;

/** The padded grid's size: Gw = W + max(left, right), Gh = H + max(top, bottom). */
function gridOf(info: tf.backend_util.Conv2DInfo): {Gh: number; Gw: number} {
  const {inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW, padInfo} = info;
  const padBottom = Math.max(0, OH + KH - 1 - H - padInfo.top), padRight = Math.max(0, OW + KW - 1 - W - padInfo.left);
  return {Gh: H + Math.max(padInfo.top, padBottom), Gw: W + Math.max(padInfo.left, padRight)};
}

/** Whether the taps route computes the convolution's filter gradient: stride and dilation 1, channels as transposedProducts tiles them (4 x 8). */
export function tapsRouteFits(info: tf.backend_util.Conv2DInfo): boolean {
  return info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 &&
      info.inChannels % 4 === 0 && info.outChannels % 8 === 0;
}

/** Whether it also pays there, at `threads` wasm threads (see MAX_WASTE). */
export function tapsRoutePays(info: tf.backend_util.Conv2DInfo, threads: number): boolean {
  const {Gh, Gw} = gridOf(info);
  if (Gh * Gw > MAX_WASTE * info.outHeight * info.outWidth) return false;
  return threads === 1 || info.inChannels * info.outChannels < MAX_PRODUCTS_WITH_THREADS;
}

export function filterGradientByTaps(backend: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, dy: tf.TensorInfo,
                                     info: tf.backend_util.Conv2DInfo, filterShape: number[]): tf.TensorInfo {
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outHeight: OH, outWidth: OW, outChannels: Co,
         filterHeight: KH, filterWidth: KW, padInfo} = info;
  const {Gh, Gw} = gridOf(info);
  const F32 = Float32Array.BYTES_PER_ELEMENT;
  // Pixels of the grids: every image's frame, and for x the reads of the last taps past the last frame.
  const gridPixels = N * Gh * Gw;
  const xGrid = backend.makeOutput([(N * Gh + KH) * Gw + KW, Ci], 'float32');
  const dyGrid = backend.makeOutput([gridPixels, Co], 'float32');
  const dw = backend.makeOutput(filterShape, 'float32');
  checkWrite('Conv2DBackpropFilter', KH * KW * Ci * Co, dw.shape);
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  kernels.zeroBytes(at(xGrid), xGrid.shape[0] * Ci * F32);
  kernels.zeroBytes(at(dyGrid), gridPixels * Co * F32);
  for (let n = 0; n < N; n++) {
    kernels.copyRows(at(x) + n * H * W * Ci * F32, W * Ci * F32,
                     at(xGrid) + ((n * Gh + padInfo.top) * Gw + padInfo.left) * Ci * F32, Gw * Ci * F32, H, W * Ci * F32);
    kernels.copyRows(at(dy) + n * OH * OW * Co * F32, OW * Co * F32, at(dyGrid) + n * Gh * Gw * Co * F32, Gw * Co * F32, OH, OW * Co * F32);
  }
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      kernels.transposedProducts(at(xGrid) + (kh * Gw + kw) * Ci * F32, at(dyGrid), at(dw) + (kh * KW + kw) * Ci * Co * F32,
                                 gridPixels, Ci, Co);
    }
  }
  backend.disposeData(xGrid.dataId);
  backend.disposeData(dyGrid.dataId);
  return dw;
}
