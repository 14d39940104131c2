/**
 * Max pooling and the pooling gradients for the wasm backend.
 *
 * MaxPool: tfjs-backend-wasm 4.22's own kernel (XNNPACK's) gives
 * -Infinity for a window whose first value is NaN, where cpu (and TF.js's
 * spec, "ignores NaNs") takes the largest of the other values, and reads
 * outside the input where explicit padding gives a fractional output size.
 * Here every float32 max pool takes cpu's rule, bit for bit: on the
 * package's SIMD kernel (maxPool in wasm/sources/pooling.ts), its images
 * split over the kernel pool where that pays, else in the JavaScript loop
 * below. Inside training steps it was level with XNNPACK's at one thread
 * and at two (docs/engine.md, "The max pool itself").
 *
 * MaxPoolGrad: tfjs-backend-wasm 4.22's own kernel returns wrong gradients
 * for even windows and for non-square inputs (e.g. 2x2/s2/same on 11x6:
 * relative error 0.63; the lab's test/engine/kernels/wasm-replacements.test.ts keeps that case).
 * The gradient goes to the first maximum in each window, as on `cpu`: on
 * the package's SIMD kernel (poolGrad in wasm/sources/pooling.ts) once it is loaded, else
 * in the JavaScript loop below.
 *
 * AvgPoolGrad: the stock kernel is right but scalar (72 ms of CondenseNet's
 * step, its transitions); the same SIMD kernel spreads dy / window size over
 * each window, as `cpu` does, and `spreadWindows` where the windows tile
 * the input (CondenseNet's 2x2 transitions). Without the SIMD kernels the
 * stock one runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {expectRank, expectShape, heapF32, input, stockKernel, WasmKernel} from '../wasm/heap';
import {SimdKernels, simdKernels} from '../wasm/simd-kernels';
import {runMaxPoolByImages, runMaxPoolGradientByImages} from '../wasm/kernel-pool';

/** The pool's geometry, once dy (and the forward output y, for max) are checked to be the pool's output. */
function poolInfo(op: string, x: tf.TensorInfo, attrs: tf.NamedAttrMap, ...outputs: Array<[string, tf.TensorInfo]>): tf.backend_util.Conv2DInfo {
  expectRank(op, 'input', x.shape, 4);
  const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number], attrs['filterSize'] as [number, number] | number,
      attrs['strides'] as [number, number] | number, 1, attrs['pad'] as 'valid' | 'same' | number,
      attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined);
  for (const [name, tensor] of outputs) {
    expectShape(op, name, tensor, [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
        ` (the pool's output for input [${x.shape.join(', ')}])`);
  }
  return info;
}

/** Windows that tile the input from its corner without overlap or padding (window = stride). */
function windowsTile(info: tf.backend_util.Conv2DInfo): boolean {
  return info.strideHeight === info.effectiveFilterHeight && info.strideWidth === info.effectiveFilterWidth &&
      info.padInfo.top === 0 && info.padInfo.left === 0 && info.padInfo.bottom <= 0 && info.padInfo.right <= 0;
}

/** dx for x from dy on the SIMD kernel (y: the forward output, read only for max). */
function poolGradSimd(kernels: SimdKernels, backend: BackendWasm, info: tf.backend_util.Conv2DInfo, x: tf.TensorInfo,
                      y: tf.TensorInfo, dy: tf.TensorInfo, average: boolean): tf.TensorInfo {
  const out = backend.makeOutput(x.shape, 'float32');
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW,
         strideHeight: sh, strideWidth: sw, effectiveFilterHeight: KH, effectiveFilterWidth: KW, padInfo} = info;
  const scale = average ? 1 / (info.filterHeight * info.filterWidth) : 1;
  if (average && windowsTile(info)) {
    // Each pixel in one window at most: written once, no zeroing, no read-modify-write (0.67 -> 0.1 ms
    // for CondenseNet's 2x2 transition on [64, 14, 14, 40], one thread).
    kernels.spreadWindows(at(dy), at(out), N, H, W, C, OH, OW, KH, KW, scale);
    return out;
  }
  kernels.zeroBytes(at(out), tf.util.sizeFromShape(x.shape) * Float32Array.BYTES_PER_ELEMENT);
  if (average) {
    kernels.poolGrad(at(x), at(y), at(dy), at(out), N, H, W, C, OH, OW, KH, KW, sh, sw, padInfo.top, padInfo.left, 1, scale);
  } else {
    // Images split over the kernel pool where it pays.
    runMaxPoolGradientByImages(backend, kernels, at(x), at(y), at(dy), at(out), N,
                               {H, W, C, OH, OW, KH, KW, sh, sw, padTop: padInfo.top, padLeft: padInfo.left});
  }
  return out;
}

/**
 * MaxPool for float32 tensors, by cpu's rule (the SIMD kernel's doc says
 * it); the stock kernel serves other dtypes (and refuses them).
 */
export function maxPoolKernel(): WasmKernel {
  const stock = stockKernel('MaxPool');
  return args => {
    const {inputs, backend, attrs} = args;
    const x = input(inputs, 'x');
    if (x.dtype !== 'float32') return stock(args);
    const info = poolInfo('maxPool', x, attrs);
    const {batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW,
           strideHeight: sh, strideWidth: sw, effectiveFilterHeight: KH, effectiveFilterWidth: KW, padInfo} = info;
    const y = backend.makeOutput([N, OH, OW, C], 'float32');
    if (N * OH * OW * C === 0) return y;
    if (KH === 1 && KW === 1 && OH === H && OW === W) {
      // cpu's rule, which TF.js's specs expect: a 1x1 window that keeps the shape copies x, whatever the stride and padding.
      heapF32(backend, y).set(heapF32(backend, x));
      return y;
    }
    const kernels = simdKernels(backend);
    if (kernels != null) {
      runMaxPoolByImages(backend, kernels, backend.getMemoryOffset(x.dataId), backend.getMemoryOffset(y.dataId), N,
                         {H, W, C, OH, OW, KH, KW, sh, sw, padTop: padInfo.top, padLeft: padInfo.left});
      return y;
    }
    const X = heapF32(backend, x), Y = heapF32(backend, y);
    Y.fill(-Infinity);
    for (let n = 0; n < N; n++) {
      for (let oy = 0; oy < OH; oy++) {
        const iy = oy * sh - padInfo.top;
        for (let ox = 0; ox < OW; ox++) {
          const ix = ox * sw - padInfo.left, yo = ((n * OH + oy) * OW + ox) * C;
          // The window's taps inside the image, a pixel's channels at a time; NaN is never greater.
          for (let kh = Math.max(0, -iy); kh < Math.min(KH, H - iy); kh++) {
            for (let kw = Math.max(0, -ix); kw < Math.min(KW, W - ix); kw++) {
              const xo = ((n * H + iy + kh) * W + ix + kw) * C;
              for (let c = 0; c < C; c++) if (X[xo + c] > Y[yo + c]) Y[yo + c] = X[xo + c];
            }
          }
        }
      }
    }
    return y;
  };
}

export function avgPoolGradKernel(): WasmKernel {
  const stock = stockKernel('AvgPoolGrad');
  return args => {
    const {inputs, backend, attrs} = args;
    const dy = input(inputs, 'dy'), x = input(inputs, 'input');
    const info = poolInfo('avgPoolGrad', x, attrs, ['dy', dy]);
    const kernels = simdKernels(backend);
    if (kernels == null || x.dtype !== 'float32') return stock(args);
    // dy stands in for y: average pooling never compares with the maximum.
    return poolGradSimd(kernels, backend, info, x, dy, dy, true);
  };
}

export const maxPoolGrad: WasmKernel = ({inputs, backend, attrs}) => {
  const dy = input(inputs, 'dy'), x = input(inputs, 'input'), y = input(inputs, 'output');
  const info = poolInfo('maxPoolGrad', x, attrs, ['dy', dy], ['output', y]);
  const kernels = simdKernels(backend);
  if (kernels != null) return poolGradSimd(kernels, backend, info, x, y, dy, false);
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW,
         strideHeight: sh, strideWidth: sw, effectiveFilterHeight: KH, effectiveFilterWidth: KW, padInfo} = info;
  const out = backend.makeOutput(x.shape, 'float32');
  const X = heapF32(backend, x), Y = heapF32(backend, y), DY = heapF32(backend, dy), DX = heapF32(backend, out);
  DX.fill(0);
  // The forward pass already found each window's maximum (Y); the gradient
  // goes to the first position that holds it. "Equal to the maximum" is
  // rarely true, so the branch predicts well, unlike a running "greater
  // than" search over random values (about 3x faster on Inception's pools).
  const found = new Uint8Array(C);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const yo = ((n * OH + oy) * OW + ox) * C;
        found.fill(0);
        let remaining = C;
        for (let kh = 0; kh < KH && remaining > 0; kh++) {
          const iy = oy * sh + kh - padInfo.top;
          if (iy < 0 || iy >= H) continue;
          for (let kw = 0; kw < KW && remaining > 0; kw++) {
            const ix = ox * sw + kw - padInfo.left;
            if (ix < 0 || ix >= W) continue;
            const xo = ((n * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) {
              if (X[xo + c] === Y[yo + c] && found[c] === 0) {
                found[c] = 1;
                remaining--;
                DX[xo + c] += DY[yo + c];
              }
            }
          }
        }
      }
    }
  }
  return out;
};
