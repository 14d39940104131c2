/**
 * Conv2DBackpropFilter on wasm as the package's own kernel, generated for
 * each geometry (wasm/sources/direct-filter-grad.ts): dW summed tap by tap
 * over a zero-padded copy of x, as the forward pass reads it
 * (kernels/direct-conv.ts), in register tiles of 2 input x 16 output
 * channels.
 *
 * Why: the route it replaces (kernels/filter-grad-taps.ts, one product per
 * tap over zero-padded grids) copies both x and dy into grids on the
 * calling thread and multiplies their padding too: 1.15-1.56x the
 * multiply-adds on a 3x3 network's shapes. Here every multiply-add is the
 * forward pass's, the padding is per image on the pool's threads, and the
 * tiles split over the pool. Per call, batch 64, 3x3, 2026-12-05, ms, one
 * thread: [14, 14, 32] -> 32 10.8-11.2 against 12.2-13.7, [4, 4, 128] ->
 * 128 16.1-17.3 against 21.9-22.6; two threads: 5.7-6.1 against 7.2-7.8,
 * 8.8-9.0 against 11.3-11.9 (docs/engine.md, "Convolution gradients").
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {checkWrite, padsNothing} from '../wasm/heap';
import {GeneratedModules} from '../wasm/generated-modules';
import {OffSwitch} from '../wasm/off-switch';
import {runGeneratedByImageRanges, runGeneratedByParts} from '../wasm/kernel-pool';
import {SimdKernels, runtimeAssemblyAvailable, simdKernels, withScratch, zeroHeap} from '../wasm/simd-kernels';
import {FilterGradShape, filterGradFits, filterGradModuleText, filterGradRows} from '../wasm/sources/direct-filter-grad';
import {paddedSize} from '../wasm/sources/direct-conv';

const F32 = Float32Array.BYTES_PER_ELEMENT;

/** The filter gradient compiled per geometry. */
const modules = new GeneratedModules<FilterGradShape>('filter-grad', filterGradModuleText, 'the per-tap products or XNNPACK');

/** The geometries compiled so far in this process (tests check the kernel ran). */
export function compiledFilterGradGeometries(): string[] {
  return modules.geometries();
}

/**
 * Where the kernel runs: no dilation, input channels in whole tiles (a
 * network's stem, 1-3 channels, keeps its own kernel) and output channels
 * in whole vectors. conv-grads.ts takes the 1x1 stride-1 filter gradient
 * as x^T @ dy before asking: that reads x where it lies.
 */
export function directFilterGradientFits(info: tf.backend_util.Conv2DInfo): boolean {
  return info.dilationHeight === 1 && info.dilationWidth === 1 && info.inChannels >= 4 && filterGradFits(info.inChannels, info.outChannels);
}

/** Off: the routes before it (`withoutDirectFilterGradient`). */
const generatedFilterGradient = new OffSwitch();

/** Runs `body` with the filter gradients on the routes this kernel replaced: how tests and benchmarks compare them in one process. */
export function withoutDirectFilterGradient<T>(body: () => Promise<T> | T): Promise<T> {
  return generatedFilterGradient.offWhile(body);
}

/** Whether `directFilterGradient` takes `info` on `backend`: not switched off, SIMD kernels loaded, wabt handed over (`useWabt`), and it fits. */
export function directFilterGradientRuns(backend: BackendWasm, info: tf.backend_util.Conv2DInfo): boolean {
  return !generatedFilterGradient.isOff && simdKernels(backend) != null && runtimeAssemblyAvailable() && directFilterGradientFits(info);
}

/**
 * dW [KH, KW, Ci, Co] of the convolution `info` describes, from x and dy,
 * on the generated kernel; null where the geometry did not compile (the
 * caller takes another route).
 */
export function directFilterGradient(backend: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, dy: tf.TensorInfo,
                                     info: tf.backend_util.Conv2DInfo, filterShape: number[]): tf.TensorInfo | null {
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outHeight: OH, outWidth: OW, outChannels: Co,
         filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, padInfo: {top, left}} = info;
  const {Hp, Wp} = paddedSize({OH, OW, KH, KW, sh, sw});
  const framed = !padsNothing({H, W, Hp, Wp, top, left});
  const shape: FilterGradShape = {Hp, Wp, Ci, OH, OW, Co, KH, KW, sh, sw, ...(framed ? {frame: {H, W, top, left}} : {})};
  const module = modules.moduleFor(backend, kernels, shape);
  if (module == null) return null;
  const dw = backend.makeOutput(filterShape, 'float32');
  checkWrite('Conv2DBackpropFilter', KH * KW * Ci * Co, dw.shape);
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  const multiplyAdds = N * OH * OW * KH * KW * Ci * Co;
  // The tiles add each block of images' sums to dW.
  zeroHeap(backend, at(dw), KH * KW * Ci * Co * F32);
  const sumTiles = (xp: number) =>
      runGeneratedByParts(backend, kernels, module, 'filterGrad', [xp, at(dy), at(dw), N], filterGradRows(shape), multiplyAdds);
  if (!framed) {
    sumTiles(at(x));
    return dw;
  }
  const xImage = H * W * Ci * F32, xpImage = Hp * Wp * Ci * F32;
  // Each range of images padded by one of the pool's threads (every tile then reads every image), no zeroing here.
  withScratch(backend, N * xpImage, xp => {
    runGeneratedByImageRanges(backend, kernels, module, 'pad', N, multiplyAdds, 1,
                              (n0, count) => [at(x) + n0 * xImage, xp + n0 * xpImage, count]);
    sumTiles(xp);
  }, false);
  return dw;
}
