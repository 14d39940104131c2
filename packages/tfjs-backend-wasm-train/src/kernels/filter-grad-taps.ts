/**
 * The filter gradient of a convolution as one x^T @ dy product per tap, on
 * the package's SIMD `transposedProducts` (the 1x1 filter gradient's
 * kernel), with no im2col. Where kernels can be generated at run time the
 * generated filter gradient (direct-filter-grad.ts) runs instead: it reads
 * no grids.
 *
 * Stride 1: x and dy are copied into one zero-padded grid each, Gw = W +
 * max(pad left, pad right) pixels wide and Gh = H + max(pad top, pad bottom)
 * rows an image: a row's right padding is the next row's left padding, an
 * image's bottom padding the next image's top. dy sits at (oy, ox) of its
 * grid, x shifted by the padding. Then tap (kh, kw) of dW is
 *   sum over every grid pixel p of xGrid[p + kh*Gw + kw]^T dy[p]
 * (where dy's grid is zero, nothing is added; where the shifted read lands
 * in padding, x is zero): contiguous rows of both, as transposedProducts
 * reads them. The padding costs Gh*Gw / (OH*OW) more multiply-adds (1.15x
 * at 14x14 with a 3x3 filter, 1.56x at 4x4).
 *
 * Stride s > 1: tap kh = s*qh + rh reads padded row s*(oy + qh) + rh, so the
 * padded x split into its s x s phases (phase (rh, rw) holds the pixels at
 * rows s*a + rh, columns s*b + rw) makes every tap a stride-1 shift (qh, qw)
 * of its phase. Each phase is gathered into a grid of OH + ceil(KH/s) - 1
 * rows by OW + ceil(KW/s) - 1 columns an image, dy into a grid of the same
 * size, and each tap is then one product as at stride 1. One phase's grid
 * is built at a time, so the scratch is one phase of x, not x again.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {checkWrite} from '../wasm/heap';
import {type ProductsCall, runTransposedProducts} from '../wasm/kernel-pool';
import {SimdKernels} from '../wasm/simd-kernels';
import {AxisPhase, axisPhases} from './input-grad-phases';

/**
 * Above this waste (grid pixels against output pixels) XNNPACK's route
 * (conv-grads.ts) is as fast or faster. Measured 2026-12-05 (AMD EPYC,
 * batch 64, 3x3 unless said, median of 5 rounds of 3 calls of each route
 * alternated; at two threads the products run on the kernel pool):
 *
 * | shape | waste | 1 thread: taps, XNNPACK's route | 2 threads |
 * |---|---:|---|---|
 * | [14, 14, 32] -> 32 | 1.31 | 11.4, 23.2 ms | 7.2, 16.5 |
 * | [7, 7, 64] -> 64 | 1.31 | 11.6, 20.2 | 7.9, 13.0 |
 * | [7, 7, 32] -> 32, 5x5 | 1.65 | 10.1, 11.7 | 6.2, 6.8 |
 * | [4, 4, 128] -> 128 | 1.56 | 19.5, 26.7 | 10.3, 16.9 |
 * | [7, 7, 128] -> 128, stride 2 | 1.56 | 20.2, 27.6 | 11.9, 18.5 |
 * | [3, 3, 64] -> 64, stride 2 | 2.25 | 1.9, 2.0 | 1.8, 1.3 |
 * | [2, 2, 128] -> 128 | 2.25 | 7.6, 7.3 | 4.9, 4.2 |
 * | [4, 4, 64] -> 64, 5x5 | 2.25 | 18.0, 15.2 | 9.6, 8.8 |
 *
 * On 2026-12-03, before the kernel pool, the bounds were 1.4 (stride 1)
 * and 1.6 (strided), and at two threads also at most 32 x 32 (64 x 64)
 * inputs x outputs, where XNNPACK's route used both cores and taps one.
 * Where wasm runs threads but no kernel pool was handed over
 * (`useKernelPool`; a browser page that does not start one) taps run on
 * one core, so those products bounds still apply there.
 */
const MAX_WASTE = {stride1: 2, strided: 2};
const MAX_PRODUCTS_WITH_THREADS = {stride1: 32 * 32 - 1, strided: 64 * 64};

/**
 * The grid an image's dy and x (or each phase of x) are laid out on.
 * Stride 1: Gw = W + max(left, right), Gh = H + max(top, bottom). Stride s:
 * the output's size plus the largest shift a tap makes within its phase.
 */
function gridOf(info: tf.backend_util.Conv2DInfo): {Gh: number; Gw: number} {
  const {inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW, padInfo,
         strideHeight: sh, strideWidth: sw} = info;
  if (sh > 1 || sw > 1) return {Gh: OH + Math.ceil(KH / sh) - 1, Gw: OW + Math.ceil(KW / sw) - 1};
  const padBottom = Math.max(0, OH + KH - 1 - H - padInfo.top), padRight = Math.max(0, OW + KW - 1 - W - padInfo.left);
  return {Gh: H + Math.max(padInfo.top, padBottom), Gw: W + Math.max(padInfo.left, padRight)};
}

/** Whether the taps route computes the convolution's filter gradient: dilation 1, channels as transposedProducts tiles them (4 x 8). */
export function tapsRouteFits(info: tf.backend_util.Conv2DInfo): boolean {
  return info.dilationHeight === 1 && info.dilationWidth === 1 && info.inChannels % 4 === 0 && info.outChannels % 8 === 0;
}

/**
 * Whether it also pays there, at `threads` wasm threads (see MAX_WASTE).
 * With a kernel pool (kernel-pool.ts) the products use every core, as
 * XNNPACK's route does, so the one-thread bounds hold: pass threads 1.
 */
export function tapsRoutePays(info: tf.backend_util.Conv2DInfo, threads: number): boolean {
  const {Gh, Gw} = gridOf(info);
  const bounds = info.strideHeight > 1 || info.strideWidth > 1 ? 'strided' : 'stride1';
  if (Gh * Gw > MAX_WASTE[bounds] * info.outHeight * info.outWidth) return false;
  return threads === 1 || info.inChannels * info.outChannels <= MAX_PRODUCTS_WITH_THREADS[bounds];
}

export function filterGradientByTaps(backend: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, dy: tf.TensorInfo,
                                     info: tf.backend_util.Conv2DInfo, filterShape: number[]): tf.TensorInfo {
  const {batchSize: N, inChannels: Ci, outHeight: OH, outWidth: OW, outChannels: Co,
         filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw} = info;
  const {Gh, Gw} = gridOf(info);
  const F32 = Float32Array.BYTES_PER_ELEMENT;
  // Pixels of the grids: every image's frame, and for x the reads of the last taps past the last frame.
  const gridPixels = N * Gh * Gw;
  const xGridPixels = (N * Gh + KH) * Gw + KW;
  const xGrid = backend.makeOutput([xGridPixels, Ci], 'float32');
  const dyGrid = backend.makeOutput([gridPixels, Co], 'float32');
  const dw = backend.makeOutput(filterShape, 'float32');
  checkWrite('Conv2DBackpropFilter', KH * KW * Ci * Co, dw.shape);
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  kernels.zeroBytes(at(dyGrid), gridPixels * Co * F32);
  for (let n = 0; n < N; n++) {
    kernels.copyRows(at(dy) + n * OH * OW * Co * F32, OW * Co * F32, at(dyGrid) + n * Gh * Gw * Co * F32, Gw * Co * F32, OH, OW * Co * F32);
  }
  // Which input rows and columns each phase holds: the same phases the input gradient splits dx into.
  const rowPhases = axisPhases(info.inHeight, OH, KH, sh, info.padInfo.top);
  const columnPhases = axisPhases(info.inWidth, OW, KW, sw, info.padInfo.left);
  for (let rh = 0; rh < Math.min(sh, KH); rh++) {
    for (let rw = 0; rw < Math.min(sw, KW); rw++) {
      kernels.zeroBytes(at(xGrid), xGridPixels * Ci * F32);
      gatherPhase(backend, kernels, x, xGrid, info, Gh, Gw, rowPhases[rh], columnPhases[rw]);
      // The phase's taps in one batch: on a kernel pool they are split over every core.
      const taps: ProductsCall[] = [];
      for (let kh = rh; kh < KH; kh += sh) {
        for (let kw = rw; kw < KW; kw += sw) {
          const shift = ((kh - rh) / sh) * Gw + (kw - rw) / sw;
          taps.push([at(xGrid) + shift * Ci * F32, at(dyGrid), at(dw) + (kh * KW + kw) * Ci * Co * F32, gridPixels, Ci, Co]);
        }
      }
      runTransposedProducts(backend, kernels, taps);
    }
  }
  backend.disposeData(xGrid.dataId);
  backend.disposeData(dyGrid.dataId);
  return dw;
}

/**
 * Writes phase (rh, rw) of the padded x into xGrid: grid pixel (a, b) of
 * image n holds padded pixel (s*a + rh, s*b + rw), that is x's pixel at row
 * s*a + rh - pad top, column s*b + rw - pad left, where that lies in x (the
 * grid is zero elsewhere). At stride 1 this is x shifted by the padding.
 * `rows` and `columns` are the phase's input indices along each axis.
 */
function gatherPhase(backend: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, xGrid: tf.TensorInfo,
                     info: tf.backend_util.Conv2DInfo, Gh: number, Gw: number, rows: AxisPhase, columns: AxisPhase): void {
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, strideHeight: sh, strideWidth: sw, padInfo} = info;
  const F32 = Float32Array.BYTES_PER_ELEMENT;
  // first = stride * a0 + phase - pad with phase < stride: the grid position of each axis's first input index.
  const a0 = Math.floor((rows.first + padInfo.top) / sh), b0 = Math.floor((columns.first + padInfo.left) / sw);
  const rowCount = Math.min(rows.count, Gh - a0), columnCount = Math.min(columns.count, Gw - b0);
  if (rowCount <= 0 || columnCount <= 0) return;
  const xAt = backend.getMemoryOffset(x.dataId), gridAt = backend.getMemoryOffset(xGrid.dataId);
  for (let n = 0; n < N; n++) {
    const src = xAt + ((n * H + rows.first) * W + columns.first) * Ci * F32;
    const dst = gridAt + ((n * Gh + a0) * Gw + b0) * Ci * F32;
    if (sw === 1) {
      // Whole rows at a time (memory.copy), as x's pixels lie contiguous along a row.
      kernels.copyRows(src, sh * W * Ci * F32, dst, Gw * Ci * F32, rowCount, columnCount * Ci * F32);
    } else {
      kernels.copyGrid(src, sh * W * Ci * F32, sw * Ci * F32, dst, Gw * Ci * F32, Ci * F32, rowCount, columnCount, Ci * F32);
    }
  }
}
