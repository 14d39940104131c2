/**
 * x^T @ dy (a 1x1 convolution's filter gradient) on the package's SIMD
 * products, `transposedProducts`, for any channel counts: its tiles read
 * and write whole vectors of 4 columns, so where Ci or Co is not a
 * multiple of 4 (Xception at width 0.25 has 182 channels) the operands are
 * first copied into rows padded with zeros to whole vectors, the products
 * summed into a padded [Ci4, Co4], and its [Ci, Co] corner copied out. The
 * padding's rows and columns only ever meet each other and are dropped, so
 * the sums are those of the unpadded product, in the same order.
 *
 * Why: XNNPACK's matrix product (with x transposed first) ran these at
 * 7-10 GMAC/s, the package's at about twice that (docs/engine.md, "Channel
 * counts that are not a multiple of 4").
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {runTransposedProducts} from '../wasm/kernel-pool';
import {SimdKernels, withScratch} from '../wasm/simd-kernels';
import {wholeVectors} from '../wasm/sources/loops';

const F32 = Float32Array.BYTES_PER_ELEMENT;

/**
 * out [M, N] = a^T @ b for a [P, M] and b [P, N] at the given byte
 * addresses (float32), on the kernel pool where it pays.
 */
export function transposedProductsAnyWidth(backend: BackendWasm, kernels: SimdKernels, a: number, b: number, out: number,
                                           P: number, M: number, N: number): void {
  const M4 = wholeVectors(M), N4 = wholeVectors(N);
  if (M4 === M && N4 === N) {
    runTransposedProducts(backend, kernels, [[a, b, out, P, M, N]]);
    return;
  }
  const aBytes = M4 === M ? 0 : P * M4 * F32, bBytes = N4 === N ? 0 : P * N4 * F32;
  // Zeroed: the padding lanes are read as zeros.
  withScratch(backend, aBytes + bBytes + M4 * N4 * F32, scratch => {
    const paddedA = M4 === M ? a : scratch, paddedB = N4 === N ? b : scratch + aBytes, paddedOut = scratch + aBytes + bBytes;
    if (paddedA !== a) kernels.copyRows(a, M * F32, paddedA, M4 * F32, P, M * F32);
    if (paddedB !== b) kernels.copyRows(b, N * F32, paddedB, N4 * F32, P, N * F32);
    runTransposedProducts(backend, kernels, [[paddedA, paddedB, paddedOut, P, M4, N4]]);
    kernels.copyRows(paddedOut, N4 * F32, out, N * F32, M, N * F32);
  });
}
