/**
 * The depthwise filter gradient's inner sum as WebAssembly text
 * (sources/index.ts assembles the module).
 */
import {lanesThenTail} from './loops';

/** The upper two lanes of a f32x4 moved down, so promote_low can widen them. */
export const HIGH_LANES = String.raw`
(func $high (param $v v128) (result v128)
  (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))
`;

/**
 * acc[c] += sum over i < count of x[i, c] * dy[i, c], where row i of x is at
 * x + i * xStride and of dy at dy + i * dyStride (bytes). One run's sum is
 * kept in float32 registers, 4 channels at a time, then added to the
 * float64 acc (C of them).
 * The depthwise filter gradient (depth multiplier 1) calls this once per
 * (image, output row, tap) with the output row's in-bounds columns.
 */
export const TAP_PRODUCTS = String.raw`
(func (export "tapProducts")
    (param $x i32) (param $xStride i32) (param $dy i32) (param $dyStride i32) (param $count i32)
    (param $C i32) (param $acc i32)
  (local $i i32) (local $c i32) (local $C4 i32) (local $px i32) (local $pd i32) (local $vsum v128) (local $fsum f32)
  (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
  ${lanesThenTail({counter: '$c', lanesLimit: '$C4', limit: '$C', pointers: [{name: '$acc', bytes: 8}], body: w => `
    (local.set $px (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
    (local.set $pd (i32.add (local.get $dy) (i32.shl (local.get $c) (i32.const 2))))
    (local.set ${w.local}sum ${w.name === 'lanes' ? '(v128.const f32x4 0 0 0 0)' : '(f32.const 0)'})
    (local.set $i (i32.const 0))
    (block $run_done (loop $run
      (br_if $run_done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set ${w.local}sum (${w.add} (local.get ${w.local}sum) (${w.mul} (${w.load} (local.get $px)) (${w.load} (local.get $pd)))))
      (local.set $px (i32.add (local.get $px) (local.get $xStride)))
      (local.set $pd (i32.add (local.get $pd) (local.get $dyStride)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $run)))
    ${w.name === 'lanes' ? `(v128.store (local.get $acc) (f64x2.add (v128.load (local.get $acc)) (f64x2.promote_low_f32x4 (local.get $vsum))))
    (v128.store offset=16 (local.get $acc) (f64x2.add (v128.load offset=16 (local.get $acc))
      (f64x2.promote_low_f32x4 (call $high (local.get $vsum)))))` :
    '(f64.store (local.get $acc) (f64.add (f64.load (local.get $acc)) (f64.promote_f32 (local.get $fsum))))'}`})}
)
`;
