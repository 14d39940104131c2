/**
 * The input gradient of a convolution as stride-1 convolutions of dy, one
 * per phase of the stride: on the package's generated convolution (dense
 * and grouped convolutions) or on XNNPACK (depthwise, where its route runs).
 *
 * Spreading dy by the stride and convolving it with the rotated filter
 * (wasm/heap.ts `spreadPadded`) multiplies zeros: at stride 2 three
 * quarters of its multiply-adds. Row iy of dx only meets the taps kh with
 * kh = (iy + padTop) mod s (its phase a), so the rows of one phase are a
 * stride-1 correlation of dy with those taps alone:
 *   dx[q*s + a - padTop] = sum_t dy[q - t] * W[a + s*t]
 * and likewise for columns. A phase's convolution reads dy where it lies,
 * zero-padded by the convolution itself; its output is copied into every s-th row
 * and column of dx. The phases together do the forward pass's
 * multiply-adds, once each. At stride 1 there is one phase: the spread
 * without its copy, and where its output is all of dx, dx itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {copyPixelGrid, spreadPadded} from '../wasm/heap';
import {SimdKernels, zeroHeap} from '../wasm/simd-kernels';

/** Padding in tfjs's explicit form: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** One phase along one axis of the input. */
export interface AxisPhase {
  /** The filter taps this phase meets, in the order the phase's correlation reads them (last tap first). */
  taps: number[];
  /** Zero padding of dy before and after along this axis. */
  padBefore: number;
  padAfter: number;
  /** The first input index of the phase, and how many there are (every stride-th from it). */
  first: number;
  count: number;
  /** The index along this axis of the phase convolution's output that lands on `first`. */
  firstOutput: number;
}

/**
 * The phases of one axis: input size, dy's size, filter size, stride and
 * padding before (tfjs's padInfo.top or .left).
 */
export function axisPhases(size: number, outSize: number, filterSize: number, stride: number, convPadBefore: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let a = 0; a < stride; a++) {
    const taps: number[] = [];
    for (let k = a; k < filterSize; k += stride) taps.unshift(k);
    // Input index i = q*stride + a - padBefore for q in [q0, q1].
    const q0 = Math.max(0, Math.ceil((convPadBefore - a) / stride));
    const q1 = Math.floor((size - 1 + convPadBefore - a) / stride);
    const count = Math.max(0, q1 - q0 + 1);
    // Output q reads dy[q - T + 1 .. q]; padding makes the first and last of those exist.
    const T = taps.length;
    const padBefore = Math.max(0, T - 1 - q0);
    phases.push({
      taps, padBefore, padAfter: Math.max(0, q1 + 1 - outSize),
      first: q0 * stride + a - convPadBefore, count, firstOutput: q0 - T + 1 + padBefore,
    });
  }
  return phases;
}

/** Every tap of a filter `size` long, last first: the phase of stride 1, whose filter is the forward one rotated. */
export function reversedTaps(size: number): number[] {
  return Array.from({length: size}, (_, k) => size - 1 - k);
}

/** What the phases need of the convolution whose input gradient they compute. */
export interface PhaseConvolution {
  /** Channels of the gradient ([N, H, W, channels]): the conv's input channels, or a depthwise conv's C*M. */
  channels: number;
  /** The filter of the phase meeting taps `rows` x `cols` (in `AxisPhase.taps` order), laid out as `convolve` reads it. */
  phaseFilter(rows: readonly number[], cols: readonly number[]): tf.TensorInfo;
  /** A stride-1 convolution of dy with a phase filter and this padding. */
  convolve(dy: tf.TensorInfo, filter: tf.TensorInfo, pad: ExplicitPadding | 'valid'): tf.TensorInfo;
}

/**
 * The same gradient as one stride-1 'valid' convolution of dy spread by the
 * stride into zeros (wasm/heap.ts `spreadPadded`) with every tap reversed,
 * i.e. the filter rotated by 180 degrees: where the package's SIMD kernels (the
 * phases' copies) did not load, and for strided depthwise convolutions.
 */
export function inputGradientBySpread(backend: BackendWasm, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo,
                                      conv: PhaseConvolution): tf.TensorInfo {
  const spread = spreadPadded(backend, dy, info);
  const rotated = conv.phaseFilter(reversedTaps(info.filterHeight), reversedTaps(info.filterWidth));
  const out = conv.convolve(spread, rotated, 'valid');
  backend.disposeData(spread.dataId);
  backend.disposeData(rotated.dataId);
  return out;
}

/** Whether a phase's convolution along one axis (dy `outSize` long) is the whole axis of dx (`size`), from its first index. */
function coversAxis(phase: AxisPhase, outSize: number, size: number): boolean {
  const convolved = outSize + phase.padBefore + phase.padAfter - phase.taps.length + 1;
  return convolved === size && phase.first === 0 && phase.firstOutput === 0 && phase.count === size;
}

export function inputGradientByPhases(backend: BackendWasm, kernels: SimdKernels, dy: tf.TensorInfo,
                                      info: tf.backend_util.Conv2DInfo, conv: PhaseConvolution): tf.TensorInfo {
  const {batchSize: N, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW,
         strideHeight: sh, strideWidth: sw, filterHeight: KH, filterWidth: KW, padInfo} = info;
  const rowPhases = axisPhases(H, OH, KH, sh, padInfo.top);
  const colPhases = axisPhases(W, OW, KW, sw, padInfo.left);
  // One phase's stride-1 convolution of dy with the taps it meets.
  const convolvePhase = (rows: AxisPhase, cols: AxisPhase): tf.TensorInfo => {
    const filter = conv.phaseFilter(rows.taps, cols.taps);
    const part = conv.convolve(dy, filter, [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]]);
    backend.disposeData(filter.dataId);
    return part;
  };
  // Stride 1, where the one phase's convolution is dx itself (every row and column, from its first): no copy.
  if (rowPhases.length === 1 && colPhases.length === 1 && coversAxis(rowPhases[0], OH, H) && coversAxis(colPhases[0], OW, W)) {
    return convolvePhase(rowPhases[0], colPhases[0]);
  }
  const dx = backend.makeOutput([N, H, W, conv.channels], 'float32');
  const pixel = conv.channels * Float32Array.BYTES_PER_ELEMENT;
  // A phase without taps (a filter smaller than the stride) leaves its rows zero.
  if (rowPhases.some(p => p.taps.length === 0) || colPhases.some(p => p.taps.length === 0)) {
    zeroHeap(backend, backend.getMemoryOffset(dx.dataId), N * H * W * pixel);
  }
  for (const rows of rowPhases) {
    for (const cols of colPhases) {
      if (rows.taps.length === 0 || cols.taps.length === 0 || rows.count === 0 || cols.count === 0) continue;
      const part = convolvePhase(rows, cols);
      const [, PH, PW] = part.shape;
      // Offsets after every allocation: the heap may have grown.
      const partAt = backend.getMemoryOffset(part.dataId), dxAt = backend.getMemoryOffset(dx.dataId);
      for (let n = 0; n < N; n++) {
        copyPixelGrid(kernels, partAt + ((n * PH + rows.firstOutput) * PW + cols.firstOutput) * pixel, PW * pixel, pixel,
                      dxAt + ((n * H + rows.first) * W + cols.first) * pixel, sh * W * pixel, sw * pixel, rows.count, cols.count, pixel);
      }
      backend.disposeData(part.dataId);
    }
  }
  return dx;
}
