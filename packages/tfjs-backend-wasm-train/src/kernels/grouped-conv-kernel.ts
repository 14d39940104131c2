/**
 * A grouped convolution as one kernel, with its two gradients, on wasm and
 * cpu: what lib/layers/group-conv.ts's 'direct' route runs.
 *
 * TF.js has no grouped convolution and tfjs-backend-wasm passes no groups to
 * XNNPACK, so the other routes are G convolutions between a split and a
 * concat, or a depthwise convolution and a sum. For the small groups of
 * CondenseNet's 3x3 layers (8 inputs, 2 outputs a group) XNNPACK's kernels,
 * tiled for many output channels, ran at 2-4 GFLOP/s, and the split and
 * concat came on top: a third of chapter 04's training step. Here one pass
 * computes every group: on wasm as WebAssembly SIMD code generated for the
 * layer's geometry (wasm/sources/grouped-conv.ts) when each group's
 * inputs and all the outputs are multiples of 4, else, and on cpu, as the
 * JavaScript loops below. Other backends keep the split route.
 *
 *   y[b, oy, ox, g*m + j] = sum over ky, kx, i < n of
 *       x[b, oy*s + ky - padTop, ox*s + kx - padLeft, g*n + i] * w[ky, kx, i, g*m + j]
 * with n = Cin / G inputs and m = Cout / G outputs a group, NHWC, the
 * kernel [KH, KW, n, Cout] as GroupConv2D holds it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {expectRank, heapF32, spreadPadded, withPaddedImages} from '../wasm/heap';
import {PhaseConvolution, inputGradientByPhases} from './input-grad-phases';
import {groupedDirectConvolution, groupedDirectConvolutionRuns} from './direct-conv';
import {groupedBlocksFit, paddedSize} from '../wasm/sources/direct-conv';
import {GeneratedModules} from '../wasm/generated-modules';
import {GeneratedModule, SimdKernels, heapFloats, heapInts, runtimeAssemblyAvailable, simdKernels, withScratch} from '../wasm/simd-kernels';
import {GroupConvShape, MAX_UNROLLED_PRODUCTS, groupConvModuleText, paddedInput, unrolledProducts} from '../wasm/sources/grouped-conv';
import {KERNEL_ACCESS, KernelAccess, registerAccessKernel} from './kernel-access';
import {Geometry, filterGradLoops, forwardLoops, inputGradLoops} from './grouped-conv-loops';
import {SLOWER_MULTIPLY_ADDS, runGeneratedByImages, runGeneratedByParts} from '../wasm/kernel-pool';

export const GROUP_CONV = 'LabGroupConv2D';
const INPUT_GRAD = 'LabGroupConv2DBackpropInput';
const FILTER_GRAD = 'LabGroupConv2DBackpropFilter';


const F32 = Float32Array.BYTES_PER_ELEMENT;

/**
 * A small group's multiply-add takes several times a product's
 * (CondenseNet's [64, 14, 14, 32] -> 8, G = 4: 7.2 M in 2.7 ms, one thread,
 * 2026-12-05), so splitting its images over the kernel pool pays from as
 * little work as the per-image input gradients' (kernel-pool.ts).
 */
const GROUPED_SLOWER = SLOWER_MULTIPLY_ADDS;

interface GroupConvAttrs {
  groups: number;
  strides: number;
  pad: 'same' | 'valid';
}

function attrsOf(kernel: string, attrs: tf.NamedAttrMap): GroupConvAttrs {
  const groups = attrs['groups'] as number, strides = attrs['strides'] as number, pad = attrs['pad'] as 'same' | 'valid';
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`Error in ${kernel}: groups must be a whole number >= 1, got ${groups}`);
  if (!Number.isInteger(strides) || strides < 1) throw new Error(`Error in ${kernel}: strides must be a whole number >= 1, got ${strides}`);
  if (pad !== 'same' && pad !== 'valid') throw new Error(`Error in ${kernel}: pad must be 'same' or 'valid', got '${String(pad)}'`);
  return {groups, strides, pad};
}

/** The geometry of x [N, H, W, Cin] with a grouped kernel [KH, KW, n, Cout], checked. */
function geometryOf(kernel: string, xShape: readonly number[], filterShape: readonly number[], attrs: GroupConvAttrs): Geometry {
  expectRank(kernel, 'x', xShape, 4);
  expectRank(kernel, 'filter', filterShape, 4);
  const [N, H, W, Cin] = xShape, [KH, KW, n, Cout] = filterShape;
  const {groups, strides, pad} = attrs;
  if (n * groups !== Cin) {
    throw new Error(`Error in ${kernel}: a kernel for ${n} inputs a group x ${groups} groups does not fit ${Cin} input channels`);
  }
  if (Cout % groups !== 0) throw new Error(`Error in ${kernel}: ${Cout} output channels do not divide into ${groups} groups`);
  const info = tf.backend_util.computeConv2DInfo(
      [N, H, W, Cin], [KH, KW, n, Cout] as [number, number, number, number], strides, 1, pad);
  return {N, H, W, Cin, OH: info.outHeight, OW: info.outWidth, Cout, KH, KW, stride: strides,
          padTop: info.padInfo.top, padLeft: info.padInfo.left, n, m: Cout / groups};
}

/**
 * The modules wasm/sources/grouped-conv.ts generates, per geometry and
 * padding. Their functions (byte addresses; N the batch):
 * forward(xp, w, offs, y, N), inputGrad(dyp, w, dx, N) and
 * filterGrad(xp, dy, acc, N, g0, g1), the last for groups g0 .. g1 - 1
 * only, each group summing into its own part of acc.
 */
const modules = new GeneratedModules<[GroupConvShape, number, number]>(
    'group-conv', ([shape], memory) => groupConvModuleText(shape, memory), 'the JavaScript loops');

/** The geometries compiled so far in this process (tests check the compiled kernels ran). */
export function compiledGroupConvGeometries(): string[] {
  return modules.geometries();
}

function shapeOf(g: Geometry): GroupConvShape {
  return {H: g.H, W: g.W, Cin: g.Cin, OH: g.OH, OW: g.OW, Cout: g.Cout, KH: g.KH, KW: g.KW, stride: g.stride, n: g.n, m: g.m};
}

/**
 * The kernels compiled for this geometry (compiled on first use) with the
 * package's SIMD kernels they run beside; null where the JavaScript loops serve
 * instead: SIMD kernels not loaded (or switched off), channels not in
 * multiples of 4, a body too large to unroll, or padding wider than the
 * kernel less one.
 */
function compiledFor(wasm: BackendWasm, g: Geometry): {generated: GeneratedModule; kernels: SimdKernels} | null {
  const kernels = simdKernels(wasm);
  if (kernels == null || g.n % 4 !== 0 || g.Cout % 4 !== 0 || g.padTop > g.KH - 1 || g.padLeft > g.KW - 1) return null;
  const shape = shapeOf(g);
  if (unrolledProducts(shape) > MAX_UNROLLED_PRODUCTS) return null;
  const generated = modules.moduleFor(wasm, kernels, [shape, g.padTop, g.padLeft]);
  return generated == null ? null : {generated, kernels};
}

function addressOf(wasm: BackendWasm, info: tf.TensorInfo): number {
  return wasm.getMemoryOffset(info.dataId);
}

/** x in its padded frame [N, Hp, Wp, Cin] (wasm/heap.ts), where every tap of the compiled kernels reads inside it. */
function withPaddedInput<T>(wasm: BackendWasm, kernels: SimdKernels, x: tf.TensorInfo, g: Geometry, body: (xp: number) => T): T {
  const {Hp, Wp} = paddedInput(shapeOf(g));
  return withPaddedImages(wasm, kernels, x, {N: g.N, H: g.H, W: g.W, C: g.Cin, Hp, Wp, top: g.padTop, left: g.padLeft}, body);
}

/** The Conv2DInfo `spreadPadded` and `inputGradientByPhases` read (batch, sizes, strides, kernel, padding). */
function convInfoOf(g: Geometry): tf.backend_util.Conv2DInfo {
  const info = tf.backend_util.computeConv2DInfo([g.N, g.H, g.W, g.Cin], [g.KH, g.KW, g.n, g.Cout], g.stride, 1, 'valid');
  return {...info, outHeight: g.OH, outWidth: g.OW, padInfo: {...info.padInfo, top: g.padTop, left: g.padLeft}};
}

/**
 * Each output channel's filter taps and group inputs contiguous, [Cout][KH][KW][n],
 * and each output channel's group input offset in bytes (g * n * 4), into scratch.
 */
function forwardWeights(wasm: BackendWasm, filterValues: Float32Array, g: Geometry, scratch: number): number {
  const {KH, KW, n, Cout, m} = g, taps = KH * KW;
  const w = heapFloats(wasm, scratch, taps * n * Cout);
  for (let co = 0; co < Cout; co++) {
    for (let t = 0; t < taps; t++) {
      for (let i = 0; i < n; i++) w[(co * taps + t) * n + i] = filterValues[(t * n + i) * Cout + co];
    }
  }
  const offsAt = scratch + taps * n * Cout * F32;
  const offs = heapInts(wasm, offsAt, Cout);
  for (let co = 0; co < Cout; co++) offs[co] = Math.floor(co / m) * n * F32;
  return offsAt;
}

/**
 * For each of `taps` blocks, `from`'s [rows][columns] written to `to` as
 * [columns][rows]: the kernel [KH, KW, n, Cout] to [KH][KW][Cout][n] (the
 * input gradient's weights) and back (the filter gradient's sums).
 */
function transposeEachTap(from: Float32Array, to: Float32Array, taps: number, rows: number, columns: number): void {
  for (let t = 0; t < taps; t++) {
    const block = t * rows * columns;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) to[block + c * rows + r] = from[block + r * columns + c];
    }
  }
}

function forward(access: KernelAccess, wasm: BackendWasm | null, x: tf.TensorInfo, filter: tf.TensorInfo, g: Geometry): tf.TensorInfo {
  const out = access.output([g.N, g.OH, g.OW, g.Cout]);
  // Whole blocks of outputs a group: the generated convolution's tiles, which hold more sums than this module's.
  if (wasm != null && groupedDirectConvolutionRuns(wasm, g.Cin, g.Cout, g.Cin / g.n)) {
    const {Hp, Wp} = paddedSize({OH: g.OH, OW: g.OW, KH: g.KH, KW: g.KW, sh: g.stride, sw: g.stride});
    if (groupedDirectConvolution(wasm, x, () => access.read(filter), {N: g.N, H: g.H, W: g.W, top: g.padTop, left: g.padLeft},
                                 {Hp, Wp, Ci: g.Cin, OH: g.OH, OW: g.OW, Co: g.Cout, KH: g.KH, KW: g.KW, sh: g.stride, sw: g.stride,
                                  groups: g.Cin / g.n}, out.info)) {
      return out.info;
    }
  }
  const simd = wasm == null ? null : compiledFor(wasm, g);
  if (simd != null) {
    const {KH, KW, n, Cout} = g;
    withScratch(wasm!, (KH * KW * n * Cout + Cout) * F32, scratch => {
      const offsAt = forwardWeights(wasm!, access.read(filter), g, scratch);
      const {Hp, Wp} = paddedInput(shapeOf(g));
      // Images are independent: on a kernel pool they are split over every core.
      withPaddedInput(wasm!, simd.kernels, x, g, xp => runGeneratedByImages(wasm!, simd.kernels, simd.generated, 'forward',
          xp, [scratch, offsAt], addressOf(wasm!, out.info), g.N, Hp * Wp * g.Cin * F32, g.OH * g.OW * Cout * F32,
          g.N * g.OH * g.OW * Cout * KH * KW * n, GROUPED_SLOWER));
    });
    return out.info;
  }
  forwardLoops(access.read(x), access.read(filter), out.values, g);
  return out.info;
}

function inputGrad(access: KernelAccess, wasm: BackendWasm | null, dy: tf.TensorInfo, filter: tf.TensorInfo, g: Geometry): tf.TensorInfo {
  // The input gradient's convolutions map Cout channels to Cin, in the same groups.
  if (wasm != null && groupedDirectConvolutionRuns(wasm, g.Cout, g.Cin, g.Cin / g.n)) {
    const dx = inputGradByPhases(wasm, dy, filter, g);
    if (dx != null) return dx;
  }
  const out = access.output([g.N, g.H, g.W, g.Cin]);
  const simd = wasm == null ? null : compiledFor(wasm, g);
  if (simd != null) {
    const {KH, KW, n, Cout} = g, taps = KH * KW;
    // The kernel as [KH][KW][Cout][n]: for one output channel, its group's inputs contiguous.
    withScratch(wasm!, taps * n * Cout * F32, scratch => {
      transposeEachTap(access.read(filter), heapFloats(wasm!, scratch, taps * n * Cout), taps, n, Cout);
      const spread = spreadPadded(wasm!, dy, convInfoOf(g));
      try {
        const [, Hq, Wq] = spread.shape;
        runGeneratedByImages(wasm!, simd.kernels, simd.generated, 'inputGrad', addressOf(wasm!, spread), [scratch], addressOf(wasm!, out.info),
            g.N, Hq! * Wq! * Cout * F32, g.H * g.W * g.Cin * F32, g.N * g.OH * g.OW * Cout * KH * KW * n, GROUPED_SLOWER);
      } finally {
        wasm!.disposeData(spread.dataId);
      }
    });
    return out.info;
  }
  inputGradLoops(access.read(dy), access.read(filter), out.values, g);
  return out.info;
}

/**
 * The input gradient as stride-1 grouped convolutions of dy on the generated
 * convolution, one per phase of the stride (input-grad-phases.ts): each
 * phase's kernel holds the taps it meets, rotated, with each group's inputs
 * and outputs swapped ([taps][taps][m][Cin]); dy is padded by the kernel as
 * it reads it. At stride 2 this does the forward pass's multiply-adds once,
 * where dy spread into zeros multiplied four times as many; at stride 1 the
 * one phase writes dx itself. Null where a phase did not compile (the
 * caller computes another way).
 */
function inputGradByPhases(wasm: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, g: Geometry): tf.TensorInfo | null {
  const {N, KW, n, m, Cin, Cout, OH, OW} = g, groups = Cin / n;
  let compiled = true;
  const conv: PhaseConvolution = {
    channels: Cin,
    phaseFilter: (rows, cols) => {
      const phase = wasm.makeOutput([rows.length, cols.length, m, Cin], 'float32');
      const w = heapF32(wasm, filter), out = heapF32(wasm, phase);
      rows.forEach((kh, u) => cols.forEach((kw, v) => {
        const to = (u * cols.length + v) * m * Cin, from = (kh * KW + kw) * n * Cout;
        for (let group = 0; group < groups; group++) {
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < m; j++) out[to + j * Cin + group * n + i] = w[from + i * Cout + group * m + j];
          }
        }
      }));
      return phase;
    },
    convolve: (source, phase, pad) => {
      const [, [top, bottom], [left, right]] = pad === 'valid' ? [[0, 0], [0, 0], [0, 0], [0, 0]] : pad;
      const [R, C] = phase.shape as [number, number];
      const Hp = OH + top + bottom, Wp = OW + left + right;
      const out = wasm.makeOutput([N, Hp - R + 1, Wp - C + 1, Cin], 'float32');
      compiled &&= groupedDirectConvolution(wasm, source, () => heapF32(wasm, phase), {N, H: OH, W: OW, top, left},
          {Hp, Wp, Ci: Cout, OH: Hp - R + 1, OW: Wp - C + 1, Co: Cin, KH: R, KW: C, sh: 1, sw: 1, groups}, out);
      return out;
    },
  };
  const dx = inputGradientByPhases(wasm, simdKernels(wasm)!, dy, convInfoOf(g), conv);
  if (compiled) return dx;
  // A phase's geometry did not compile: dx is not the gradient (the phases' outputs are freed already).
  wasm.disposeData(dx.dataId);
  return null;
}

function filterGrad(access: KernelAccess, wasm: BackendWasm | null, x: tf.TensorInfo, dy: tf.TensorInfo, g: Geometry): tf.TensorInfo {
  const {KH, KW, n, Cout} = g, taps = KH * KW;
  const out = access.output([KH, KW, n, Cout]);
  const simd = wasm == null ? null : compiledFor(wasm, g);
  if (simd != null) {
    // Accumulated as [KH][KW][Cout][n] (zeroed scratch), then laid out as the kernel.
    withScratch(wasm!, taps * n * Cout * F32, scratch => {
      // Groups are independent: on a kernel pool they are split over every core.
      withPaddedInput(wasm!, simd.kernels, x, g, xp => runGeneratedByParts(wasm!, simd.kernels, simd.generated, 'filterGrad',
          [xp, addressOf(wasm!, dy), scratch, g.N], g.Cin / n, g.N * g.OH * g.OW * Cout * taps * n, GROUPED_SLOWER));
      transposeEachTap(heapFloats(wasm!, scratch, taps * n * Cout), out.values, taps, Cout, n);
    });
    return out.info;
  }
  filterGradLoops(access.read(x), access.read(dy), out.values, g);
  return out.info;
}

function need(kernel: string, inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const info = inputs[name];
  if (info == null) throw new Error(`Error in ${kernel}: missing input '${name}'`);
  if (info.dtype !== 'float32') throw new Error(`Error in ${kernel}: ${name} must be float32, got ${info.dtype}`);
  return info;
}

/** dy must have the convolution's output shape. */
function expectOutputShape(kernel: string, dy: tf.TensorInfo, g: Geometry): void {
  const expected = [g.N, g.OH, g.OW, g.Cout];
  if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== expected[i])) {
    throw new Error(`Error in ${kernel}: dy must have shape [${expected.join(', ')}] (the convolution's output), got [${dy.shape.join(', ')}]`);
  }
}

let registered = false;

/** Registers the three kernels for wasm and cpu, and the forward kernel's gradient (idempotent). */
export function registerGroupConvKernels(): void {
  if (registered) return;
  registerAccessKernel(GROUP_CONV, (access, inputs, attrs, wasm) => {
    const x = need(GROUP_CONV, inputs, 'x'), filter = need(GROUP_CONV, inputs, 'filter');
    const g = geometryOf(GROUP_CONV, x.shape, filter.shape, attrsOf(GROUP_CONV, attrs));
    return forward(access, wasm, x, filter, g);
  });
  registerAccessKernel(INPUT_GRAD, (access, inputs, attrs, wasm) => {
    const dy = need(INPUT_GRAD, inputs, 'dy'), filter = need(INPUT_GRAD, inputs, 'filter');
    const g = geometryOf(INPUT_GRAD, attrs['inputShape'] as number[], filter.shape, attrsOf(INPUT_GRAD, attrs));
    expectOutputShape(INPUT_GRAD, dy, g);
    return inputGrad(access, wasm, dy, filter, g);
  });
  registerAccessKernel(FILTER_GRAD, (access, inputs, attrs, wasm) => {
    const x = need(FILTER_GRAD, inputs, 'x'), dy = need(FILTER_GRAD, inputs, 'dy');
    const g = geometryOf(FILTER_GRAD, x.shape, attrs['filterShape'] as number[], attrsOf(FILTER_GRAD, attrs));
    expectOutputShape(FILTER_GRAD, dy, g);
    return filterGrad(access, wasm, x, dy, g);
  });
  tf.registerGradient({
    kernelName: GROUP_CONV,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved;
      const grad = dy as tf.Tensor;
      const common = {groups: attrs['groups'], strides: attrs['strides'], pad: attrs['pad']} as tf.NamedAttrMap;
      return {
        x: () => tf.engine().runKernel(INPUT_GRAD, {dy: grad, filter}, {...common, inputShape: x.shape}) as tf.Tensor,
        filter: () => tf.engine().runKernel(FILTER_GRAD, {x, dy: grad}, {...common, filterShape: filter.shape}) as tf.Tensor,
      };
    },
  });
  registered = true;
}

/** Whether the current backend has the kernel (wasm and cpu, once the engine has started). */
export function groupConvKernelHere(): boolean {
  return registered && tf.getKernel(GROUP_CONV, tf.getBackend()) != null;
}

/**
 * Whether the kernel runs as the package's SIMD code for these channels on the
 * current backend: wasm with its SIMD kernels loaded and wabt handed over
 * (`useWabt`: the code is generated per geometry), each group's inputs
 * and all the outputs multiples of 4 (what wasm/sources/grouped-conv.ts needs).
 */
export function groupConvSimdHere(inChannels: number, outChannels: number, groups: number): boolean {
  if (!groupConvKernelHere() || tf.getBackend() !== 'wasm') return false;
  return simdKernels(tf.backend() as BackendWasm) != null && runtimeAssemblyAvailable() &&
      (inChannels / groups) % 4 === 0 && outChannels % 4 === 0;
}

/**
 * Whether the forward pass and the input gradient run on the package's
 * generated convolution (kernels/direct-conv.ts): the kernel runs as SIMD
 * code here and each group's outputs fill whole tiles of it (a multiple
 * of 4 up to 16, or of 16).
 */
export function groupConvOnGeneratedTiles(inChannels: number, outChannels: number, groups: number): boolean {
  return groupConvSimdHere(inChannels, outChannels, groups) && groupedBlocksFit(outChannels, groups);
}

/** The grouped convolution as one kernel call (see the module comment). */
export function groupConv2dKernel(x: tf.Tensor4D, kernel: tf.Tensor4D, groups: number, strides: number,
                                  padding: 'same' | 'valid'): tf.Tensor4D {
  if (!groupConvKernelHere()) {
    throw new Error(`GroupConv2D route 'direct' needs the grouped-convolution kernel, which the '${tf.getBackend()}' backend lacks ` +
                    `(it is registered for ${Object.keys(KERNEL_ACCESS).join(' and ')}); use route 'auto' or 'split'`);
  }
  return tf.engine().runKernel(GROUP_CONV, {x, filter: kernel}, {groups, strides, pad: padding}) as tf.Tensor4D;
}
