/**
 * Fast paths for the broadcasts and reductions that batch norm's forward
 * and backward passes issue on NHWC tensors: Sum/Mean over the leading axes
 * ([0, 1, 2]) and Tile of a [1, 1, 1, C] row. wasm transposes before
 * reducing and tiles element by element; both were ~20 % of a training step.
 * Any other case falls through to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';

import {heapF32, input, stockKernel, WasmKernel} from '../wasm/heap';
import {simdKernels} from '../wasm/simd-kernels';

export function leadingAxesReduce(kernelName: 'Sum' | 'Mean'): WasmKernel {
  const stock = stockKernel(kernelName);
  const isMean = kernelName === 'Mean';
  return args => {
    const {inputs, backend, attrs} = args;
    const x = input(inputs, 'x');
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return stock(args);
    const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const rest = x.shape.slice(axes.length);
    const cols = rest.reduce((a, b) => a * b, 1);
    const outShape = attrs['keepDims'] === true ? [...Array(axes.length).fill(1), ...rest] : rest;
    const out = backend.makeOutput(outShape, 'float32');
    const scale = isMean ? 1 / rows : 1;
    const kernels = simdKernels(backend);
    if (kernels != null) {
      // The same float64 sums on the package's SIMD kernel (a bias gradient
      // over [64, 28, 28, 16] took 2-3 ms a call in this loop).
      kernels.leadingSums(backend.getMemoryOffset(x.dataId), backend.getMemoryOffset(out.dataId), rows, cols, scale);
      return out;
    }
    const X = heapF32(backend, x), O = heapF32(backend, out);
    // float64 accumulators: sums over a whole batch of activations.
    const acc = new Float64Array(cols);
    for (let r = 0, o = 0; r < rows; r++, o += cols) {
      for (let c = 0; c < cols; c++) acc[c] += X[o + c];
    }
    for (let c = 0; c < cols; c++) O[c] = acc[c] * scale;
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
