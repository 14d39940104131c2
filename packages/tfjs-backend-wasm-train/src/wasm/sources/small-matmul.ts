/**
 * A small matrix product as WebAssembly text (sources/index.ts assembles
 * the module), for the calling thread: the dense layers' gradients, whose
 * XNNPACK operators at two threads waited for the pool thread longer than
 * they computed (the tiny net's two BatchMatMul calls: 3.3 ms a step at
 * two threads against 0.2 at one, 2026-12-06).
 */
import {countUp} from './loops';

/**
 * out[i, j] = sum over k of a[i, k] * b[k, j] (a [M, K], b [K, N], out
 * [M, N], row-major float32), k ascending in float32: 4 columns of a row
 * at a time (a's value broadcast, b's row read 4 wide), the last N % 4
 * one at a time.
 */
export const SMALL_MAT_MUL = String.raw`
(func (export "smallMatMul") (param $a i32) (param $b i32) (param $out i32) (param $M i32) (param $K i32) (param $N i32)
  (local $i i32) (local $j i32) (local $k i32) (local $N4 i32) (local $rowA i32) (local $rowOut i32) (local $pa i32) (local $pb i32)
  (local $stride i32) (local $acc v128) (local $sum f32)
  (local.set $N4 (i32.and (local.get $N) (i32.const -4)))
  (local.set $stride (i32.shl (local.get $N) (i32.const 2)))
  ${countUp('$i', '(i32.const 0)', '(local.get $M)', `
    (local.set $rowA (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $K)) (i32.const 2))))
    (local.set $rowOut (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $stride))))
    ${countUp('$j', '(i32.const 0)', '(local.get $N4)', `
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $pa (local.get $rowA))
      (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
      ${countUp('$k', '(i32.const 0)', '(local.get $K)', `
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (f32x4.splat (f32.load (local.get $pa))) (v128.load (local.get $pb)))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
        (local.set $pb (i32.add (local.get $pb) (local.get $stride)))`)}
      (v128.store (i32.add (local.get $rowOut) (i32.shl (local.get $j) (i32.const 2))) (local.get $acc))`, '(i32.const 4)')}
    ;; $j is N4 here: the columns left, one at a time.
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_s (local.get $j) (local.get $N)))
      (local.set $sum (f32.const 0))
      (local.set $pa (local.get $rowA))
      (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
      ${countUp('$k', '(i32.const 0)', '(local.get $K)', `
        (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
        (local.set $pb (i32.add (local.get $pb) (local.get $stride)))`)}
      (f32.store (i32.add (local.get $rowOut) (i32.shl (local.get $j) (i32.const 2))) (local.get $sum))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $tail)))`)}
)
`;
