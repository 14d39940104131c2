/**
 * BatchMatMul without wasm's slow transposed path.
 *
 * tfjs-backend-wasm 4.22 runs BatchMatMul with transposeA or transposeB as a
 * scalar loop (about 20x slower than its XNNPACK path when the engine was
 * first measured). Gradients of dense layers and of our conv kernels
 * ask for transposes, so we materialise them with wasm's Transpose and
 * multiply without.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import {input, stockKernel, WasmKernel} from '../wasm/heap';

let stockBatchMatMul: WasmKernel | null = null;
let stockTranspose: WasmKernel | null = null;

/** Captures the stock kernels; call before registering ours. */
export function captureStockMatMul(): void {
  stockBatchMatMul ??= stockKernel('BatchMatMul');
  stockTranspose ??= stockKernel('Transpose');
}

/** wasm's own (C++) Transpose. */
export function transpose(info: tf.TensorInfo, perm: number[], backend: BackendWasm): tf.TensorInfo {
  if (stockTranspose == null) throw new Error('captureStockMatMul() must run before transpose');
  return stockTranspose({inputs: {x: info}, backend, attrs: {perm}});
}

function swapLastTwo(info: tf.TensorInfo, backend: BackendWasm): tf.TensorInfo {
  const rank = info.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 1], perm[rank - 2]] = [perm[rank - 2], perm[rank - 1]];
  return transpose(info, perm, backend);
}

/** a @ b (with optional transposes) on wasm's fast path. */
export function batchMatMul(
    a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean,
    backend: BackendWasm): tf.TensorInfo {
  if (stockBatchMatMul == null) throw new Error('captureStockMatMul() must run before batchMatMul');
  // The transposes below swap the last two axes; the stock kernel checks the rest.
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new Error(`Error in matMul: inputs must have rank at least 2, got ranks ${a.shape.length} and ${b.shape.length}`);
  }
  const temporaries: tf.TensorInfo[] = [];
  if (transposeA) temporaries.push(a = swapLastTwo(a, backend));
  if (transposeB) temporaries.push(b = swapLastTwo(b, backend));
  const out = stockBatchMatMul({inputs: {a, b}, backend, attrs: {transposeA: false, transposeB: false}});
  for (const t of temporaries) backend.disposeData(t.dataId);
  return out;
}

export const batchMatMulKernel: WasmKernel = ({inputs, backend, attrs}) =>
    batchMatMul(input(inputs, 'a'), input(inputs, 'b'), attrs['transposeA'] === true, attrs['transposeB'] === true, backend);
