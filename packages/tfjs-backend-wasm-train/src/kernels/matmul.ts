/**
 * BatchMatMul without wasm's slow transposed path.
 *
 * tfjs-backend-wasm 4.22 runs BatchMatMul with transposeA or transposeB as a
 * scalar loop (about 20x slower than its XNNPACK path when the engine was
 * first measured). Gradients of dense layers and of our conv kernels
 * ask for transposes, so we materialise them with wasm's Transpose and
 * multiply without.
 *
 * Small float32 products (up to SMALL_PRODUCT multiply-adds, one matrix
 * each) run on the package's SIMD `smallMatMul` on the calling thread: at
 * two threads XNNPACK's operator handed each to its pool thread and waited
 * longer than it computed (the tiny net's dense-layer gradients, 3.3 ms a
 * step at two threads against 0.2 at one, 2026-12-06).
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import {input, stockKernel, WasmKernel, WasmKernelArgs} from '../wasm/heap';
import {OffSwitch} from '../wasm/off-switch';
import {simdKernels} from '../wasm/simd-kernels';

/** At most this many multiply-adds a product goes to `smallMatMul`. */
export const SMALL_PRODUCT = 1 << 17;

/** Off: XNNPACK's operator for every product (`withoutSmallMatMul`). */
const smallProducts = new OffSwitch();

/** Runs `body` with every product on XNNPACK's operator: how tests and benchmarks compare the two. */
export function withoutSmallMatMul<T>(body: () => Promise<T> | T): Promise<T> {
  return smallProducts.offWhile(body);
}

/** Whether a @ b (after its transposes: [.., M, K] x [.., K, N]) runs on `smallMatMul` on `backend`. */
export function smallMatMulRuns(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo): boolean {
  const batch = (shape: number[]) => tf.util.sizeFromShape(shape.slice(0, -2));
  const [M, K] = a.shape.slice(-2), N = b.shape[b.shape.length - 1];
  return !smallProducts.isOff && simdKernels(backend) != null && a.dtype === 'float32' && b.dtype === 'float32' &&
      batch(a.shape) === 1 && batch(b.shape) === 1 && b.shape[b.shape.length - 2] === K && M * K * N <= SMALL_PRODUCT;
}

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
  const stock = stockBatchMatMul;
  return transposedFirst(a, b, transposeA, transposeB, backend, (a, b) => smallMatMulRuns(backend, a, b) ? smallMatMul(a, b, backend) :
      stock({inputs: {a, b}, backend, attrs: {transposeA: false, transposeB: false}}));
}

/** `multiply` of a and b with their transposes made first (wasm's Transpose), the transposed copies freed after. */
function transposedFirst(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean, backend: BackendWasm,
                         multiply: (a: tf.TensorInfo, b: tf.TensorInfo) => tf.TensorInfo): tf.TensorInfo {
  const temporaries: tf.TensorInfo[] = [];
  if (transposeA) temporaries.push(a = swapLastTwo(a, backend));
  if (transposeB) temporaries.push(b = swapLastTwo(b, backend));
  try {
    return multiply(a, b);
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}

/** a [.., M, K] @ b [.., K, N] (one matrix each) on the SIMD kernel, as [.., M, N] with a's leading axes. */
function smallMatMul(a: tf.TensorInfo, b: tf.TensorInfo, backend: BackendWasm): tf.TensorInfo {
  const [M, K] = a.shape.slice(-2), N = b.shape[b.shape.length - 1];
  const leading = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  const out = backend.makeOutput([...leading, M, N], 'float32');
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  simdKernels(backend)!.smallMatMul(at(a), at(b), at(out), M, K, N);
  return out;
}

/**
 * _FusedMatMul (a dense layer's forward pass: product, bias, activation):
 * small float32 products without activation or with ReLU on
 * `smallMatMul`, the bias (one per column) and the ReLU added in
 * JavaScript over its few outputs; otherwise `stock`, given transposed
 * operands already transposed: its own transposes put the bias along the
 * wrong axis ([7, 5] x [10, 5]^T with a bias of 10: rows after the first
 * off by up to 2 from cpu; docs/kernels.md).
 */
export function fusedMatMulKernel(stock: WasmKernel): WasmKernel {
  return args => {
    const {inputs, backend, attrs} = args;
    const activation = (attrs['activation'] as string | undefined) ?? 'linear';
    const a = input(inputs, 'a'), b = input(inputs, 'b');
    const transposeA = attrs['transposeA'] === true, transposeB = attrs['transposeB'] === true;
    if (a.shape.length < 2 || b.shape.length < 2) return stock(args);
    if ((activation !== 'linear' && activation !== 'relu') || inputs['preluActivationWeights'] != null) {
      return withoutTransposes(stock, args, backend);
    }
    const bias = inputs['bias'] as tf.TensorInfo | undefined;
    const N = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    // Judged on the shapes as multiplied: a [.., M, K], b [.., K, N].
    const asMultiplied = (t: tf.TensorInfo, transposed: boolean): tf.TensorInfo =>
        transposed ? {...t, shape: [...t.shape.slice(0, -2), t.shape[t.shape.length - 1], t.shape[t.shape.length - 2]]} : t;
    if (!smallMatMulRuns(backend, asMultiplied(a, transposeA), asMultiplied(b, transposeB)) ||
        (bias != null && (bias.dtype !== 'float32' || bias.shape.length !== 1 || (bias.shape[0] !== N && bias.shape[0] !== 1)))) {
      return withoutTransposes(stock, args, backend);
    }
    const out = transposedFirst(a, b, transposeA, transposeB, backend, (a, b) => smallMatMul(a, b, backend));
    if (bias == null && activation === 'linear') return out;
    const values = backend.typedArrayFromHeap(out) as Float32Array;
    const shift = bias == null ? null : backend.typedArrayFromHeap(bias) as Float32Array;
    for (let i = 0; i < values.length; i++) {
      let v = shift == null ? values[i] : values[i] + shift[shift.length === 1 ? 0 : i % N];
      if (activation === 'relu') v = Math.max(0, v);
      values[i] = v;
    }
    return out;
  };
}

/** `stock` (_FusedMatMul) on a and b with their transposes made first. */
function withoutTransposes(stock: WasmKernel, args: WasmKernelArgs, backend: BackendWasm): tf.TensorInfo {
  const {inputs, attrs} = args;
  if (attrs['transposeA'] !== true && attrs['transposeB'] !== true) return stock(args);
  return transposedFirst(input(inputs, 'a'), input(inputs, 'b'), attrs['transposeA'] === true, attrs['transposeB'] === true, backend,
                         (a, b) => stock({...args, inputs: {...inputs, a, b}, attrs: {...attrs, transposeA: false, transposeB: false}}));
}

export const batchMatMulKernel: WasmKernel = ({inputs, backend, attrs}) =>
    batchMatMul(input(inputs, 'a'), input(inputs, 'b'), attrs['transposeA'] === true, attrs['transposeB'] === true, backend);
