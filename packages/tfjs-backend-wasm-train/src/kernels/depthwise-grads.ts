/**
 * Gradients of DepthwiseConv2dNative for the wasm backend, which has neither
 * (tfjs-backend-wasm 4.22). Depth multipliers M > 1 are supported: output
 * channel c*M + q reads input c.
 *
 * The filter gradient is a direct loop over the wasm heap (small work per
 * output, no matmul formulation pays). The input gradient, with multiplier
 * 1, is the lab's SIMD kernel that adds each tap's products into dx;
 * otherwise (or without the SIMD kernels) it is a depthwise convolution of
 * dy with the filter rotated by 180 degrees, on wasm's own (XNNPACK, SIMD)
 * depthwise kernel: at stride 1 padded by XNNPACK, strided on dy spread out
 * by the stride into zeros (input-grad-phases.ts has both routes).
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {WasmKernel, checkWrite, expectDepth, expectRank, expectShape, heapF32, input, spreadFits, stockKernel} from '../wasm/heap';
import {SimdKernels, simdKernels, withScratch} from '../wasm/simd-kernels';
import {runInputGradientByImages} from '../wasm/kernel-pool';
import {PhaseConvolution, inputGradientByPhases, inputGradientBySpread} from './input-grad-phases';
import {generatedDepthwiseConvolution, generatedDepthwiseFilterGradient, generatedDepthwiseInputGradient} from './depthwise-conv';

let stockDepthwise: WasmKernel | null = null;

/** Captures wasm's forward depthwise kernel; call before registering ours. */
export function captureStockDepthwise(): void {
  stockDepthwise ??= stockKernel('DepthwiseConv2dNative');
}

/**
 * The convolution's geometry, once the shapes are checked: dy must be the
 * output the forward depthwise convolution of `xShape` by `filterShape` made.
 */
function checkedInfo(op: string, xShape: number[], filterShape: number[], dy: tf.TensorInfo,
                     attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo {
  expectRank(op, 'input', xShape, 4);
  expectRank(op, 'filter', filterShape, 4);
  expectDepth(op, xShape, filterShape);
  const info = depthwiseInfo(xShape, filterShape, attrs);
  expectShape(op, 'dy', dy, [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
      ` (the depthwise convolution's output for input [${xShape.join(', ')}])`);
  return info;
}

function depthwiseInfo(xShape: number[], filterShape: number[], attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number], filterShape as [number, number, number, number],
      attrs['strides'] as [number, number] | number, (attrs['dilations'] as [number, number] | number) ?? 1,
      attrs['pad'] as 'valid' | 'same' | number, attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
      true);
}

export const depthwiseBackpropFilter: WasmKernel = ({inputs, backend, attrs}) => {
  const x = input(inputs, 'x'), dy = input(inputs, 'dy');
  const filterShape = attrs['filterShape'] as number[];
  const info = checkedInfo('depthwiseConv2dDerFilter', x.shape, filterShape, dy, attrs);
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO,
         strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dwl,
         filterHeight: KH, filterWidth: KW, padInfo} = info;
  const M = CO / C;
  const generated = generatedDepthwiseFilterGradient(backend, x, dy, info);
  if (generated != null) return generated;
  const out = backend.makeOutput(filterShape, 'float32');
  const kernels = simdKernels(backend);
  if (kernels != null && M === 1) {
    depthwiseFilterGradSimd(backend, kernels, x, dy, out, info);
    return out;
  }
  if (kernels != null) {
    // Depth multiplier M: x with each channel repeated M times lines up with
    // dy channel for channel (c * M + j), so the multiplier-1 kernel applies
    // over C * M channels, and its [taps, C * M] result is the filter
    // [KH, KW, C, M] as laid out. (The grouped convolution's depthwise route
    // uses multipliers; the JS loop below took 4-6x as long.)
    const expanded = backend.makeOutput([N, H, W, C * M], 'float32');
    const X = heapF32(backend, x), E = heapF32(backend, expanded);
    for (let p = 0, q = 0; p < X.length; p++) {
      const v = X[p];
      for (let j = 0; j < M; j++) E[q++] = v;
    }
    depthwiseFilterGradSimd(backend, kernels, expanded, dy, out, {...info, inChannels: C * M, outChannels: C * M});
    backend.disposeData(expanded.dataId);
    return out;
  }
  const X = heapF32(backend, x), DY = heapF32(backend, dy), DW = heapF32(backend, out);
  DW.fill(0);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const base = (kh * KW + kw) * CO;
      for (let n = 0; n < N; n++) {
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * sh + kh * dh - padInfo.top;
          if (iy < 0 || iy >= H) continue;
          for (let ox = 0; ox < OW; ox++) {
            const ix = ox * sw + kw * dwl - padInfo.left;
            if (ix < 0 || ix >= W) continue;
            const xo = ((n * H + iy) * W + ix) * C;
            const dyo = ((n * OH + oy) * OW + ox) * CO;
            if (M === 1) {
              for (let c = 0; c < C; c++) DW[base + c] += X[xo + c] * DY[dyo + c];
            } else {
              for (let c = 0; c < C; c++) {
                const xv = X[xo + c];
                for (let q = 0; q < M; q++) DW[base + c * M + q] += xv * DY[dyo + c * M + q];
              }
            }
          }
        }
      }
    }
  }
  return out;
};

/**
 * Depth multiplier 1 on the SIMD kernels: for each image, output row and tap,
 * one `tapProducts` run along the output columns whose input column is
 * inside the image (a contiguous range), 16 or 4 channels at a time, into
 * float64 accumulators, one row of C per tap. Without dilation the loops run
 * inside WebAssembly (`depthwiseFilterGrad`); with it, here.
 */
function depthwiseFilterGradSimd(backend: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, dy: tf.TensorInfo,
                                 out: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): void {
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW,
         strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dwl,
         filterHeight: KH, filterWidth: KW, padInfo} = info;
  const F32 = Float32Array.BYTES_PER_ELEMENT, F64 = Float64Array.BYTES_PER_ELEMENT;
  const taps = KH * KW;
  withScratch(backend, taps * C * F64, acc => {
    const xAt = backend.getMemoryOffset(x.dataId), dyAt = backend.getMemoryOffset(dy.dataId);
    if (dh === 1 && dwl === 1) {
      // The loops below, inside WebAssembly (`depthwiseFilterGrad`): a call out per run cost more than the run.
      kernels.depthwiseFilterGrad(xAt, dyAt, acc, N, H, W, C, OH, OW, KH, KW, sh, sw, padInfo.top, padInfo.left);
      checkWrite('DepthwiseConv2dNativeBackpropFilter', taps * C, out.shape);
      kernels.narrow(acc, backend.getMemoryOffset(out.dataId), taps * C);
      return;
    }
    for (let kw = 0; kw < KW; kw++) {
      // Output columns ox with 0 <= ox * sw + kw * dwl - left < W.
      const shift = kw * dwl - padInfo.left;
      const first = Math.max(0, Math.ceil(-shift / sw));
      const last = Math.min(OW - 1, Math.floor((W - 1 - shift) / sw));
      if (last < first) continue;
      for (let kh = 0; kh < KH; kh++) {
        const tapAcc = acc + (kh * KW + kw) * C * F64;
        for (let n = 0; n < N; n++) {
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy * sh + kh * dh - padInfo.top;
            if (iy < 0 || iy >= H) continue;
            const xRow = xAt + (((n * H + iy) * W + first * sw + shift) * C) * F32;
            const dyRow = dyAt + (((n * OH + oy) * OW + first) * C) * F32;
            kernels.tapProducts(xRow, sw * C * F32, dyRow, C * F32, last - first + 1, C, tapAcc);
          }
        }
      }
    }
    checkWrite('DepthwiseConv2dNativeBackpropFilter', taps * C, out.shape);
    kernels.narrow(acc, backend.getMemoryOffset(out.dataId), taps * C);
  });
}

let forcedDepthwiseInputRoute: 'direct' | 'xnnpack' | null = null;

/**
 * Runs `body` with the depthwise input gradient (multiplier 1, no dilation)
 * on one route: the direct SIMD kernel (the engine's choice wherever the
 * SIMD kernels load), or XNNPACK's depthwise convolution (phases at stride
 * 1, the spread above), for the benchmark and the tests.
 */
export async function withDepthwiseInputRoute<T>(route: 'direct' | 'xnnpack', body: () => Promise<T>): Promise<T> {
  forcedDepthwiseInputRoute = route;
  try {
    return await body();
  } finally {
    forcedDepthwiseInputRoute = null;
  }
}

export const depthwiseBackpropInput: WasmKernel = args => {
  const {inputs, backend, attrs} = args;
  const dy = input(inputs, 'dy'), filter = input(inputs, 'filter');
  const inputShape = attrs['inputShape'] as number[];
  const info = checkedInfo('depthwiseConv2dDerInput', inputShape, filter.shape, dy, attrs);
  const {inChannels: C, outChannels: CO, dilationHeight: dh, dilationWidth: dwl} = info;
  const M = CO / C;
  const kernels = simdKernels(backend);
  if (forcedDepthwiseInputRoute == null) {
    // 3x3 at stride 1, padded by one all round: the forward kernel over dy with the filter turned; strided, gathered.
    const generated = generatedDepthwiseConvolution(backend, dy, filter, info, true) ??
        generatedDepthwiseInputGradient(backend, dy, filter, info);
    if (generated != null) return generated;
  }
  if (kernels != null && M === 1 && dh === 1 && dwl === 1 && forcedDepthwiseInputRoute !== 'xnnpack') {
    return depthwiseInputGradDirect(backend, kernels, dy, filter, inputShape, info);
  }
  if (stockDepthwise == null || dh !== 1 || dwl !== 1 || !spreadFits(info)) return depthwiseBackpropInputLoop(args);
  const conv: PhaseConvolution = {
    channels: CO,
    phaseFilter: (rows, cols) => depthwisePhaseFilter(backend, filter, rows, cols),
    convolve: (source, phase, pad) => stockDepthwise!({
      inputs: {x: source, filter: phase}, backend, attrs: {strides: [1, 1], pad, dilations: [1, 1], dataFormat: 'NHWC'},
    }),
  };
  // Strided, the phases' small depthwise convolutions (2x2, 2x1, 1x1 taps at stride 2) cost XNNPACK more to set up
  // than the spread's zeros cost to multiply (2026-12-03: [64, 28, 28, 16] at stride 2, 3.7-8.2 ms against 3.5).
  const out = kernels != null && info.strideHeight === 1 && info.strideWidth === 1 ?
      inputGradientByPhases(backend, kernels, dy, info, conv) : inputGradientBySpread(backend, dy, info, conv);
  if (M === 1) return out;
  // Each input channel c collects its M output channels c*M + q.
  const dx = backend.makeOutput(inputShape, 'float32');
  const O = heapF32(backend, out), DX = heapF32(backend, dx);
  for (let p = 0, o = 0; p < DX.length; p++, o += M) {
    let sum = 0;
    for (let q = 0; q < M; q++) sum += O[o + q];
    DX[p] = sum;
  }
  backend.disposeData(out.dataId);
  return dx;
};

/**
 * Depth multiplier 1: the SIMD kernel that adds each tap's products
 * straight into dx (`depthwiseInputGrad`), the forward pass's
 * multiply-adds once each. Strided, XNNPACK's route multiplies dy spread
 * with zeros (four times the arithmetic at stride 2; the phases of the
 * stride would cost an XNNPACK operator each); at stride 1 the direct
 * kernel still took 0.6-0.9x its time (docs/engine.md).
 */
function depthwiseInputGradDirect(backend: BackendWasm, kernels: SimdKernels, dy: tf.TensorInfo, filter: tf.TensorInfo,
                                  inputShape: number[], info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW,
         filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, padInfo} = info;
  const dx = backend.makeOutput(inputShape, 'float32');
  checkWrite('DepthwiseConv2dNativeBackpropInput', N * H * W * C, dx.shape);
  runInputGradientByImages(backend, kernels, 'depthwiseInputGrad', backend.getMemoryOffset(dy.dataId), backend.getMemoryOffset(filter.dataId),
      backend.getMemoryOffset(dx.dataId), N, {H, W, C, OH, OW, KH, KW, sh, sw, padTop: padInfo.top, padLeft: padInfo.left});
  return dx;
}

/** The filter [KH, KW, C, M] read as [KH, KW, C*M], at the phase's taps (last first); every tap reversed: rotated by 180 degrees. */
function depthwisePhaseFilter(backend: BackendWasm, filter: tf.TensorInfo, rows: readonly number[], cols: readonly number[]): tf.TensorInfo {
  const [, KW, C, M] = filter.shape;
  const CO = C * M;
  const phase = backend.makeOutput([rows.length, cols.length, CO, 1], 'float32');
  const F = heapF32(backend, filter), P = heapF32(backend, phase);
  rows.forEach((kh, u) => cols.forEach((kw, v) => {
    const from = (kh * KW + kw) * CO;
    P.set(F.subarray(from, from + CO), (u * cols.length + v) * CO);
  }));
  return phase;
}

/** The direct loop, for dilations and paddings the fast path does not cover. */
const depthwiseBackpropInputLoop: WasmKernel = ({inputs, backend, attrs}) => {
  const dy = input(inputs, 'dy'), filter = input(inputs, 'filter');
  const inputShape = attrs['inputShape'] as number[];
  const info = depthwiseInfo(inputShape, filter.shape, attrs);
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO,
         strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dwl,
         filterHeight: KH, filterWidth: KW, padInfo} = info;
  const M = CO / C;
  const out = backend.makeOutput(inputShape, 'float32');
  const F = heapF32(backend, filter), DY = heapF32(backend, dy), DX = heapF32(backend, out);
  DX.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let kh = 0; kh < KH; kh++) {
        const iy = oy * sh + kh * dh - padInfo.top;
        if (iy < 0 || iy >= H) continue;
        for (let ox = 0; ox < OW; ox++) {
          const dyo = ((n * OH + oy) * OW + ox) * CO;
          for (let kw = 0; kw < KW; kw++) {
            const ix = ox * sw + kw * dwl - padInfo.left;
            if (ix < 0 || ix >= W) continue;
            const xo = ((n * H + iy) * W + ix) * C;
            const fo = (kh * KW + kw) * CO;
            if (M === 1) {
              for (let c = 0; c < C; c++) DX[xo + c] += F[fo + c] * DY[dyo + c];
            } else {
              for (let c = 0; c < C; c++) {
                let sum = 0;
                for (let q = 0; q < M; q++) sum += F[fo + c * M + q] * DY[dyo + c * M + q];
                DX[xo + c] += sum;
              }
            }
          }
        }
      }
    }
  }
  return out;
};
