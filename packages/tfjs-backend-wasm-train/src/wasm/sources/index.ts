/**
 * The package's WebAssembly SIMD kernels, as one module of WebAssembly
 * text assembled from one source per kernel. scripts/assemble.ts turns it
 * into binaries (binaries.generated.ts); wasm/simd-kernels.ts instantiates
 * them over tfjs-backend-wasm's own memory, so the kernels read and write
 * tensors where they already live.
 *
 * Why WebAssembly and not JavaScript: the same loops in JS ran at 6-8 ns an
 * element over the wasm heap (docs/engine.md); here they run 4 lanes at a
 * time with no JIT in the way.
 *
 * Rules that keep this safe inside another module's memory:
 * - no data segments, no globals, no stack: a kernel touches only the
 *   addresses it is given (tensors, and scratch the caller allocated with
 *   the backend's malloc);
 * - float64 accumulators live in that scratch, so sums over hundreds of
 *   thousands of rows keep the precision of the JavaScript they replace.
 *
 * Layout: every tensor is channel-last, `rows` rows of `C` floats; a row's
 * first 4*floor(C/4) channels go 4 lanes at a time, the rest one by one
 * (sources/loops.ts generates both loops from one body). Addresses are byte
 * offsets into the shared memory.
 */
import {ADAM_UPDATE} from './adam';
import {BAND_GRAD, CLAMP} from './activation-grads';
import {
  CHANNEL_AFFINE, CHANNEL_AFFINE_BAND, CHANNEL_SCALE_SHIFT, CHANNEL_SCALE_SHIFT_CLAMP, CHANNEL_SUMS, CHANNEL_SUMS_BAND, CHANNEL_SUMS_BY_8,
  CHANNEL_SUMS_BY_8_BAND,
} from './batch-norm';
import {COPY_GRID, COPY_ROWS, NARROW, TRANSPOSE_FLOATS, ZERO_BYTES} from './copy';
import {DEPTHWISE_FILTER_GRAD, DEPTHWISE_INPUT_GRAD, HIGH_LANES, TAP_PRODUCTS} from './depthwise-grads';
import {FEW_CHANNEL_FILTER_GRAD, FEW_CHANNEL_INPUT_GRAD} from './conv-grads-few-channels';
import {MAX_POOL, POOL_GRAD, SPREAD_WINDOWS} from './pooling';
import {LEADING_SUMS} from './reductions';
import {SMALL_MAT_MUL} from './small-matmul';
import {TRANSPOSED_PRODUCTS} from './conv-grads-1x1';

const FUNCTIONS = [HIGH_LANES, CHANNEL_SUMS, CHANNEL_SUMS_BY_8, CHANNEL_AFFINE, CHANNEL_SCALE_SHIFT, CHANNEL_SUMS_BAND, CHANNEL_SUMS_BY_8_BAND,
                   CHANNEL_AFFINE_BAND, CHANNEL_SCALE_SHIFT_CLAMP, TAP_PRODUCTS, BAND_GRAD, CLAMP, TRANSPOSED_PRODUCTS, MAX_POOL, POOL_GRAD, SPREAD_WINDOWS, COPY_ROWS, COPY_GRID, TRANSPOSE_FLOATS, NARROW, ZERO_BYTES,
                   FEW_CHANNEL_INPUT_GRAD, FEW_CHANNEL_FILTER_GRAD, ADAM_UPDATE, LEADING_SUMS, DEPTHWISE_INPUT_GRAD,
                   DEPTHWISE_FILTER_GRAD, SMALL_MAT_MUL];

/** The module's text; `memoryImport` gives the memory's limits, which must match its own (shared or not). */
export function simdModuleText(memoryImport: string): string {
  return `(module\n(import "env" "memory" ${memoryImport})\n${FUNCTIONS.join('\n')}\n)\n`;
}
