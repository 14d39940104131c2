/**
 * x^T @ dy on the package's SIMD products for channel counts that are not
 * a multiple of 4 (packages/tfjs-backend-wasm-train/src/kernels/padded-products.ts):
 * against float64 sums in JavaScript, with the memory after the output
 * left as it was, with fused multiply-add and with plain SIMD.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {initEngine} from '../../../lib/engine';
import {wave} from '../../../lib/bench/gradients';
import {transposedProductsAnyWidth} from '../../../packages/tfjs-backend-wasm-train/src/kernels/padded-products';
import {simdKernels, withPlainSimd} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';

/** a^T @ b for a [P, M] and b [P, N], summed in float64. */
function reference(a: Float32Array, b: Float32Array, P: number, M: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out[i * N + j] += a[p * M + i] * b[p * N + j];
  }
  return out;
}

const SENTINEL = 12345;

/** The product on the package's kernel, into the first M * N floats of a tensor 8 floats longer, filled with SENTINEL. */
function ours(P: number, M: number, N: number): {product: Float32Array; after: Float32Array; a: Float32Array; b: Float32Array} {
  const backend = tf.backend() as BackendWasm;
  const kernels = simdKernels(backend);
  assert.ok(kernels != null, 'the SIMD kernels loaded');
  const a = wave([P, M], 1), b = wave([P, N], 2), out = tf.fill([M * N + 8], SENTINEL);
  const at = (t: tf.Tensor) => backend.getMemoryOffset(t.dataId);
  transposedProductsAnyWidth(backend, kernels, at(a), at(b), at(out), P, M, N);
  const values = out.dataSync() as Float32Array;
  const result = {product: values.slice(0, M * N), after: values.slice(M * N), a: a.dataSync() as Float32Array, b: b.dataSync() as Float32Array};
  tf.dispose([a, b, out]);
  return result;
}

describe('the SIMD products for any channel counts', function () {
  this.timeout(60_000);
  before(async () => { await initEngine('wasm'); });

  // [P, M, N]: both padded, one padded each way, padding of 1, 2 and 3 lanes, multiples of 4 (no copies), more rows than a block (128).
  const SHAPES: Array<[number, number, number]> = [[37, 13, 23], [20, 6, 16], [20, 16, 7], [9, 5, 5], [300, 182, 182], [11, 8, 12]];
  for (const [P, M, N] of SHAPES) {
    for (const plain of [false, true]) {
      it(`[${P}, ${M}]^T @ [${P}, ${N}] (${plain ? 'plain SIMD' : 'fused multiply-add'}) equals float64 sums and writes nothing past [${M}, ${N}]`, async () => {
        const {product, after, a, b} = plain ? await withPlainSimd(async () => ours(P, M, N)) : ours(P, M, N);
        const expected = reference(a, b, P, M, N);
        let scale = 0, worst = 0;
        for (const v of expected) scale = Math.max(scale, Math.abs(v));
        for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(product[i] - expected[i]));
        assert.ok(worst <= 1e-5 * scale, `largest difference ${worst} against values up to ${scale}`);
        assert.deepEqual(Array.from(after), new Array(8).fill(SENTINEL), 'the floats after the output are untouched');
      });
    }
  }
});
