/**
 * 3x3 stride-1 convolutions by Winograd's F(2x2, 3x3) (wasm/sources/winograd.ts):
 * 16 multiplies for each 2x2 block of outputs and channel pair where the
 * direct convolution does 36. The forward pass and the input gradient's
 * stride-1 convolution (input-grad-phases.ts calls Conv2D) take it through
 * `directConvolution` (direct-conv.ts) wherever `winogradPays`.
 *
 * Why: on 128-bit WebAssembly SIMD the generated direct convolution runs
 * at 25-30 GFLOP/s, about half of what PyTorch's oneDNN reaches with
 * AVX-512 on the same CPU; fewer multiplies is the one lever that does not
 * need wider vectors (docs/engine.md, "Winograd").
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {imageRangesAtMost, runGeneratedByImageRanges} from '../wasm/kernel-pool';
import {GeneratedModules} from '../wasm/generated-modules';
import {OffSwitch} from '../wasm/off-switch';
import {SimdKernels, withScratch} from '../wasm/simd-kernels';
import {WinogradShape, transformedFilterFloats, winogradGeometry, winogradModuleText} from '../wasm/sources/winograd';

const F32 = Float32Array.BYTES_PER_ELEMENT;

/** Off: the direct convolution for every geometry (`withoutWinograd`). */
const winogradRoute = new OffSwitch();

/** Runs `body` with the direct convolution where Winograd's would run: how tests and benchmarks compare the two. */
export function withoutWinograd<T>(body: () => Promise<T> | T): Promise<T> {
  return winogradRoute.offWhile(body);
}

const modules = new GeneratedModules<WinogradShape>('winograd', winogradModuleText, 'the direct convolution');

/** The geometries compiled so far in this process (tests check the route ran). */
export function compiledWinogradGeometries(): string[] {
  return modules.geometries();
}

/**
 * Where Winograd's route takes a convolution: 3x3, stride 1, no dilation,
 * input and output channels in multiples of 4 and at least
 * `MIN_CHANNELS` of each (below, the transforms' passes over memory cost
 * more than the multiplies they save).
 */
export function winogradPays(info: tf.backend_util.Conv2DInfo): boolean {
  return !winogradRoute.isOff && info.filterHeight === 3 && info.filterWidth === 3 && info.strideHeight === 1 && info.strideWidth === 1 &&
      info.dilationHeight === 1 && info.dilationWidth === 1 && info.inChannels % 4 === 0 && info.outChannels % 4 === 0 &&
      info.inChannels >= MIN_CHANNELS && info.outChannels >= MIN_CHANNELS;
}

const MIN_CHANNELS = 16;

/**
 * x [N, H, W, Ci] convolved with the filter [3, 3, Ci, Co] at `filterAt`
 * (plus the bias at `biasAt`, or none), then the activation, into `out`;
 * false where the geometry did not compile (the caller convolves directly).
 */
export function winogradConvolution(backend: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, filterAt: number, biasAt: number | null,
                                    info: tf.backend_util.Conv2DInfo, activation: WinogradShape['activation'], out: tf.TensorInfo): boolean {
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outHeight: OH, outWidth: OW, outChannels: Co,
         padInfo: {top, left}} = info;
  const shape: WinogradShape = {H, W, Ci, top, left, OH, OW, Co, activation};
  const module = modules.moduleFor(backend, kernels, shape);
  if (module == null) return false;
  const geometry = winogradGeometry(shape);
  const filterFloats = transformedFilterFloats(Ci, Co);
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  const xImage = H * W * Ci * F32, yImage = OH * OW * Co * F32;
  const multiplyAdds = N * geometry.tiles * 16 * Ci * Co;
  // The transformed filter, then a bias of zeros where there is none.
  withScratch(backend, (filterFloats + Co) * F32, transformed => {
    (module.exports['transformFilter'] as (w: number, u: number) => void)(filterAt, transformed);
    const bias = biasAt ?? transformed + filterFloats * F32;
    // One image's scratch for each range of images (each range runs on one thread at a time).
    withScratch(backend, imageRangesAtMost(backend) * geometry.scratchBytes, scratch => {
      let range = 0;
      runGeneratedByImageRanges(backend, kernels, module, 'forward', N, multiplyAdds, 1, (n0, count) =>
          [at(x) + n0 * xImage, scratch + (range++) * geometry.scratchBytes, transformed, bias, at(out) + n0 * yImage, count]);
    }, false);
  });
  return true;
}
