/**
 * Conv2D and FusedConv2D on wasm as the package's own kernel, generated
 * for each geometry (wasm/sources/direct-conv.ts), where it beats
 * XNNPACK's: register tiles of 2 pixels x 16 output channels (more pixels
 * for narrower blocks) with fused multiply-adds, over a zero-padded copy of
 * the input. The input gradient's stride-1 convolutions
 * (input-grad-phases.ts) and the grouped convolution's, where each group
 * fills whole tiles (grouped-conv-kernel.ts), run on it too.
 *
 * Why: on 128-bit SIMD XNNPACK's 3x3 convolutions ran at 15-17 GFLOP/s
 * here, this kernel at 25-30 (one thread, 2026-12-05, docs/engine.md),
 * and the forward pass and the input gradient are two thirds of a 3x3
 * network's step. Elsewhere (shapes it does not cover, `directConvPays`
 * false, no SIMD kernels) the stock kernels run.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {WasmKernel, expectRank, input, padsNothing, stockKernel} from '../wasm/heap';
import {runGeneratedByImageRanges, runGeneratedByImages} from '../wasm/kernel-pool';
import {GeneratedModules} from '../wasm/generated-modules';
import {OffSwitch} from '../wasm/off-switch';
import {GeneratedModule, SimdKernels, heapFloats, memoryOf, simdKernels, withScratch} from '../wasm/simd-kernels';
import {groupedWinogradConvolution, groupedWinogradPays, winogradConvolution, winogradPays} from './winograd-conv';
import {DirectConvShape, channelBlocks, directConvModuleText, groupedBlocksFit, packFilter, packedFilterFloats,
        paddedSize} from '../wasm/sources/direct-conv';
import {wholeVectors} from '../wasm/sources/loops';

const F32 = Float32Array.BYTES_PER_ELEMENT;

/** The activations the kernel applies as it stores; FusedConv2D's others go to the stock kernel. */
type DirectActivation = DirectConvShape['activation'];

/**
 * Where the kernel pays against XNNPACK (measured on the benchmark nets'
 * shapes, docs/engine.md): no dilation, and 4 or more output channels.
 * Narrow blocks take more pixels a tile (4 x 8, 8 x 4), so 4 and 8 outputs
 * pay too: [64, 28, 28, 16] -> 8, 3x3, 5.3 ms against XNNPACK's 7.4, one
 * thread, 2026-12-05. Counts that are not a multiple of 4 compute the last
 * vector whole and store its first lanes: Xception's 182 channels, 1x1,
 * [64, 4, 4, 182] -> 182 1.5 ms against XNNPACK's 2.3, [64, 2, 2, 182]
 * 0.49 against 0.70, one thread, 2026-12-06.
 */
export function directConvPays(info: tf.backend_util.Conv2DInfo): boolean {
  return info.outChannels >= minOutputChannels &&
      info.dilationHeight === 1 && info.dilationWidth === 1;
}

const MIN_OUTPUT_CHANNELS = 4;
let minOutputChannels = MIN_OUTPUT_CHANNELS;

/**
 * Leaves convolutions under `channels` output channels (a multiple of 4;
 * the default is 4, every multiple of 4) to XNNPACK: how docs/engine.md
 * measured the narrow tiles against XNNPACK in one process.
 */
export function setDirectConvolutionFloor(channels: number = MIN_OUTPUT_CHANNELS): void {
  if (!Number.isInteger(channels) || channels < 4 || channels % 4 !== 0) {
    throw new Error(`setDirectConvolutionFloor: channels must be a positive multiple of 4, got ${channels}`);
  }
  minOutputChannels = channels;
}

/** Off: XNNPACK's convolutions everywhere (`withoutDirectConvolution`). */
const generatedConvolution = new OffSwitch();

/**
 * Runs `body` with XNNPACK's convolutions wherever the package's kernel
 * would run (forward passes and the input gradient's phases): how tests and
 * benchmarks compare the two in one process.
 */
export function withoutDirectConvolution<T>(body: () => Promise<T> | T): Promise<T> {
  return generatedConvolution.offWhile(body);
}

/** The forward pass compiled per geometry. */
const modules = new GeneratedModules<DirectConvShape>('direct-conv', directConvModuleText, "XNNPACK's");

/** The geometries compiled so far in this process (tests check the kernel ran). */
export function compiledDirectConvGeometries(): string[] {
  return modules.geometries();
}

/** Whether `directConvolution` takes `info` on `backend`: the SIMD kernels loaded, not switched off, and where it pays. */
export function directConvolutionRuns(backend: BackendWasm, info: tf.backend_util.Conv2DInfo): boolean {
  return !generatedConvolution.isOff && simdKernels(backend) != null && directConvPays(info);
}

/**
 * x [N, H, W, Ci] convolved with filter [KH, KW, Ci, Co] (plus bias [Co],
 * then the activation) as `info` says, on the package's kernel; null where
 * it does not pay or cannot run (the caller runs the stock kernel).
 */
export function directConvolution(backend: BackendWasm, x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo | null,
                                  info: tf.backend_util.Conv2DInfo, activation: DirectActivation): tf.TensorInfo | null {
  const kernels = simdKernels(backend);
  if (kernels == null || !directConvolutionRuns(backend, info)) return null;
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outHeight: OH, outWidth: OW, outChannels: Co,
         filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, padInfo: {top, left}} = info;
  if (bias != null && tf.util.sizeFromShape(bias.shape) !== Co) return null;
  if (winogradPays(info)) {
    const out = backend.makeOutput([N, OH, OW, Co], 'float32');
    const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
    if (winogradConvolution(backend, kernels, x, at(filter), bias != null ? at(bias) : null, info, activation, out)) return out;
    backend.disposeData(out.dataId);
  }
  const {Hp, Wp} = paddedSize({OH, OW, KH, KW, sh, sw});
  const shape = withFrame({Hp, Wp, Ci, OH, OW, Co, KH, KW, sh, sw, activation}, {N, H, W, top, left});
  const module = modules.moduleFor(backend, kernels, shape);
  if (module == null) return null;
  const out = backend.makeOutput([N, OH, OW, Co], 'float32');
  // A view made when it is read: taking the scratch may grow the memory, which detaches older views.
  const filterValues = () => heapFloats(backend, backend.getMemoryOffset(filter.dataId), KH * KW * Ci * Co);
  runModule(backend, kernels, module, x, filterValues, bias, N, shape, out);
  return out;
}

/**
 * Whether `groupedDirectConvolution` takes Ci -> Co channels in `groups`
 * groups on `backend`: the SIMD kernels loaded, not switched off, and each
 * group's outputs filling whole blocks. Callers ask before preparing its
 * inputs (the input gradient's rotated kernel and spread dy).
 */
export function groupedDirectConvolutionRuns(backend: BackendWasm, Ci: number, Co: number, groups: number): boolean {
  return !generatedConvolution.isOff && simdKernels(backend) != null && Ci % groups === 0 && groupedBlocksFit(Co, groups);
}

/**
 * A grouped convolution on the package's kernel: x [N, H, W, Ci] (in its
 * frame: H x W placed at top / left in zeros of Hp x Wp) with `filter`
 * [KH, KW, Ci / G, Co] (a function that returns the values: a view of
 * the heap must be taken after the scratch is), stride `sh` x `sw`, into
 * `out` [N, OH, OW, Co]; false where `groupedDirectConvolutionRuns` says
 * no or the geometry did not compile (the caller computes it another way). kernels/grouped-conv-kernel.ts's forward pass
 * and input gradient run here.
 */
export function groupedDirectConvolution(backend: BackendWasm, x: tf.TensorInfo, filter: () => Float32Array, frame: ImageFrame,
                                         shape: Omit<DirectConvShape, 'activation'> & {groups: number}, out: tf.TensorInfo): boolean {
  const kernels = simdKernels(backend);
  if (kernels == null || !groupedDirectConvolutionRuns(backend, shape.Ci, shape.Co, shape.groups)) return false;
  if (groupedWinogradPays(shape) && groupedWinograd(backend, kernels, x, filter, frame, shape, out)) return true;
  const full = withFrame({...shape, activation: 'linear' as const}, frame);
  const module = modules.moduleFor(backend, kernels, full);
  if (module == null) return false;
  runModule(backend, kernels, module, x, filter, null, frame.N, full, out);
  return true;
}

/** `groupedDirectConvolution` on Winograd's kernel, the filter copied into the heap where it is not there already. */
function groupedWinograd(backend: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, filter: () => Float32Array, frame: ImageFrame,
                         shape: Omit<DirectConvShape, 'activation'> & {groups: number}, out: tf.TensorInfo): boolean {
  const values = filter();
  const run = (filterAt: number) => groupedWinogradConvolution(backend, kernels, x, filterAt, frame, shape, out);
  if (values.buffer === memoryOf(backend)?.buffer) return run(values.byteOffset);
  return withScratch(backend, values.length * F32, at => {
    heapFloats(backend, at, values.length).set(values);
    return run(at);
  }, false);
}

/** Where x's images lie in the kernel's padded frame. */
interface ImageFrame { N: number; H: number; W: number; top: number; left: number }

/** `shape` with x's frame where x must be padded (the module then pads each image itself); as it is where x is its own frame. */
function withFrame<S extends DirectConvShape>(shape: S, frame: ImageFrame): S {
  if (padsNothing({...frame, Hp: shape.Hp, Wp: shape.Wp})) return shape;
  return {...shape, frame: {H: frame.H, W: frame.W, top: frame.top, left: frame.left}};
}

function runModule(backend: BackendWasm, kernels: SimdKernels, module: GeneratedModule, x: tf.TensorInfo, filter: () => Float32Array,
                   bias: tf.TensorInfo | null, N: number, shape: DirectConvShape, out: tf.TensorInfo): void {
  const {Hp, Wp, Ci, OH, OW, Co, KH, KW} = shape, groups = shape.groups ?? 1;
  const weightCount = KH * KW * (Ci / groups) * Co, multiplyAdds = N * weightCount * OH * OW;
  const packedCount = packedFilterFloats(KH, KW, Ci / groups, Co, groups), paddedCo = wholeVectors(Co);
  const xpImage = Hp * Wp * Ci * F32, yImage = OH * OW * Co * F32;
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  // Weights packed, then the bias (zeros where there is none), in one zeroed scratch, every vector whole: where
  // Co is not a multiple of 4 the last vector's extra lanes stay zeros.
  withScratch(backend, (packedCount + paddedCo) * F32, weights => {
    const values = filter();
    if (values.buffer === memoryOf(backend)?.buffer) packFilterInHeap(kernels, values.byteOffset, weights, shape);
    else packFilter(values, KH, KW, Ci / groups, Co, heapFloats(backend, weights, packedCount), groups);
    // The kernel reads the bias in whole vectors: one whose last is partial is copied next to the weights.
    const biasAt = bias != null && paddedCo === Co ? at(bias) : weights + packedCount * F32;
    if (bias != null && paddedCo !== Co) heapFloats(backend, biasAt, Co).set(heapFloats(backend, at(bias), Co));
    const frame = shape.frame;
    if (frame == null) {
      runGeneratedByImages(backend, kernels, module, 'forward', at(x), [weights, biasAt], at(out), N, xpImage, yImage, multiplyAdds);
      return;
    }
    // Each range of images is padded into its own part of xp by the thread that convolves it: no zeroing here.
    const xImage = frame.H * frame.W * Ci * F32;
    withScratch(backend, N * xpImage, xp => runGeneratedByImageRanges(backend, kernels, module, 'forwardPadding', N, multiplyAdds, 1,
        (n0, count) => [at(x) + n0 * xImage, xp + n0 * xpImage, weights, biasAt, at(out) + n0 * yImage, count]), false);
  });
}

/**
 * `packFilter` for a filter in the heap at `from`, into `to`: per block of
 * output channels one `copyGrid` of [Ci / G][KH * KW] runs of the block's
 * width (the JavaScript loop took 0.7 ms for a 3x3 filter of 128 x 128
 * channels, on the calling thread of every call, 2026-12-05).
 */
function packFilterInHeap(kernels: SimdKernels, from: number, to: number, shape: DirectConvShape): void {
  const {KH, KW, Co} = shape, groups = shape.groups ?? 1, taps = KH * KW, groupInputs = shape.Ci / groups;
  for (const [co0, width] of channelBlocks(Co, groups)) {
    const lanes = wholeVectors(width);
    kernels.copyGrid(from + co0 * F32, Co * F32, groupInputs * Co * F32, to + co0 * groupInputs * taps * F32, taps * lanes * F32, lanes * F32,
                     groupInputs, taps, width * F32);
  }
}

function convInfoOf(kernel: string, x: tf.TensorInfo, filter: tf.TensorInfo, attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo | null {
  expectRank(kernel, 'x', x.shape, 4);
  expectRank(kernel, 'filter', filter.shape, 4);
  const dataFormat = attrs['dataFormat'] as string | undefined;
  if (dataFormat != null && dataFormat !== 'NHWC') return null;
  return tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      attrs['strides'] as [number, number] | number, attrs['dilations'] as [number, number] | number ?? 1,
      attrs['pad'] as 'valid' | 'same' | number, attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined);
}

/** Conv2D: the package's kernel where it pays, else `stock`. */
export function conv2DKernel(stock: WasmKernel): WasmKernel {
  return args => {
    const x = input(args.inputs, 'x'), filter = input(args.inputs, 'filter');
    const info = convInfoOf('Conv2D', x, filter, args.attrs);
    return (info != null ? directConvolution(args.backend, x, filter, null, info, 'linear') : null) ?? stock(args);
  };
}

/** FusedConv2D (conv, bias, activation): the package's kernel for no activation or ReLU, else `stock`. */
export function fusedConv2DKernel(stock: WasmKernel): WasmKernel {
  return args => {
    const activation = (args.attrs['activation'] as string | undefined) ?? 'linear';
    if ((activation !== 'linear' && activation !== 'relu') || args.inputs['preluActivationWeights'] != null) return stock(args);
    const x = input(args.inputs, 'x'), filter = input(args.inputs, 'filter');
    const info = convInfoOf('FusedConv2D', x, filter, args.attrs);
    const bias = args.inputs['bias'] ?? null;
    return (info != null ? directConvolution(args.backend, x, filter, bias as tf.TensorInfo | null, info, activation) : null) ?? stock(args);
  };
}

/** The stock kernels the wrappers fall back to, captured before the package's replace them. */
export function directConvKernels(): {Conv2D: WasmKernel; FusedConv2D: WasmKernel} {
  return {Conv2D: conv2DKernel(stockKernel('Conv2D')), FusedConv2D: fusedConv2DKernel(stockKernel('FusedConv2D'))};
}
