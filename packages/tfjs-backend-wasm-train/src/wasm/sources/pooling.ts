/**
 * Max pooling and the pooling gradients as WebAssembly text (sources/index.ts assembles the module).
 *
 * The channel loops come from the one generator (loops.ts), but their bodies
 * are written per width: the gradient's 4 lanes find each window's maximum
 * with a per-lane "not found yet" mask, branch-free, the one-channel tail
 * with an early-out flag.
 */
import {countUp, lanesThenTail} from './loops';

const get = (name: string) => `(local.get $${name})`;

/** Byte address of channel c of the window's output pixel (n, oy, ox) in y or dy. */
const atOutput = (tensor: string) => `(i32.add ${get(tensor)} (i32.add ${get('out')} (i32.shl ${get('c')} (i32.const 2))))`;

/** The window's geometry, the parameters after the tensors' addresses: N, H, W, C, OH, OW, KH, KW, strides, padding. */
const WINDOW_PARAMS = `(param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $top i32) (param $left i32)`;

/** The locals `eachWindow` and `eachTap` use. */
const WINDOW_LOCALS = `(local $n i32) (local $oy i32) (local $ox i32) (local $c i32) (local $C4 i32)
  (local $kh i32) (local $kw i32) (local $kh0 i32) (local $kh1 i32) (local $kw0 i32) (local $kw1 i32)
  (local $iy i32) (local $ix i32) (local $out i32) (local $at i32) (local $first i32) (local $rowAt i32) (local $pixel i32) (local $row i32)`;

/**
 * `body` for every output pixel (n, oy, ox), with the taps inside the image
 * at kh0 <= kh < kh1, kw0 <= kw < kw1, $first the byte offset of the first
 * of them, (n, iy + kh0, ix + kw0, 0), in x and dx, $out that of (n, oy, ox, 0)
 * in y and dy, and $c at 0.
 */
const eachWindow = (body: string) => `
  (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
  (local.set $pixel (i32.shl (local.get $C) (i32.const 2)))
  (local.set $row (i32.mul (local.get $W) (local.get $pixel)))
  ${countUp('$n', '(i32.const 0)', get('N'), countUp('$oy', '(i32.const 0)', get('OH'), `
    (local.set $iy (i32.sub (i32.mul (local.get $oy) (local.get $sh)) (local.get $top)))
    (local.set $kh0 (select (i32.sub (i32.const 0) (local.get $iy)) (i32.const 0) (i32.lt_s (local.get $iy) (i32.const 0))))
    (local.set $kh1 (select (i32.sub (local.get $H) (local.get $iy)) (local.get $KH)
                            (i32.lt_s (i32.sub (local.get $H) (local.get $iy)) (local.get $KH))))
    ${countUp('$ox', '(i32.const 0)', get('OW'), `
      (local.set $ix (i32.sub (i32.mul (local.get $ox) (local.get $sw)) (local.get $left)))
      (local.set $kw0 (select (i32.sub (i32.const 0) (local.get $ix)) (i32.const 0) (i32.lt_s (local.get $ix) (i32.const 0))))
      (local.set $kw1 (select (i32.sub (local.get $W) (local.get $ix)) (local.get $KW)
                              (i32.lt_s (i32.sub (local.get $W) (local.get $ix)) (local.get $KW))))
      (local.set $first (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H))
                                                                     (i32.add (local.get $iy) (local.get $kh0))) (local.get $W))
                                                   (i32.add (local.get $ix) (local.get $kw0))) (local.get $C)) (i32.const 2)))
      (local.set $out (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oy))
                                                       (local.get $OW)) (local.get $ox)) (local.get $C)) (i32.const 2)))
      (local.set $c (i32.const 0))
      ${body}`)}`))}`;

/**
 * `body` for every tap of the window inside the image, with $at the byte
 * offset of (n, iy + kh, ix + kw, c) in x and dx: stepped by a pixel and by
 * a row from the window's first tap ($first), not recomputed per tap.
 */
const eachTap = (body: string) => `
  (local.set $rowAt (i32.add (local.get $first) (i32.shl (local.get $c) (i32.const 2))))
  ${countUp('$kh', get('kh0'), get('kh1'), `
    (local.set $at (local.get $rowAt))
    ${countUp('$kw', get('kw0'), get('kw1'), `${body}
      (local.set $at (i32.add (local.get $at) (local.get $pixel)))`)}
    (local.set $rowAt (i32.add (local.get $rowAt) (local.get $row)))`)}`;

/**
 * Max pooling; x is [N, H, W, C], y [N, OH, OW, C]. Each output is the
 * largest of its window's values inside the image, as on the cpu backend:
 * from -Infinity, a value replaces the running maximum only when it is
 * greater, so NaN never does and the first of equal values stays (-0 or
 * +0 alike). WebAssembly's pseudo-maximum f32x4.pmax(m, v) is exactly
 * "m < v ? v : m", one x86 instruction.
 * Tap by tap, each over the whole pixel's channels (two vectors a step,
 * then one, then single channels), the running maxima in y's pixel, which
 * stays in the first-level cache: per vector and tap a load of x, a load
 * and a store of y. Channels innermost with the taps outside ran about a
 * third faster than the taps innermost (a loop of 9 steps per vector).
 */
export const MAX_POOL = String.raw`
(func (export "maxPool")
    (param $x i32) (param $y i32) ${WINDOW_PARAMS}
  ${WINDOW_LOCALS} (local $C8 i32) (local $to i32) (local $from i32) (local $fv f32) (local $fm f32)
  (local.set $C8 (i32.and (local.get $C) (i32.const -8)))
  ${eachWindow(`
      (local.set $to (i32.add (local.get $y) (local.get $out)))
      ;;  -Infinity in every channel of y's pixel, then each tap's values where greater.
      ${lanesThenTail({counter: '$c', lanesLimit: '$C4', limit: '$C', pairsLimit: '$C8', pointers: ['$to'], body: (w, offset) => w.name === 'lanes' ?
        `(v128.store offset=${offset} (local.get $to) (v128.const f32x4 -inf -inf -inf -inf))` :
        '(f32.store (local.get $to) (f32.const -inf))'})}
      (local.set $rowAt (i32.add (local.get $x) (local.get $first)))
      ${countUp('$kh', get('kh0'), get('kh1'), `
        (local.set $at (local.get $rowAt))
        ${countUp('$kw', get('kw0'), get('kw1'), `
          (local.set $c (i32.const 0))
          (local.set $to (i32.add (local.get $y) (local.get $out)))
          (local.set $from (local.get $at))
          ${lanesThenTail({counter: '$c', lanesLimit: '$C4', limit: '$C', pairsLimit: '$C8', pointers: ['$to', '$from'], body: (w, offset) => w.name === 'lanes' ? `
            (v128.store offset=${offset} (local.get $to)
              (f32x4.pmax (v128.load offset=${offset} (local.get $to)) (v128.load offset=${offset} (local.get $from))))` : `
            (local.set $fm (f32.load (local.get $to)))
            (local.set $fv (f32.load (local.get $from)))
            (f32.store (local.get $to) (select (local.get $fv) (local.get $fm) (f32.lt (local.get $fm) (local.get $fv))))`})}
          (local.set $at (i32.add (local.get $at) (local.get $pixel)))`)}
        (local.set $rowAt (i32.add (local.get $rowAt) (local.get $row)))`)}`)}
)
`;

/**
 * Pooling gradients, window by window; x, dx are [N, H, W, C], y, dy are
 * [N, OH, OW, C], and dx must be zeroed.
 * Max ($average = 0): each window's dy goes to the first position (rows,
 * then columns) whose x equals the window's forward maximum y, as on cpu;
 * 4 channels at a time with a per-lane "not found yet" mask, branch-free.
 * Average ($average = 1): every position of the window gets dy * $scale
 * (cpu's 1 / window size); x and y are not read for the result.
 * The rest of the channels go one by one.
 */
export const POOL_GRAD = String.raw`
(func (export "poolGrad")
    (param $x i32) (param $y i32) (param $dy i32) (param $dx i32) ${WINDOW_PARAMS}
    (param $average i32) (param $scale f32)
  ${WINDOW_LOCALS} (local $pending i32)
  (local $vy v128) (local $vg v128) (local $unfound v128) (local $eq v128) (local $fy f32) (local $all v128)
  ;; All ones when averaging: every tap takes the gradient.
  (local.set $all (i32x4.splat (i32.sub (i32.const 0) (i32.ne (local.get $average) (i32.const 0)))))
  ${eachWindow(lanesThenTail({counter: '$c', lanesLimit: '$C4', limit: '$C', pointers: [], body: w => w.name === 'lanes' ? `
        (local.set $vy (v128.load ${atOutput('y')}))
        (local.set $vg (f32x4.mul (f32x4.splat (local.get $scale)) (v128.load ${atOutput('dy')})))
        (local.set $unfound (v128.const i32x4 -1 -1 -1 -1))
        ${eachTap(`
          (local.set $eq (v128.or (v128.and (f32x4.eq (v128.load (i32.add (local.get $x) (local.get $at))) (local.get $vy))
                                            (local.get $unfound))
                                  (local.get $all)))
          (local.set $unfound (v128.andnot (local.get $unfound) (local.get $eq)))
          (v128.store (i32.add (local.get $dx) (local.get $at))
            (f32x4.add (v128.load (i32.add (local.get $dx) (local.get $at))) (v128.and (local.get $vg) (local.get $eq))))`)}` : `
        (local.set $fy (f32.load ${atOutput('y')}))
        (local.set $pending (i32.const 1))
        ${eachTap(`
          (if (i32.or (local.get $average)
                (i32.and (local.get $pending) (f32.eq (f32.load (i32.add (local.get $x) (local.get $at))) (local.get $fy))))
            (then
              (f32.store (i32.add (local.get $dx) (local.get $at))
                (f32.add (f32.load (i32.add (local.get $dx) (local.get $at)))
                         (f32.mul (local.get $scale) (f32.load ${atOutput('dy')}))))
              (local.set $pending (i32.const 0))))`)}`}))}
)
`;

/**
 * The average-pooling gradient where the windows tile the input without
 * overlap and without padding (window = stride, 'valid' or an exact fit:
 * CondenseNet's 2x2 transitions): every pixel of x gets its window's
 * dy * $scale once, and the rows and columns past the last window get 0.
 * No zeroing first and no read-modify-write of dx, which `poolGrad` does
 * window by window. The value is written as 0 + $scale * dy, as `poolGrad`
 * adds it to a zeroed dx, so a -0 becomes +0 there too.
 */
export const SPREAD_WINDOWS = String.raw`
(func (export "spreadWindows")
    (param $dy i32) (param $dx i32) (param $N i32) (param $H i32) (param $W i32) (param $C i32)
    (param $OH i32) (param $OW i32) (param $KH i32) (param $KW i32) (param $scale f32)
  (local $n i32) (local $y i32) (local $x i32) (local $c i32) (local $C4 i32) (local $pixel i32)
  (local $row i32) (local $src i32) (local $dst i32) (local $vs v128)
  (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
  (local.set $pixel (i32.shl (local.get $C) (i32.const 2)))
  (local.set $vs (f32x4.splat (local.get $scale)))
  (local.set $dst (local.get $dx))
  ${countUp('$n', '(i32.const 0)', get('N'), countUp('$y', '(i32.const 0)', get('H'), `
    ;; dy's row for this row of x: (n, y / KH, 0, 0).
    (local.set $row (i32.add (local.get $dy) (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH))
                                                                 (i32.div_u (local.get $y) (local.get $KH)))
                                                        (i32.mul (local.get $OW) (local.get $pixel)))))
    ${countUp('$x', '(i32.const 0)', get('W'), `
      (local.set $c (i32.const 0))
      (if (i32.and (i32.lt_u (local.get $y) (i32.mul (local.get $OH) (local.get $KH)))
                   (i32.lt_u (local.get $x) (i32.mul (local.get $OW) (local.get $KW))))
        (then
          (local.set $src (i32.add (local.get $row) (i32.mul (i32.div_u (local.get $x) (local.get $KW)) (local.get $pixel))))
          ${lanesThenTail({counter: '$c', lanesLimit: '$C4', limit: '$C', pointers: ['$src', '$dst'], body: w => w.name === 'lanes' ? `
          (v128.store (local.get $dst) (f32x4.add (v128.const f32x4 0 0 0 0) (f32x4.mul (local.get $vs) (v128.load (local.get $src)))))` : `
          (f32.store (local.get $dst) (f32.add (f32.const 0) (f32.mul (local.get $scale) (f32.load (local.get $src)))))`})})
        (else
          ;; Past the last window: dx is 0 (dst advances with the loop).
          ${lanesThenTail({counter: '$c', lanesLimit: '$C4', limit: '$C', pointers: ['$dst'], body: w => w.name === 'lanes' ?
            '(v128.store (local.get $dst) (v128.const f32x4 0 0 0 0))' : '(f32.store (local.get $dst) (f32.const 0))'})}))`)}`))}
)
`;
