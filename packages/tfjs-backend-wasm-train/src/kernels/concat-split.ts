/**
 * Concat and SplitV for the wasm backend, float32.
 *
 * tfjs-backend-wasm 4.22 copies every row of every part with
 * `subarray()` + `set()`: a new typed-array object per row. Concatenating
 * along channels makes those rows short (CondenseNet's dense blocks add 8
 * channels per layer; Inception's branches 8-48), and the allocation, not the
 * copy, dominated: Concat and SplitV took 480 ms of CondenseNet-lab's 2.5 s
 * training step. Rows are copied by the wasm kernels (SIMD loads and
 * stores for rows of a multiple of 16 bytes, else a memory.copy a row;
 * split over the kernel pool for large tensors) once they are loaded, else
 * with `copyFloats` (a loop for short ones). Other dtypes go to the stock kernels.
 */
import * as tf from '@tensorflow/tfjs-core';

import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {checkWrite, copyFloats, heapF32, input, stockKernel, WasmKernel, WasmKernelArgs} from '../wasm/heap';
import {runByRows} from '../wasm/kernel-pool';
import {SimdKernels, simdKernels} from '../wasm/simd-kernels';

/**
 * `rows` rows of `bytes` bytes from src to dst, each advancing by its own
 * stride (byte addresses): SIMD copies (`copyGrid`) where a row is a
 * multiple of 16 bytes, else a memory.copy a row (`copyRows`), split by
 * rows over the kernel pool from 2^19 floats (the small Inception's
 * Concat and SplitV of [64, 32, 32, 56-80] took 22 ms a step on the
 * calling thread at two threads; docs/engine.md).
 */
function copyRowsAnyThread(backend: BackendWasm, kernels: SimdKernels, src: number, srcStride: number, dst: number, dstStride: number,
                           rows: number, bytes: number): void {
  const floats = rows * bytes / Float32Array.BYTES_PER_ELEMENT;
  if (bytes % 16 === 0) {
    runByRows(backend, kernels, 'copyGrid', rows, floats,
              (r0, count) => [src + r0 * srcStride, srcStride, 0, dst + r0 * dstStride, dstStride, 0, count, 1, bytes]);
  } else {
    runByRows(backend, kernels, 'copyRows', rows, floats,
              (r0, count) => [src + r0 * srcStride, srcStride, dst + r0 * dstStride, dstStride, count, bytes]);
  }
}

export function concatKernel(): WasmKernel {
  const stock = stockKernel('Concat');
  return args => {
    const {backend, attrs} = args;
    const all = Object.values(args.inputs).filter((t): t is tf.TensorInfo => t != null);
    const parts = all.filter(t => tf.util.sizeFromShape(t.shape) > 0);
    if (parts.length < 2 || parts.some(t => t.dtype !== 'float32')) return stock(args);
    const axis = tf.util.parseAxisParam(attrs['axis'] as number, parts[0].shape)[0];
    // The checks TF.js's own kernels make, with their errors, before anything touches the heap:
    // parts that disagree off the axis would make copyRows write past the output.
    tf.backend_util.assertParamsConsistent(all.map(t => t.shape), axis);
    const outShape = tf.backend_util.computeOutShape(parts.map(t => t.shape), axis);
    const rows = tf.util.sizeFromShape(outShape.slice(0, axis));
    const widths = parts.map(t => tf.util.sizeFromShape(t.shape.slice(axis)));
    const rowWidth = widths.reduce((a, b) => a + b, 0);
    checkWrite('Concat', rows * rowWidth, outShape);
    const out = backend.makeOutput(outShape, 'float32');
    const kernels = simdKernels(backend);
    if (kernels != null) {
      const F32 = Float32Array.BYTES_PER_ELEMENT;
      let offset = backend.getMemoryOffset(out.dataId);
      parts.forEach((part, i) => {
        copyRowsAnyThread(backend, kernels, backend.getMemoryOffset(part.dataId), widths[i] * F32, offset, rowWidth * F32, rows, widths[i] * F32);
        offset += widths[i] * F32;
      });
      return out;
    }
    const O = heapF32(backend, out);
    let column = 0;
    parts.forEach((part, i) => {
      const P = heapF32(backend, part), width = widths[i];
      for (let r = 0; r < rows; r++) copyFloats(P, r * width, O, r * rowWidth + column, width);
      column += width;
    });
    return out;
  };
}

export function splitVKernel(): WasmKernel {
  const stock = stockKernel('SplitV');
  const kernel = (args: WasmKernelArgs): tf.TensorInfo[] => {
    const {backend, attrs} = args;
    const x = input(args.inputs, 'x');
    if (x.dtype !== 'float32') return stock(args) as unknown as tf.TensorInfo[];
    const axis = tf.util.parseAxisParam(attrs['axis'] as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, attrs['numOrSizeSplits'] as number[] | number, axis);
    const rows = tf.util.sizeFromShape(x.shape.slice(0, axis));
    const inner = tf.util.sizeFromShape(x.shape.slice(axis + 1));
    const rowWidth = x.shape[axis] * inner;
    // Reads must stay inside x: the sizes cover the axis exactly (prepareSplitSize checked their sum).
    checkWrite('SplitV', rows * sizes.reduce((a, b) => a + b, 0) * inner, x.shape);
    let column = 0;
    return sizes.map(size => {
      const shape = x.shape.slice();
      shape[axis] = size;
      const out = backend.makeOutput(shape, 'float32');
      const width = size * inner;
      const kernels = simdKernels(backend);
      if (kernels != null) {
        const F32 = Float32Array.BYTES_PER_ELEMENT;
        copyRowsAnyThread(backend, kernels, backend.getMemoryOffset(x.dataId) + column * F32, rowWidth * F32,
                          backend.getMemoryOffset(out.dataId), width * F32, rows, width * F32);
      } else {
        // Views after the allocation, which may have grown the heap.
        const X = heapF32(backend, x), O = heapF32(backend, out);
        for (let r = 0; r < rows; r++) copyFloats(X, r * rowWidth + column, O, r * width, width);
      }
      column += width;
      return out;
    });
  };
  return kernel as unknown as WasmKernel;
}
