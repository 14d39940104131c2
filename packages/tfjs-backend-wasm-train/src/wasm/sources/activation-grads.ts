/**
 * The gradient of ReLU6 and ClipByValue as WebAssembly text (sources/index.ts
 * assembles the module).
 */
import {lanesThenTail} from './loops';

/**
 * out[i] = dy[i] where low < x[i] (low <= x[i] if lowInclusive) and x[i] <= high,
 * else 0 (and 0 where x is NaN). The lanes pick >= or > with a mask, the
 * tail with a select: the same test at the two widths.
 */
export const BAND_GRAD = String.raw`
(func (export "bandGrad")
    (param $dy i32) (param $x i32) (param $out i32) (param $n i32)
    (param $low f32) (param $high f32) (param $lowInclusive i32)
  (local $i i32) (local $n4 i32) (local $lo v128) (local $hi v128) (local $inclusive v128) (local $v v128) (local $s f32)
  (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
  (local.set $lo (f32x4.splat (local.get $low)))
  (local.set $hi (f32x4.splat (local.get $high)))
  ;; All ones when the low edge is inclusive: picks >= over > lane by lane.
  (local.set $inclusive (i32x4.splat (i32.sub (i32.const 0) (i32.ne (local.get $lowInclusive) (i32.const 0)))))
  ${lanesThenTail({counter: '$i', lanesLimit: '$n4', limit: '$n', pointers: ['$dy', '$x', '$out'], body: w => w.name === 'lanes' ? `
    (local.set $v (v128.load (local.get $x)))
    (v128.store (local.get $out) (v128.and (v128.load (local.get $dy))
      (v128.and (v128.bitselect (f32x4.ge (local.get $v) (local.get $lo)) (f32x4.gt (local.get $v) (local.get $lo))
                                (local.get $inclusive))
                (f32x4.le (local.get $v) (local.get $hi)))))` : `
    (local.set $s (f32.load (local.get $x)))
    (f32.store (local.get $out) (select (f32.load (local.get $dy)) (f32.const 0)
      (i32.and (select (f32.ge (local.get $s) (local.get $low)) (f32.gt (local.get $s) (local.get $low)) (local.get $lowInclusive))
               (f32.le (local.get $s) (local.get $high)))))`})}
)
`;
