/**
 * Batch normalisation in training mode as two kernels instead of a graph of
 * ~15 small ops: one pass for the per-channel statistics, one to normalise;
 * one pass for the gradient's two reductions, one for dx. Profiling the lab
 * MobileNet on wasm showed batch norm's op graph (Sum, Mean, Multiply, Sub,
 * broadcasts) as the largest cost of a training step.
 *
 * Kernels exist for `wasm` (over the wasm heap) and `cpu`; on other backends
 * `batchNormTrainSupported()` is false and the layer keeps TF.js's own path.
 * Statistics accumulate in float64.
 *
 *   forward   mean, var over N*H*W;  y = (x - mean) / sqrt(var + eps) * gamma + beta
 *   backward  x^ = (x - mean) * invStd
 *             dbeta = sum dy;  dgamma = sum dy * x^
 *             dx = gamma * invStd / M * (M * dy - dbeta - x^ * dgamma)
 */
import * as tf from '@tensorflow/tfjs';

import {KERNEL_ACCESS, KernelAccess, kernelAccessHere} from './kernel-access';

const FORWARD = 'LabBatchNormTrain';
const BACKWARD = 'LabBatchNormTrainGrad';

function need(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const info = inputs[name];
  if (info == null) throw new Error(`${FORWARD}: missing input '${name}'`);
  return info;
}

function forward(access: KernelAccess, inputs: tf.NamedTensorInfoMap, epsilon: number): tf.TensorInfo[] {
  const x = need(inputs, 'x');
  const channels = x.shape[x.shape.length - 1];
  const count = x.shape.reduce((a, b) => a * b, 1) / channels;
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  let X = access.read(x);
  // Row by row (one position's channels at a time): tight inner loops the JIT
  // compiles well.
  for (let row = 0; row < X.length; row += channels) {
    for (let c = 0; c < channels; c++) {
      const v = X[row + c];
      sum[c] += v;
      sumSq[c] += v * v;
    }
  }
  const mean = access.output([channels]);
  const variance = access.output([channels]);
  const invStd = access.output([channels]);
  const y = access.output(x.shape);
  const epsilonValue = epsilon;
  const M = mean.values, V = variance.values, S = invStd.values;
  for (let c = 0; c < channels; c++) {
    const m = sum[c] / count;
    const v = Math.max(sumSq[c] / count - m * m, 0);
    M[c] = m;
    V[c] = v;
    S[c] = 1 / Math.sqrt(v + epsilonValue);
  }
  // Views are re-taken after allocating: the wasm heap may have grown.
  X = access.read(x);
  const G = access.read(need(inputs, 'gamma')), B = access.read(need(inputs, 'beta'));
  const Y = y.values, M2 = mean.values, S2 = invStd.values;
  const scale = new Float64Array(channels), shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = G[c] * S2[c];
    shift[c] = B[c] - M2[c] * scale[c];
  }
  for (let row = 0; row < X.length; row += channels) {
    for (let c = 0; c < channels; c++) Y[row + c] = X[row + c] * scale[c] + shift[c];
  }
  return [y.info, mean.info, variance.info, invStd.info];
}

function backward(access: KernelAccess, inputs: tf.NamedTensorInfoMap): tf.TensorInfo[] {
  const dy = need(inputs, 'dy'), x = need(inputs, 'x');
  const channels = x.shape[x.shape.length - 1];
  const count = x.shape.reduce((a, b) => a * b, 1) / channels;
  // Sums of dy and dy * x; then dgamma = invStd * (sum dy x - mean * sum dy),
  // and dx is linear per channel: dx = a * dy + b * x + d.
  const sumDy = new Float64Array(channels);
  const sumDyX = new Float64Array(channels);
  {
    const DY = access.read(dy), X = access.read(x);
    for (let row = 0; row < X.length; row += channels) {
      for (let c = 0; c < channels; c++) {
        const g = DY[row + c];
        sumDy[c] += g;
        sumDyX[c] += g * X[row + c];
      }
    }
  }
  const dx = access.output(x.shape);
  const dgamma = access.output([channels]);
  const dbeta = access.output([channels]);
  const DY = access.read(dy), X = access.read(x), M = access.read(need(inputs, 'mean'));
  const S = access.read(need(inputs, 'invStd')), G = access.read(need(inputs, 'gamma'));
  const DX = dx.values, DG = dgamma.values, DB = dbeta.values;
  const a = new Float64Array(channels), b = new Float64Array(channels), d = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const dgammaC = S[c] * (sumDyX[c] - M[c] * sumDy[c]);
    DG[c] = dgammaC;
    DB[c] = sumDy[c];
    const k = G[c] * S[c] / count;
    a[c] = k * count;
    b[c] = -k * S[c] * dgammaC;
    d[c] = -k * sumDy[c] - b[c] * M[c];
  }
  for (let row = 0; row < X.length; row += channels) {
    for (let c = 0; c < channels; c++) DX[row + c] = a[c] * DY[row + c] + b[c] * X[row + c] + d[c];
  }
  return [dx.info, dgamma.info, dbeta.info];
}

let registered = false;

/** Registers the two kernels for wasm and cpu (idempotent). */
export function registerBatchNormKernels(): void {
  if (registered) return;
  for (const [backendName, access] of Object.entries(KERNEL_ACCESS)) {
    tf.registerKernel({
      kernelName: FORWARD, backendName,
      kernelFunc: ({inputs, backend, attrs}) => forward(access(backend), inputs, (attrs?.['epsilon'] as number) ?? 1e-3),
    });
    tf.registerKernel({
      kernelName: BACKWARD, backendName,
      kernelFunc: ({inputs, backend}) => backward(access(backend), inputs),
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
}

/**
 * Training-mode batch norm over every axis but the last, with its gradient
 * for x, gamma and beta. The batch statistics come back for the caller's
 * moving averages (they carry no gradient).
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainResult {
  registerBatchNormKernels();
  let stats: {mean: tf.Tensor1D; variance: tf.Tensor1D} | null = null;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, variance, invStd] = tf.engine().runKernel(FORWARD, {x: xs, gamma: g, beta: b}, {epsilon}) as tf.Tensor[];
    stats = {mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D};
    save([xs, g, mean, invStd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [savedX, savedGamma, savedMean, savedInvStd] = saved;
        return tf.engine().runKernel(BACKWARD, {
          dy: Array.isArray(dy) ? dy[0] : dy, x: savedX, gamma: savedGamma, mean: savedMean, invStd: savedInvStd,
        }, {}) as tf.Tensor[];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor;
  const {mean, variance} = stats!;
  return {y, mean, variance};
}
