/**
 * 3x3 convolutions by Winograd's F(2x2, 3x3) (wasm/sources/winograd.ts):
 * 16 multiplies for each 2x2 block of outputs and channel pair where the
 * direct convolution does 36. The forward pass and the input gradient's
 * stride-1 convolution (input-grad-phases.ts calls Conv2D) take it through
 * `directConvolution` (direct-conv.ts) wherever `winogradPays`; the filter
 * gradient (wasm/sources/winograd-filter-grad.ts) through conv-grads.ts
 * wherever `winogradFilterGradientPays`. Stride 2 has a scheme too
 * (wasm/sources/winograd-schemes.ts), taken from 128 channels each way
 * with an even output (`stride2Pays`): below that it did not pay.
 *
 * Why: on 128-bit WebAssembly SIMD the generated direct convolution runs
 * at 25-30 GFLOP/s, about half of what PyTorch's oneDNN reaches with
 * AVX-512 on the same CPU; fewer multiplies is the one lever that does not
 * need wider vectors (docs/engine.md, "Winograd's 3x3 convolutions").
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {imageRangesAtMost, kernelPoolFor, runGeneratedByImageRanges, runGeneratedByParts} from '../wasm/kernel-pool';
import {GeneratedModules} from '../wasm/generated-modules';
import {OffSwitch} from '../wasm/off-switch';
import {GeneratedModule, SimdKernels, withScratch, zeroHeap} from '../wasm/simd-kernels';
import {groupedBlocksFit} from '../wasm/sources/direct-conv';
import {WinogradShape, transformedFilterFloats, winogradGeometry, winogradModuleText} from '../wasm/sources/winograd';
import {
  WinogradFilterGradShape, winogradFilterGradModuleText, winogradGradientPlanes,
} from '../wasm/sources/winograd-filter-grad';

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
 * Where Winograd's route takes a convolution: 3x3, stride 1 (stride 2
 * where `stride2Pays` with outputs in tiles of at least 4 x 4, or
 * wherever `setWinogradStrides` says), no dilation, input and output
 * channels in multiples of 4 and at least `MIN_CHANNELS` of each. Per call
 * against the direct kernel (batch 64, one thread, median of 21,
 * 2026-12-06, ms): [14, 14, 8] -> 8 0.29 against 0.38, [14, 14, 8] -> 16
 * 0.46 against 0.64, [7, 7, 16] -> 16 0.26 against 0.38, [14, 14, 32] ->
 * 32 3.3 against 5.5, [4, 4, 128] -> 128 3.2 against 6.1; [14, 14, 4] -> 8
 * level (0.2-0.4 both).
 */
export function winogradPays(info: tf.backend_util.Conv2DInfo): boolean {
  return winogradFits(info) && strideTaken(info, MIN_STRIDE_2_FORWARD_OUTPUTS);
}

/** The route's shapes, whatever pays: 3x3, stride 1 or 2 both ways, no dilation, channels in whole vectors, from MIN_CHANNELS. */
function winogradFits(info: tf.backend_util.Conv2DInfo): boolean {
  return !winogradRoute.isOff && info.filterHeight === 3 && info.filterWidth === 3 &&
      (SCHEME_STRIDES as readonly number[]).includes(info.strideHeight) && info.strideWidth === info.strideHeight &&
      info.dilationHeight === 1 && info.dilationWidth === 1 && info.inChannels % 4 === 0 && info.outChannels % 4 === 0 &&
      info.inChannels >= MIN_CHANNELS && info.outChannels >= MIN_CHANNELS;
}

/** Whether the route takes the convolution's stride: 1 always, 2 as `setWinogradStrides` says ('auto': where `stride2Pays`). */
function strideTaken(info: tf.backend_util.Conv2DInfo, minStride2Outputs: number): boolean {
  if (info.strideHeight === 1) return true;
  return strides === 'auto' ? stride2Pays(info, minStride2Outputs) : strides.includes(info.strideHeight);
}

const MIN_CHANNELS = 8;

/**
 * Stride 2's scheme (25 multiplies where the direct sums take 36) pays
 * from 128 input and output channels with an even number of output rows
 * and columns (an odd one wastes a third of the tiles). Per call, batch
 * 64, Winograd / direct, median of 5, four alternated rounds, 2026-12-06,
 * ms (docs/engine.md, "Stride 2 where it pays"):
 *
 * | x -> outputs, stride 2 | 1 thread: forward | filter gradient | 2 threads: forward | filter gradient |
 * |---|---|---|---|---|
 * | [7, 7, 128] -> 128 | 5.3-5.4 / 5.9-6.1 | 5.9-6.3 / 8.1-8.3 | 3.0-3.4 / 3.1-3.3 | 3.3-3.7 / 4.5-4.8 |
 * | [8, 8, 256] -> 256 | 21.2-22.2 / 27.6-27.9 | 22.6-23.6 / 39.6-40.5 | 14.9-15.8 / 15.9-16.7 | 12.3-14.4 / 22.5-23.3 |
 * | [16, 16, 128] -> 128 | 21.3-21.7 / 24.3-25.4 | 24.6-25.1 / 29.7-30.7 | 11.5-12.8 / 12.4-13.0 | 12.7-14.9 / 15.5-17.6 |
 * | [4, 4, 256] -> 256 | 9.1-9.2 / 7.6-7.7 | 7.3-7.4 / 12.2-12.3 | 5.6-5.7 / 3.9-4.6 | 4.9-5.0 / 6.2-6.3 |
 * | [16, 16, 64] -> 64 | 6.6-6.7 / 6.1-6.8 | 7.7-8.2 / 7.6-8.1 | 3.4-3.6 / 3.1-3.8 | 3.9-4.3 / 4.0 |
 * | [14, 14, 64] -> 64 | 6.7-6.9 / 5.1-5.7 | 7.4-8.5 / 5.8-5.9 | 3.4-3.5 / 2.7 | 3.8-4.3 / 3.0-3.1 |
 *
 * The forward pass loses on a 2 x 2 output (one tile an image), so it
 * takes the route from 4 x 4 outputs (`MIN_STRIDE_2_FORWARD_OUTPUTS`).
 */
function stride2Pays(info: tf.backend_util.Conv2DInfo, minOutputs: number): boolean {
  return info.strideHeight === 2 && info.inChannels >= MIN_STRIDE_2_CHANNELS && info.outChannels >= MIN_STRIDE_2_CHANNELS &&
      info.outHeight % 2 === 0 && info.outWidth % 2 === 0 && info.outHeight * info.outWidth >= minOutputs;
}

const MIN_STRIDE_2_CHANNELS = 128;
const MIN_STRIDE_2_FORWARD_OUTPUTS = 16;

/** The schemes' strides (wasm/sources/winograd-schemes.ts). */
const SCHEME_STRIDES = [1, 2] as const;
/** The strides the route takes: 'auto' (stride 1, and 2 where it pays) unless `setWinogradStrides` says otherwise. */
let strides: readonly number[] | 'auto' = 'auto';

/**
 * Which strides Winograd's route takes: 'auto' (the default: stride 1
 * always, stride 2 where `stride2Pays`), or a list of 1 and 2 taken
 * wherever the shape fits: how tests and benchmarks compare them.
 */
export function setWinogradStrides(taken: readonly number[] | 'auto' = 'auto'): void {
  if (taken === 'auto') {
    strides = taken;
    return;
  }
  const wrong = taken.filter(s => !(SCHEME_STRIDES as readonly number[]).includes(s));
  if (wrong.length > 0) throw new Error(`setWinogradStrides: strides must be 'auto' or among ${SCHEME_STRIDES.join(', ')}, got ${taken.join(', ')}`);
  strides = [...taken];
}

/** What the generated modules need of a convolution `winogradPays` took: its images, padding, output and stride. */
function geometryOf(info: tf.backend_util.Conv2DInfo): Omit<WinogradShape, 'activation'> {
  const {inHeight: H, inWidth: W, inChannels: Ci, outHeight: OH, outWidth: OW, outChannels: Co, padInfo: {top, left}} = info;
  return {H, W, Ci, top, left, OH, OW, Co, stride: info.strideHeight === 2 ? 2 : 1};
}

/**
 * x [N, H, W, Ci] convolved with the filter [3, 3, Ci, Co] at `filterAt`
 * (plus the bias at `biasAt`, or none), then the activation, into `out`;
 * false where the geometry did not compile (the caller convolves directly).
 */
export function winogradConvolution(backend: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, filterAt: number, biasAt: number | null,
                                    info: tf.backend_util.Conv2DInfo, activation: WinogradShape['activation'], out: tf.TensorInfo): boolean {
  return runWinograd(backend, kernels, x, filterAt, biasAt, info.batchSize, {...geometryOf(info), activation}, out);
}

/** Off: grouped convolutions on the generated direct convolution only (`withoutGroupedWinograd`). */
const groupedRoute = new OffSwitch();

/** Runs `body` with grouped convolutions on the direct kernel where Winograd's would run: how tests and benchmarks compare the two. */
export function withoutGroupedWinograd<T>(body: () => Promise<T> | T): Promise<T> {
  return groupedRoute.offWhile(body);
}

/**
 * Where a grouped convolution takes Winograd's route: 3x3, stride 1, each
 * group's outputs filling whole blocks of the generated tiles
 * (`groupedBlocksFit`), at least MIN_GROUP_CHANNELS inputs and outputs a
 * group, all channels in multiples of 4, and output rows and columns that
 * fill their 2x2 tiles but for at most MAX_TILE_WASTE of the sums.
 */
export function groupedWinogradPays(shape: {KH: number; KW: number; sh: number; sw: number; Ci: number; Co: number; groups: number;
                                            OH: number; OW: number}): boolean {
  const {KH, KW, sh, sw, Ci, Co, groups, OH, OW} = shape;
  const tiled = 4 * Math.ceil(OH / 2) * Math.ceil(OW / 2);
  return !winogradRoute.isOff && !groupedRoute.isOff && KH === 3 && KW === 3 && sh === 1 && sw === 1 && groups > 1 &&
      Ci % 4 === 0 && Co % 4 === 0 && Ci % groups === 0 && groupedBlocksFit(Co, groups) &&
      Ci / groups >= MIN_GROUP_CHANNELS && Co / groups >= MIN_GROUP_CHANNELS && 1 - OH * OW / tiled <= MAX_TILE_WASTE;
}

const MIN_GROUP_CHANNELS = 8;
const MAX_TILE_WASTE = 0.15;

/**
 * A grouped 3x3 stride-1 convolution (`groupedWinogradPays`): x [N, H, W,
 * Ci], its images at (top, left) of a frame padded with zeros, convolved
 * with the filter [3, 3, Ci / G, Co] at `filterAt` into `out` [N, OH, OW,
 * Co]; false where the geometry did not compile.
 */
export function groupedWinogradConvolution(backend: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, filterAt: number,
                                           frame: {N: number; H: number; W: number; top: number; left: number},
                                           shape: {OH: number; OW: number; Ci: number; Co: number; groups: number}, out: tf.TensorInfo): boolean {
  const {N, H, W, top, left} = frame, {OH, OW, Ci, Co, groups} = shape;
  return runWinograd(backend, kernels, x, filterAt, null, N, {H, W, Ci, top, left, OH, OW, Co, stride: 1, activation: 'linear', groups}, out);
}

function runWinograd(backend: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, filterAt: number, biasAt: number | null, N: number,
                     shape: WinogradShape, out: tf.TensorInfo): boolean {
  const {H, W, Ci, OH, OW, Co} = shape, groups = shape.groups ?? 1;
  const module = modules.moduleFor(backend, kernels, shape);
  if (module == null) return false;
  const geometry = winogradGeometry(shape);
  const filterFloats = transformedFilterFloats(Ci, Co, shape.stride, groups);
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  const xImage = H * W * Ci * F32, yImage = OH * OW * Co * F32;
  // The direct sums' count, not Winograd's: a call takes about the direct kernel's time per such multiply-add
  // over 1.3-1.9, and the transforms' passes weigh more at few channels, so this is what says whether
  // splitting the images pays for waking the pool.
  const multiplyAdds = N * OH * OW * 9 * (Ci / groups) * Co;
  // The transformed filter, then a bias of zeros where there is none.
  withScratch(backend, (filterFloats + Co) * F32, transformed => {
    (module.exports['transformFilter'] as (w: number, u: number) => void)(filterAt, transformed);
    const bias = biasAt ?? transformed + filterFloats * F32;
    byImagesWithScratch(backend, kernels, module, 'forward', N, multiplyAdds, 1, geometry.scratchBytes, (n0, count, scratch) =>
        [at(x) + n0 * xImage, scratch, transformed, bias, at(out) + n0 * yImage, count]);
  });
  return true;
}

/**
 * Runs a module's per-image function over ranges of the N images (split
 * over the kernel pool where `multiplyAdds` pays, as runGeneratedByImageRanges
 * does), each range with its own `slotBytes` of scratch: a range runs on
 * one thread at a time, so it reuses its scratch image after image.
 */
function byImagesWithScratch(backend: BackendWasm, kernels: SimdKernels, module: GeneratedModule, kernel: string, N: number,
                             multiplyAdds: number, slower: number, slotBytes: number,
                             argsOf: (n0: number, count: number, scratch: number) => number[]): void {
  withScratch(backend, imageRangesAtMost(backend) * slotBytes, scratch => {
    let range = 0;
    runGeneratedByImageRanges(backend, kernels, module, kernel, N, multiplyAdds, slower,
                              (n0, count) => argsOf(n0, count, scratch + (range++) * slotBytes));
  }, false);
}

const gradientModules = new GeneratedModules<WinogradFilterGradShape>('winograd-filter-grad', winogradFilterGradModuleText,
                                                                     'the direct filter gradient');

/** The filter gradients' geometries compiled so far in this process (tests check the route ran). */
export function compiledWinogradFilterGradGeometries(): string[] {
  return gradientModules.geometries();
}

/**
 * Where the filter gradient takes Winograd's route: as `winogradPays`,
 * with output channels in multiples of 8, 16 or more inputs and 24 or
 * more outputs. It wins only where there are many channels: its
 * transforms write and read planes of every tile of the batch, about
 * (Ci + Co) values a tile and position for Ci * Co products. Per call
 * against the generated direct filter gradient, ms, one thread /
 * two (2026-12-06): [32, 32, 24] -> 32 21-26 / 14 against 27 / 20.5,
 * [16, 16, 24] -> 48 7.7 / 4.8-5.1 against 11.3 / 7.1, [32, 32, 16] -> 24
 * 13.7 / 9.0 against 15-16 / 9.5-10, [7, 7, 16] -> 32 0.9 against 1.1,
 * [4, 4, 128] -> 128 3.9 against 7.8; level with 16 outputs (from 24, 32,
 * 48 or 64 inputs), lost with 8 inputs ([32, 32, 8] -> 16 6.3-6.8 against
 * 3.5-3.9) and with 16 each way ([14, 14, 16] -> 16 1.7 against 1.3;
 * docs/engine.md). The multiple of 8 is from its first products kernel
 * (`transposedProducts`' 8-wide tiles); the generated products now in the
 * module take any multiple of 4, but were not measured at those widths.
 */
export function winogradFilterGradientPays(info: tf.backend_util.Conv2DInfo): boolean {
  return winogradFits(info) && strideTaken(info, 1) && info.outChannels % 8 === 0 && info.inChannels >= MIN_FILTER_GRADIENT_INPUTS &&
      info.outChannels >= MIN_FILTER_GRADIENT_OUTPUTS;
}

const MIN_FILTER_GRADIENT_INPUTS = 16;
const MIN_FILTER_GRADIENT_OUTPUTS = 24;

/**
 * dW [3, 3, Ci, Co] of the convolution `info` describes, from x and dy;
 * null where the geometry did not compile (the caller takes another route).
 * Chunk by chunk of images (`filterGradientChunk`: the whole batch with
 * the kernel pool), the chunk's tiles are transformed (split by images
 * over the pool) and each position's products are added to its sums by
 * the module's `products` (split by positions over the pool); then the
 * sums go back to dW on the calling thread. Each sum adds its rows in one
 * order on one thread: the result depends neither on the threads nor on
 * the chunks.
 */
export function winogradFilterGradient(backend: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, dy: tf.TensorInfo,
                                       info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const {batchSize: N, inChannels: Ci, outChannels: Co, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW} = info;
  const convolution = geometryOf(info);
  // One image's planes (V and Z) decide the chunk.
  const image = winogradGradientPlanes({...convolution, N: 1});
  const chunk = filterGradientChunk(N, image.vBytes + image.zBytes, kernelPoolFor(backend) != null);
  const shape: WinogradFilterGradShape = {...convolution, N, ...(chunk < N ? {chunk} : {})};
  const module = gradientModules.moduleFor(backend, kernels, shape);
  if (module == null) return null;
  const geometry = winogradGeometry(shape);
  const {vBytes, zBytes} = winogradGradientPlanes(shape);
  const sumsBytes = geometry.positions * Ci * Co * F32;
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  const dw = backend.makeOutput([3, 3, Ci, Co], 'float32');
  const imageX = H * W * Ci * F32, imageY = OH * OW * Co * F32;
  // The transforms' work in multiply-adds' worth (a few additions a value), for the pool's threshold.
  const transformWork = chunk * geometry.tiles * geometry.positions * (Ci + Co);
  withScratch(backend, vBytes + zBytes + sumsBytes, scratch => {
    const V = scratch, Z = V + vBytes, sums = Z + zBytes;
    // The products add each chunk's rows to the sums, in row order: the same additions whatever the chunk.
    zeroHeap(backend, sums, sumsBytes);
    for (let c0 = 0; c0 < N; c0 += chunk) {
      const xAt = at(x) + c0 * imageX, dyAt = at(dy) + c0 * imageY;
      // Each range of the chunk's images pads into its own frame, transforms into its own tiles of V and Z.
      byImagesWithScratch(backend, kernels, module, 'transforms', chunk, transformWork, 8, geometry.xpBytes, (n0, count, xp) =>
          [xAt, xp, dyAt, V, Z, n0, count]);
      runGeneratedByParts(backend, kernels, module, 'products', [V, Z, sums], geometry.positions,
                          chunk * geometry.tiles * geometry.positions * Ci * Co);
    }
    (module.exports['filterFromSums'] as (sums: number, dw: number) => void)(sums, at(dw));
  }, false);
  return dw;
}

/**
 * Images whose planes V and Z the filter gradient transforms before
 * summing their products: at one thread, chunks of about a core's
 * second-level cache (`CHUNK_BYTES`, whole images dividing the batch), so
 * the products read what the transforms just wrote; with the kernel pool,
 * the whole batch, whose transforms split by images and products by
 * positions over the threads. Per call, batch 64, one thread, whole batch
 * against chunks of 1, 2, 4, 8 images, best 3 of 5 rounds of 5 calls, two
 * processes of each, 2026-12-06, ms: [14, 14, 32] -> 32 4.7-5.8 against
 * 2.8-3.3, 2.9-3.2, 3.1-3.4, 2.9-3.1; [28, 28, 24] -> 32 15.5-16.5
 * against 8.8-11.8, 8.8-9.0, 9.2-9.6, 11.2-11.4; [14, 14, 64] -> 64
 * 14.0-14.8 against 9.4-13.8, 9.6, 9.6-13.5, 10.0-10.4; [7, 7, 64] -> 64
 * 4.1-5.0 against 4.4-4.9, 4.1-4.5, 4.0-4.4, 4.0-4.2; [4, 4, 128] ->
 * 128 3.6-4.5 against 3.9-6.2, 3.9-4.4, 3.6-3.9, 3.5-3.8. At two threads
 * chunks were level on the large shapes and lost on the small ones
 * ([7, 7, 64] -> 64 2.4-3.1 against 3.7-4.4), so the pool keeps the
 * whole batch (docs/engine.md, "The Winograd filter gradient in chunks").
 */
function filterGradientChunk(N: number, imageBytes: number, pooled: boolean): number {
  if (forcedChunk === 'whole' || (forcedChunk === 'auto' && pooled)) return N;
  let chunk = typeof forcedChunk === 'number' ? forcedChunk : Math.floor(CHUNK_BYTES / imageBytes);
  chunk = Math.max(1, Math.min(N, chunk));
  while (N % chunk !== 0) chunk--;
  return chunk;
}

const CHUNK_BYTES = 1 << 20;
let forcedChunk: number | 'whole' | 'auto' = 'auto';

/**
 * The filter gradient's chunks: 'auto' (by `CHUNK_BYTES` at one thread,
 * the whole batch with the kernel pool), 'whole', or a number of images
 * (the largest that divides the batch, not above it): how tests and
 * benchmarks compare them.
 */
export function setWinogradFilterChunk(images: number | 'whole' | 'auto' = 'auto'): void {
  if (typeof images === 'number' && !(Number.isInteger(images) && images >= 1)) {
    throw new Error(`setWinogradFilterChunk: images must be a whole number from 1, 'whole' or 'auto', got ${images}`);
  }
  forcedChunk = images;
}
