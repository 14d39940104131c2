/**
 * The clipped activations (ReLU, ReLU6, ClipByValue) and their gradient as
 * WebAssembly text (sources/index.ts assembles the module).
 */
import {countUp, lanesThenTail} from './loops';

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

/**
 * out[i] = x[i] < low ? low : high < x[i] ? high : x[i]: NaN passes through
 * (as on the cpu backend). WebAssembly's pseudo-minimum and -maximum
 * (f32x4.pmin, pmax) are exactly these selects and one x86 instruction
 * each; f32x4.min and max, which also order -0 below +0, take several, and
 * ran this kernel 1.3-1.6x slower than XNNPACK's clamp. So -0 stays -0
 * where low is 0. Sixteen floats an iteration while they last (one loop
 * branch per 64 bytes), then four, then one.
 */
export const CLAMP = String.raw`
(func (export "clamp")
    (param $x i32) (param $out i32) (param $n i32) (param $low f32) (param $high f32)
  (local $i i32) (local $n16 i32) (local $n4 i32) (local $lo v128) (local $hi v128) (local $s f32)
  (local.set $n16 (i32.and (local.get $n) (i32.const -16)))
  (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
  (local.set $lo (f32x4.splat (local.get $low)))
  (local.set $hi (f32x4.splat (local.get $high)))
  ${countUp('$i', '(i32.const 0)', '(local.get $n16)', [0, 16, 32, 48].map(offset => `
    (v128.store offset=${offset} (local.get $out)
      (f32x4.pmin (f32x4.pmax (v128.load offset=${offset} (local.get $x)) (local.get $lo)) (local.get $hi)))`).join('') + `
    (local.set $x (i32.add (local.get $x) (i32.const 64)))
    (local.set $out (i32.add (local.get $out) (i32.const 64)))`, '(i32.const 16)')}
  ;; $i is $n16 here: the four-float and one-float loops carry on from it.
  ${lanesThenTail({counter: '$i', lanesLimit: '$n4', limit: '$n', pointers: ['$x', '$out'], body: w => w.name === 'lanes' ? `
    (v128.store (local.get $out) (f32x4.pmin (f32x4.pmax (v128.load (local.get $x)) (local.get $lo)) (local.get $hi)))` : `
    (local.set $s (f32.load (local.get $x)))
    (local.set $s (select (local.get $low) (local.get $s) (f32.lt (local.get $s) (local.get $low))))
    (f32.store (local.get $out) (select (local.get $high) (local.get $s) (f32.lt (local.get $high) (local.get $s))))`})}
)
`;
