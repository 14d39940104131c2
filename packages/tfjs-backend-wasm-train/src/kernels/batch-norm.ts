/**
 * Batch normalisation in training mode as two kernels instead of a graph of
 * ~15 small ops: one pass for the per-channel statistics, one to normalise;
 * one pass for the gradient's two reductions, one for dx. Profiling the lab
 * MobileNet on wasm showed batch norm's op graph (Sum, Mean, Multiply, Sub,
 * broadcasts) as the largest cost of a training step.
 *
 * Both passes have the same two shapes, whatever the direction:
 *   sums    s[c] = sum of (a - sa),  s[C + c] = sum of (a - sa) * (b - sb)
 *   affine  out = k[c] * u + k[C + c] * v + k[2C + c]          (per channel)
 * The shifts sa, sb (per channel) keep the sums from cancelling: the
 * forward pass shifts x by one of its own values per channel, so the sum of
 * squares is of deviations; the backward pass shifts x by the mean.
 * On wasm they run as the package's SIMD kernels (wasm/sources/batch-norm.ts)
 * once those are loaded, else (and on cpu) as the JavaScript loops below,
 * which ran at 6-8 ns an element over the wasm heap. Elsewhere
 * `batchNormTrainSupported()` is false and the layer keeps TF.js's own path.
 *
 *   forward   mean, var over N*H*W;  y = (x - mean) / sqrt(var + eps) * gamma + beta
 *   backward  x^ = (x - mean) * invStd
 *             dbeta = sum dy;  dgamma = sum dy * x^
 *             dx = gamma * invStd / M * (M * dy - dbeta - x^ * dgamma)
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {expectShape} from '../wasm/heap';
import {runByRows, runPassTasks} from '../wasm/kernel-pool';
import {heapF64, simdKernels, withScratch} from '../wasm/simd-kernels';
import {OffSwitch} from '../wasm/off-switch';
import {KERNEL_ACCESS, KernelAccess, kernelAccessHere} from './kernel-access';

/** Off: `channelSums` for every channel count (`withoutChannelSumsBy8`). */
const sumsByEight = new OffSwitch();

/** Runs `body` with batch norm's sums on `channelSums` only: tests check that `channelSumsBy8` gives the same bits. */
export function withoutChannelSumsBy8<T>(body: () => Promise<T> | T): Promise<T> {
  return sumsByEight.offWhile(body);
}

const FORWARD = 'LabBatchNormTrain';
const BACKWARD = 'LabBatchNormTrainGrad';

function need(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const info = inputs[name];
  if (info == null) throw new Error(`${FORWARD}: missing input '${name}'`);
  return info;
}

/**
 * The activation fused after batch norm: a ReLU (high Infinity) or ReLU6
 * (high 6), whose gradient keeps dy where low < z <= high, z being batch
 * norm's output before it. Forward (`kz` null) the affine pass clamps its
 * output to [low, high]; backward, `kz` holds z's coefficients as the
 * forward pass used them ([scale C, shift C], float32), and the passes
 * read a = u = dy only where z = scale * b + shift (b = v = x) is in the band.
 */
interface Band {
  low: number;
  high: number;
  kz: tf.TensorInfo | null;
}

/** Where the two passes run: typed views and JS loops, or heap addresses and wasm SIMD. */
interface ChannelPasses {
  access: KernelAccess;
  /**
   * Fills the shifts (`shift(sa, sb)`), sums s = [sum (a - sa), sum (a - sa)(b - sb)]
   * (float64, 2C), lets `body` fill k (3C) from them, then writes out = affine(u, v);
   * with v null, out = k[c] * u + k[2C + c] (k[C + c] unread). With `band`, as `Band` says.
   */
  run(a: tf.TensorInfo, b: tf.TensorInfo, u: tf.TensorInfo, v: tf.TensorInfo | null, out: tf.TensorInfo,
      shift: (sa: Float32Array, sb: Float32Array) => void,
      body: (s: Float64Array, k: Float32Array | Float64Array) => void, band?: Band): void;
}

/** Whether float32 z lies in the band's (low, high]: the test of bandGrad and the SIMD kernels. */
function inBand(z: number, band: Band): boolean {
  return z > band.low && z <= band.high;
}

/**
 * The checks made before either pass touches memory: float32 throughout,
 * `same` tensors shaped like x, `perChannel` ones [C] (C: x's last axis).
 */
function checkShapes(kernel: string, x: tf.TensorInfo, same: Array<[string, tf.TensorInfo]>, perChannel: Array<[string, tf.TensorInfo]>): void {
  if (x.shape.length < 1) throw new Error(`Error in ${kernel}: x must have a channel axis, got shape []`);
  const C = x.shape[x.shape.length - 1];
  for (const [name, info] of [['x', x] as [string, tf.TensorInfo], ...same, ...perChannel]) {
    if (info.dtype !== 'float32') throw new Error(`Error in ${kernel}: ${name} must be float32, got ${info.dtype}`);
  }
  for (const [name, info] of same) expectShape(kernel, name, info, x.shape, ' (the shape of x)');
  for (const [name, info] of perChannel) expectShape(kernel, name, info, [C], ' (one value per channel of x)');
}

function rowsAndChannelsOf(x: tf.TensorInfo): [rows: number, channels: number] {
  const channels = x.shape[x.shape.length - 1];
  return [tf.util.sizeFromShape(x.shape) / channels, channels];
}

function jsPasses(access: KernelAccess): ChannelPasses {
  return {
    access,
    run(a, b, u, v, out, shift, body, band) {
      const [, C] = rowsAndChannelsOf(a);
      const sa = new Float32Array(C), sb = new Float32Array(C);
      shift(sa, sb);
      const s = new Float64Array(2 * C);
      // z = scale * x + shift rounded once, as the forward pass below stored it.
      const KZ = band?.kz == null ? null : access.read(band.kz);
      const kept = (dy: number, x: number, c: number) => inBand(Math.fround(KZ![c] * x + KZ![C + c]), band!) ? dy : 0;
      {
        const A = access.read(a), B = access.read(b);
        // Row by row (one position's channels at a time): tight inner loops the JIT compiles well.
        for (let row = 0; row < A.length; row += C) {
          for (let c = 0; c < C; c++) {
            const value = (KZ == null ? A[row + c] : kept(A[row + c], B[row + c], c)) - sa[c];
            s[c] += value;
            s[C + c] += value * (B[row + c] - sb[c]);
          }
        }
      }
      const k = new Float64Array(3 * C);
      body(s, k);
      // Views are re-taken: the caller allocated outputs, and the wasm heap may have grown.
      const U = access.read(u), OUT = access.read(out);
      if (v == null) {
        for (let row = 0; row < U.length; row += C) {
          for (let c = 0; c < C; c++) OUT[row + c] = k[c] * U[row + c] + k[2 * C + c];
        }
        if (band != null) for (let i = 0; i < OUT.length; i++) OUT[i] = Math.min(Math.max(OUT[i], band.low), band.high);
        return;
      }
      const V = access.read(v);
      for (let row = 0; row < U.length; row += C) {
        for (let c = 0; c < C; c++) {
          const dy = KZ == null ? U[row + c] : kept(U[row + c], V[row + c], c);
          OUT[row + c] = k[c] * dy + k[C + c] * V[row + c] + k[2 * C + c];
        }
      }
    },
  };
}

/**
 * Rows a chunk of the sums pass: each chunk's sums are its own (float32
 * blocks of 32 rows added into float64, as one call of the kernel does),
 * and the chunks' sums are added up in chunk order, so the sums are the
 * same bits whether one thread or several ran the chunks. A multiple of 32.
 */
const SUM_CHUNK_ROWS = 1024;

/** Bytes rounded up to whole 64-byte cache lines: each chunk's sums on lines of their own. */
const lines = (bytes: number) => Math.ceil(bytes / 64) * 64;

function simdPasses(access: KernelAccess, backend: BackendWasm): ChannelPasses | null {
  const kernels = simdKernels(backend);
  if (kernels == null) return null;
  const at = (info: tf.TensorInfo) => backend.getMemoryOffset(info.dataId);
  return {
    access,
    run(a, b, u, v, out, shift, body, band) {
      const [rows, C] = rowsAndChannelsOf(a);
      const chunks = Math.max(1, Math.ceil(rows / SUM_CHUNK_ROWS));
      const accBytes = lines(2 * C * 8), blockBytes = lines(2 * C * 4), chunkBytes = accBytes + blockBytes;
      // Scratch, zeroed: per chunk float64 sums (2C) and float32 block sums (2C); then the chunks' sums added up
      // (float64, 2C), shifts (2C), coefficients (3C) and the band's edges (2), float32.
      withScratch(backend, chunks * chunkBytes + 2 * C * 8 + 5 * C * 4 + 8, scratch => {
        const sums = scratch + chunks * chunkBytes, shifts = sums + 2 * C * 8, coefficients = shifts + 2 * C * 4;
        const edges = coefficients + 3 * C * 4;
        // Views after every allocation (which may grow the heap): none happens below.
        const buffer = heapF64(backend, sums, 2 * C).buffer;
        shift(new Float32Array(buffer, shifts, C), new Float32Array(buffer, shifts + C * 4, C));
        if (band != null) new Float32Array(buffer, edges, 2).set([band.low, band.high]);
        // The same sums either way; eight channels at a time in registers where they divide.
        const byEight = C % 8 === 0 && !sumsByEight.isOff;
        const banded = band?.kz != null;
        // The mask's arguments: z's coefficients and the band's edges.
        const bandArgs = banded ? [at(band!.kz!), edges] : [];
        const kernel = banded ? (byEight ? 'channelSumsBy8Band' : 'channelSumsBand') : (byEight ? 'channelSumsBy8' : 'channelSums');
        const chunkArgs = Array.from({length: chunks}, (_, i) => {
          const r0 = i * SUM_CHUNK_ROWS, count = Math.min(SUM_CHUNK_ROWS, rows - r0), slot = scratch + i * chunkBytes;
          return [at(a) + r0 * C * 4, at(b) + r0 * C * 4, count, C, shifts, slot, slot + accBytes, ...bandArgs];
        });
        runPassTasks(backend, kernels, kernel, chunkArgs, rows * C);
        // The chunks' sums added up in chunk order, through one view of every chunk's slot.
        const total = heapF64(backend, sums, 2 * C), slots = heapF64(backend, scratch, chunks * chunkBytes / 8);
        for (let i = 0; i < chunks; i++) {
          const part = i * chunkBytes / 8;
          for (let j = 0; j < 2 * C; j++) total[j] += slots[part + j];
        }
        body(total, new Float32Array(buffer, coefficients, 3 * C));
        // The affine pass: rows are independent, so it splits by rows.
        const affine = v == null ? (band != null ? 'channelScaleShiftClamp' : 'channelScaleShift') :
            banded ? 'channelAffineBand' : 'channelAffine';
        const extra = v == null ? (band != null ? [edges] : []) : bandArgs;
        runByRows(backend, kernels, affine, rows, rows * C, (r0, count) =>
            [at(u) + r0 * C * 4, v == null ? 0 : at(v) + r0 * C * 4, at(out) + r0 * C * 4, count, C, coefficients, ...extra]);
      });
    },
  };
}

/**
 * The moving averages' update, old - (old - batch) * decay, rounded to
 * float32 after each step as TF.js's Sub, Multiply and Sub would round it,
 * so the result is theirs bit for bit: one kernel output instead of six
 * small operations (and a scalar) per layer and step.
 */
function movingAverages(access: KernelAccess, inputs: tf.NamedTensorInfoMap, mean: Float32Array, variance: Float32Array,
                        decay: number): tf.TensorInfo[] {
  const C = mean.length;
  const f32Decay = Math.fround(decay);
  return ([['movingMean', mean], ['movingVariance', variance]] as const).map(([name, batch]) => {
    const old = access.read(need(inputs, name));
    const updated = access.output([C]);
    const values = updated.values;
    for (let c = 0; c < C; c++) {
      values[c] = old[c] - Math.fround(Math.fround(old[c] - batch[c]) * f32Decay);
    }
    return updated.info;
  });
}

/** The band of the activation fused after batch norm, from a kernel's attributes: null where none is. */
function bandOf(attrs: tf.NamedAttrMap | undefined): {low: number; high: number} | null {
  const low = attrs?.['activationLow'], high = attrs?.['activationHigh'];
  return typeof low === 'number' && typeof high === 'number' ? {low, high} : null;
}

function forward(passes: ChannelPasses, inputs: tf.NamedTensorInfoMap, epsilon: number, decay: number | null,
                 activation: {low: number; high: number} | null): tf.TensorInfo[] {
  const {access} = passes;
  const x = need(inputs, 'x'), gamma = need(inputs, 'gamma'), beta = need(inputs, 'beta');
  const moving: Array<[string, tf.TensorInfo]> = decay == null ? [] :
      ['movingMean', 'movingVariance'].map(name => [name, need(inputs, name)]);
  checkShapes(FORWARD, x, [], [['gamma', gamma], ['beta', beta], ...moving]);
  const [rows, C] = rowsAndChannelsOf(x);
  const mean = access.output([C]), variance = access.output([C]), invStd = access.output([C]);
  const y = access.output(x.shape);
  // z's coefficients for the gradient, as the affine pass used them (float32).
  const affine = activation == null ? null : access.output([2 * C]);
  // Shifted by the first row: s = [sum (x - x0), sum (x - x0)^2].
  let first: Float32Array | null = null;
  const shift = (sa: Float32Array, sb: Float32Array) => {
    first = access.read(x).slice(0, C);
    sa.set(first);
    sb.set(first);
  };
  passes.run(x, x, x, null, y.info, shift, (s, k) => {
    const M = mean.values, V = variance.values, S = invStd.values, G = access.read(gamma), B = access.read(beta);
    for (let c = 0; c < C; c++) {
      const offset = s[c] / rows;
      const m = first![c] + offset;
      const v = Math.max(s[C + c] / rows - offset * offset, 0);
      M[c] = m;
      V[c] = v;
      S[c] = 1 / Math.sqrt(v + epsilon);
      // y = scale * x + shift: the affine pass's two-term form, float32 coefficients on both paths.
      const scale = G[c] * S[c];
      k[c] = Math.fround(scale);
      k[2 * C + c] = Math.fround(B[c] - m * scale);
    }
    if (affine != null) {
      const A = affine.values;
      for (let c = 0; c < C; c++) {
        A[c] = k[c];
        A[C + c] = k[2 * C + c];
      }
    }
  }, activation == null ? undefined : {...activation, kz: null});
  const outputs = [y.info, mean.info, variance.info, invStd.info, ...(affine == null ? [] : [affine.info])];
  return decay == null ? outputs : [...outputs, ...movingAverages(access, inputs, mean.values, variance.values, decay)];
}

function backward(passes: ChannelPasses, inputs: tf.NamedTensorInfoMap, activation: {low: number; high: number} | null): tf.TensorInfo[] {
  const {access} = passes;
  const dy = need(inputs, 'dy'), x = need(inputs, 'x');
  checkShapes(BACKWARD, x, [['dy', dy]], ['mean', 'invStd', 'gamma'].map(name => [name, need(inputs, name)]));
  const [rows, C] = rowsAndChannelsOf(x);
  const affine = activation == null ? null : need(inputs, 'affine');
  if (affine != null) {
    if (affine.dtype !== 'float32') throw new Error(`Error in ${BACKWARD}: affine must be float32, got ${affine.dtype}`);
    expectShape(BACKWARD, 'affine', affine, [2 * C], ' (scale and shift per channel of x)');
  }
  const dx = access.output(x.shape), dgamma = access.output([C]), dbeta = access.output([C]);
  // s = [sum dy, sum dy (x - mean)]; dgamma = invStd * s[C + c], and dx is
  // linear per channel: dx = a * dy + b * x + d.
  const shift = (sa: Float32Array, sb: Float32Array) => {
    sa.fill(0);
    sb.set(access.read(need(inputs, 'mean')));
  };
  passes.run(dy, x, dy, x, dx.info, shift, (s, k) => {
    const M = access.read(need(inputs, 'mean')), S = access.read(need(inputs, 'invStd'));
    const G = access.read(need(inputs, 'gamma')), DG = dgamma.values, DB = dbeta.values;
    for (let c = 0; c < C; c++) {
      const sumDy = s[c];
      const dgammaC = S[c] * s[C + c];
      DG[c] = dgammaC;
      DB[c] = sumDy;
      const perRow = G[c] * S[c] / rows;
      const b = -perRow * S[c] * dgammaC;
      k[c] = perRow * rows;
      k[C + c] = b;
      k[2 * C + c] = -perRow * sumDy - b * M[c];
    }
  }, activation == null ? undefined : {...activation, kz: affine});
  return [dx.info, dgamma.info, dbeta.info];
}

/** The passes for a kernel call: wasm SIMD where loaded, else JavaScript. */
function passesFor(backendName: string, backend: unknown): ChannelPasses {
  const access = KERNEL_ACCESS[backendName](backend);
  return (backendName === 'wasm' ? simdPasses(access, backend as BackendWasm) : null) ?? jsPasses(access);
}

let registered = false;

/** Registers the two kernels for wasm and cpu (idempotent). */
export function registerBatchNormKernels(): void {
  if (registered) return;
  for (const backendName of Object.keys(KERNEL_ACCESS)) {
    tf.registerKernel({
      kernelName: FORWARD, backendName,
      kernelFunc: ({inputs, backend, attrs}) => forward(passesFor(backendName, backend), inputs, (attrs?.['epsilon'] as number) ?? 1e-3,
                                                       (attrs?.['decay'] as number | undefined) ?? null, bandOf(attrs)),
    });
    tf.registerKernel({
      kernelName: BACKWARD, backendName,
      kernelFunc: ({inputs, backend, attrs}) => backward(passesFor(backendName, backend), inputs, bandOf(attrs)),
    });
  }
  registered = true;
}

/** True when the current backend has the fused kernels. */
export function batchNormTrainSupported(): boolean {
  return kernelAccessHere();
}

export interface BatchNormTrainResult {
  y: tf.Tensor;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  /** With `moving`: the moving averages updated by this batch, for the caller to assign. */
  movingMean?: tf.Tensor1D;
  movingVariance?: tf.Tensor1D;
}

/** The moving averages a layer keeps, and its momentum: new = old - (old - batch) * (1 - momentum). */
export interface MovingStatistics {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  momentum: number;
}

/**
 * The activation after batch norm, computed in its kernels: y is clamped to
 * [low, high] and the gradient kept where low < z <= high (z: batch norm's
 * output), as TF.js's Relu (low 0, high Infinity) and Relu6 (high 6) and
 * their gradients do, without their two passes over the tensor.
 */
export interface FusedActivation {
  low: number;
  high: number;
}

/**
 * Training-mode batch norm over every axis but the last, with its gradient
 * for x, gamma and beta. The batch statistics come back for the caller's
 * moving averages (they carry no gradient); given `moving`, the same kernel
 * call also returns those averages updated, as TF.js's layer computes them.
 * Given `activation`, y is the activation of batch norm's output.
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number,
                               moving?: MovingStatistics, activation?: FusedActivation): BatchNormTrainResult {
  registerBatchNormKernels();
  if (activation != null && !(activation.low < activation.high)) {
    throw new Error(`batchNormTrain: the activation's band must have low < high, got [${activation.low}, ${activation.high}]`);
  }
  const band: tf.NamedAttrMap = activation == null ? {} : {activationLow: activation.low, activationHigh: activation.high};
  let stats: tf.Tensor1D[] = [];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const inputs: tf.NamedTensorMap = {x: xs, gamma: g, beta: b};
    const attrs: tf.NamedAttrMap = {epsilon, ...band};
    if (moving != null) {
      Object.assign(inputs, {movingMean: moving.mean, movingVariance: moving.variance});
      attrs['decay'] = 1 - moving.momentum;
    }
    const outputs = tf.engine().runKernel(FORWARD, inputs, attrs) as tf.Tensor[];
    const [y, mean, variance, invStd] = outputs;
    const affine = activation == null ? null : outputs[4];
    const updated = outputs.slice(activation == null ? 4 : 5);
    stats = [mean, variance, ...updated].map(t => tf.keep(t) as tf.Tensor1D);
    save(affine == null ? [xs, g, mean, invStd] : [xs, g, mean, invStd, affine]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [savedX, savedGamma, savedMean, savedInvStd, savedAffine] = saved;
        const gradInputs: tf.NamedTensorMap = {
          dy: Array.isArray(dy) ? dy[0] : dy, x: savedX, gamma: savedGamma, mean: savedMean, invStd: savedInvStd,
        };
        if (savedAffine != null) gradInputs['affine'] = savedAffine;
        return tf.engine().runKernel(BACKWARD, gradInputs, band) as tf.Tensor[];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor;
  const [mean, variance, movingMean, movingVariance] = stats;
  return moving == null ? {y, mean, variance} : {y, mean, variance, movingMean, movingVariance};
}
