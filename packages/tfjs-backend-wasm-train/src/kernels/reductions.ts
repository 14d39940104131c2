/**
 * Fast paths for the broadcasts and reductions that batch norm's forward
 * and backward passes issue on NHWC tensors: Sum/Mean over the leading axes
 * ([0, 1, 2]) and Tile of a [1, 1, 1, C] row; and a global average pool's
 * Mean over [1, 2]. wasm transposes before reducing and tiles element by
 * element; both were ~20 % of a training step. Any other case falls
 * through to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';

import {heapF32, input, stockKernel, WasmKernel} from '../wasm/heap';
import {simdKernels} from '../wasm/simd-kernels';

/**
 * `shape` as [outer, rows, cols] around `axes` (in any order): what comes
 * before them, what they span, what comes after; null where they are not
 * one run of neighbouring axes. Sum and Mean here, and Mean's gradient
 * (mean-grad.ts), work block by block on that view.
 */
export function blocksAroundAxes(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  const sorted = [...axes].sort((a, b) => a - b);
  if (sorted.length === 0 || !sorted.every((a, i) => a === sorted[0] + i)) return null;
  const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  const first = sorted[0], last = sorted[sorted.length - 1];
  return [size(shape.slice(0, first)), size(shape.slice(first, last + 1)), size(shape.slice(last + 1))];
}

/**
 * Sum or Mean over a run of neighbouring axes that stops before the last:
 * the tensor is then [outer, rows, cols], and each outer block sums its
 * rows (leading axes: one block; a global average pool's [1, 2] of NHWC:
 * one block per image, 0.9-1.3 ms a step for the tiny net's [64, 7, 7, 64]
 * through wasm's transpose). `stock` (by default the registered kernel)
 * serves every other axis set and dtype.
 */
export function contiguousAxesReduce(kernelName: 'Sum' | 'Mean', stock: WasmKernel = stockKernel(kernelName)): WasmKernel {
  const isMean = kernelName === 'Mean';
  return args => {
    const {inputs, backend, attrs} = args;
    const x = input(inputs, 'x');
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape);
    const blocks = blocksAroundAxes(x.shape, axes);
    if (x.dtype !== 'float32' || blocks == null || Math.max(...axes) >= rank - 1) return stock(args);
    const [outer, rows, cols] = blocks;
    const outShape = attrs['keepDims'] === true ? x.shape.map((d, i) => axes.includes(i) ? 1 : d) : x.shape.filter((_, i) => !axes.includes(i));
    const out = backend.makeOutput(outShape, 'float32');
    const scale = isMean ? 1 / rows : 1;
    const kernels = simdKernels(backend);
    if (kernels != null) {
      // The same float64 sums on the package's SIMD kernel (a bias gradient
      // over [64, 28, 28, 16] took 2-3 ms a call in this loop).
      const xAt = backend.getMemoryOffset(x.dataId), outAt = backend.getMemoryOffset(out.dataId);
      for (let o = 0; o < outer; o++) kernels.leadingSums(xAt + o * rows * cols * 4, outAt + o * cols * 4, rows, cols, scale);
      return out;
    }
    const X = heapF32(backend, x), O = heapF32(backend, out);
    // float64 accumulators: sums over a whole batch of activations.
    const acc = new Float64Array(cols);
    for (let o = 0; o < outer; o++) {
      acc.fill(0);
      for (let r = 0, at = o * rows * cols; r < rows; r++, at += cols) {
        for (let c = 0; c < cols; c++) acc[c] += X[at + c];
      }
      for (let c = 0; c < cols; c++) O[o * cols + c] = acc[c] * scale;
    }
    return out;
  };
}

export function rowTile(): WasmKernel {
  const stock = stockKernel('Tile');
  return args => {
    const {inputs, backend, attrs} = args;
    const x = input(inputs, 'x');
    const reps = attrs['reps'] as number[];
    const rank = x.shape.length;
    if (reps.length !== rank) throw new Error(`Error in tile: rank of input (${rank}) must match length of reps [${reps.join(', ')}]`);
    if (!reps.every(r => Number.isInteger(r) && r >= 0)) throw new Error(`Error in tile: reps must be whole numbers >= 0, got [${reps.join(', ')}]`);
    if (rank < 1 || x.dtype !== 'float32' || x.shape.slice(0, -1).some(d => d !== 1)) return stock(args);
    const out = backend.makeOutput(x.shape.map((d, i) => d * reps[i]), 'float32');
    const X = heapF32(backend, x), O = heapF32(backend, out);
    const row = X.length * reps[rank - 1];
    for (let i = 0; i < row; i += X.length) O.set(X, i);
    // Doubling copies: log2(total / row) memmoves instead of one per row.
    for (let filled = row; filled < O.length; filled *= 2) {
      O.copyWithin(filled, 0, Math.min(filled, O.length - filled));
    }
    return out;
  };
}
