/**
 * Moving floats: row copies for Concat and SplitV, float64 accumulators to float32 tensors.
 * WebAssembly text; sources/index.ts assembles the module.
 */
import {countUp} from './loops';

/**
 * Copies $rows rows of $bytes bytes from src to dst, each advancing by its
 * own stride (bytes): Concat and SplitV along an inner axis, where every row
 * of the output takes a slice of each part's row.
 */
export const COPY_ROWS = String.raw`
(func (export "copyRows")
    (param $src i32) (param $srcStride i32) (param $dst i32) (param $dstStride i32) (param $rows i32) (param $bytes i32)
  (local $r i32)
  ${countUp('$r', '(i32.const 0)', '(local.get $rows)', `
    (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))
    (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
    (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))`)}
)
`;

/**
 * Copies a grid of $rows x $items items of $bytes bytes (a multiple of 16)
 * from src to dst: item i of row r at src + r * srcRowStride + i * srcStep,
 * and likewise for dst. Strided gathers and scatters of pixels (dy spread by
 * a stride, a phase's gradient into every s-th pixel of dx), where one
 * memory.copy per pixel cost more than the copying: V8 calls out for each.
 */
export const COPY_GRID = String.raw`
(func (export "copyGrid")
    (param $src i32) (param $srcRowStride i32) (param $srcStep i32)
    (param $dst i32) (param $dstRowStride i32) (param $dstStep i32)
    (param $rows i32) (param $items i32) (param $bytes i32)
  (local $r i32) (local $i i32) (local $b i32) (local $s i32) (local $d i32)
  ${countUp('$r', '(i32.const 0)', '(local.get $rows)', `
    (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $srcRowStride))))
    (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $dstRowStride))))
    ${countUp('$i', '(i32.const 0)', '(local.get $items)', `
      ${countUp('$b', '(i32.const 0)', '(local.get $bytes)', `
        (v128.store (i32.add (local.get $d) (local.get $b)) (v128.load (i32.add (local.get $s) (local.get $b))))`, '(i32.const 16)')}
      (local.set $s (i32.add (local.get $s) (local.get $srcStep)))
      (local.set $d (i32.add (local.get $d) (local.get $dstStep)))`)}`)}
)
`;

/**
 * dst [cols, rows] = src [rows, cols] transposed, floats: a filter's
 * channel axes swapped for the input gradient's convolutions, where the
 * same loop in JavaScript over views of the heap took 1.5 ms for a 3x3
 * filter of 128 x 128 channels (2026-12-05). Reads run along src's rows,
 * writes down dst's columns.
 */
export const TRANSPOSE_FLOATS = String.raw`
(func (export "transposeFloats") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
  (local $i i32) (local $j i32) (local $d i32) (local $step i32)
  (local.set $step (i32.shl (local.get $rows) (i32.const 2)))
  ${countUp('$i', '(i32.const 0)', '(local.get $rows)', `
    (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))))
    ${countUp('$j', '(i32.const 0)', '(local.get $cols)', `
      (f32.store (local.get $d) (f32.load (local.get $src)))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $d (i32.add (local.get $d) (local.get $step)))`)}`)}
)
`;

/**
 * out[i] = float32(acc[i]) for n float64s: scratch accumulators to a tensor.
 */
export const NARROW = String.raw`
(func (export "narrow") (param $acc i32) (param $out i32) (param $n i32)
  (local $i i32)
  ${countUp('$i', '(i32.const 0)', '(local.get $n)', `
    (f32.store (local.get $out) (f32.demote_f64 (f64.load (local.get $acc))))
    (local.set $acc (i32.add (local.get $acc) (i32.const 8)))
    (local.set $out (i32.add (local.get $out) (i32.const 4)))`)}
)
`;

/**
 * Zeroes $bytes bytes at $at with one memory.fill. From JavaScript, fill(0)
 * on a view of the threaded build's shared memory ran at about 4 GB/s
 * (0.57 ms for 2 MiB): the padded inputs and spread gradients of every
 * training step added up to milliseconds.
 */
export const ZERO_BYTES = String.raw`
(func (export "zeroBytes") (param $at i32) (param $bytes i32)
  (memory.fill (local.get $at) (i32.const 0) (local.get $bytes))
)
`;
