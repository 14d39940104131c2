/**
 * Mean's gradient as one kernel, on wasm and cpu.
 *
 * TF.js's own gradient of mean(x, axes) is dy reshaped, times ones(x.shape),
 * divided by the number of values each mean took: a JavaScript array of ones
 * the size of x made and copied into the backend on every step, then two
 * full-size element-wise kernels. For a global average pool (every network's
 * head, mean over [1, 2] of NHWC) that was 1.4 ms a step for the tiny
 * net's [64, 7, 7, 64] and 0.8 ms for [64, 4, 4, 128] (one thread, 2026-12-06),
 * more than the pool's forward pass and most of its layer's time.
 *
 * Where the axes are one run of neighbouring axes (as every pool and loss
 * here), x is [outer, rows, cols] and dx[o, r, c] = dy[o, c] / rows: each
 * outer block gets one row of quotients, then copies of it, doubling (a
 * handful of memmoves a block). The quotient is float32 division, as TF.js's
 * (multiplying by one is exact), so the gradient has the same bits.
 * Other axis sets, dtypes and backends take TF.js's formula.
 */
import * as tf from '@tensorflow/tfjs-core';

import {OffSwitch} from '../wasm/off-switch';
import {KernelAccess, kernelAccessHere, registerAccessKernel} from './kernel-access';
import {blocksAroundAxes} from './reductions';

/** The kernel's name: inputs {dy}, attrs {shape: x's shape, axes}. */
export const MEAN_GRAD = 'LabMeanGrad';

function meanGradKernel(access: KernelAccess, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): tf.TensorInfo {
  const dy = inputs['dy'];
  if (dy == null) throw new Error(`Error in ${MEAN_GRAD}: missing input 'dy'`);
  if (dy.dtype !== 'float32') throw new Error(`Error in ${MEAN_GRAD}: dy must be float32, got ${dy.dtype}`);
  const shape = attrs['shape'] as number[], axes = attrs['axes'] as number[];
  const blocks = blocksAroundAxes(shape, axes);
  if (blocks == null) throw new Error(`Error in ${MEAN_GRAD}: axes [${axes.join(', ')}] are not one run of neighbouring axes of [${shape.join(', ')}]`);
  const [outer, rows, cols] = blocks;
  if (tf.util.sizeFromShape(dy.shape) !== outer * cols) {
    throw new Error(`Error in ${MEAN_GRAD}: dy has ${tf.util.sizeFromShape(dy.shape)} values; the mean of [${shape.join(', ')}] over ` +
                    `[${axes.join(', ')}] has ${outer * cols}`);
  }
  const out = access.output(shape);
  const D = access.read(dy), dx = out.values;
  const block = rows * cols;
  for (let o = 0; o < outer; o++) {
    const start = o * block;
    for (let c = 0; c < cols; c++) dx[start + c] = D[o * cols + c] / rows;
    for (let filled = cols; filled < block; filled *= 2) dx.copyWithin(start + filled, start, start + Math.min(filled, block - filled));
  }
  return out.info;
}

/** TF.js's own gradient of Mean (ops/mean's gradient in tfjs-core 4.22). */
function formula(x: tf.Tensor, dy: tf.Tensor, axes: number[]): tf.Tensor {
  const expanded = x.shape.map((d, i) => axes.includes(i) ? 1 : d);
  const reduceSize = axes.reduce((size, axis) => size * x.shape[axis], 1);
  return tf.div(tf.mul(tf.reshape(dy, expanded), tf.ones(x.shape, 'float32')), reduceSize);
}

/** Off: TF.js's formula everywhere (`withStockMeanGradient`). */
const oneKernel = new OffSwitch();

/** Runs `body` with TF.js's own gradient of Mean: how tests and benchmarks compare the two in one process. */
export function withStockMeanGradient<T>(body: () => Promise<T> | T): Promise<T> {
  return oneKernel.offWhile(body);
}

let registered = false;

/** Registers the kernel for wasm and cpu and routes Mean's gradient through it where it applies (idempotent). */
export function registerMeanGradient(): void {
  if (registered) return;
  registerAccessKernel(MEAN_GRAD, meanGradKernel);
  tf.registerGradient({
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const grad = dy as tf.Tensor;
      const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape);
      const fast = !oneKernel.isOff && x.dtype === 'float32' && grad.dtype === 'float32' && kernelAccessHere() && blocksAroundAxes(x.shape, axes) != null;
      return {x: () => fast ? tf.engine().runKernel(MEAN_GRAD, {dy: grad}, {shape: x.shape, axes}) as tf.Tensor : formula(x, grad, axes)};
    },
  });
  registered = true;
}
