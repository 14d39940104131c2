/**
 * The depthwise filter gradient's inner sum as WebAssembly text
 * (sources/index.ts assembles the module).
 */
import {countUp, lanesThenTail} from './loops';

/** The four 4-channel sums of a 16-channel block. */
const BLOCK = [0, 1, 2, 3];

/** The upper two lanes of a f32x4 moved down, so promote_low can widen them. */
export const HIGH_LANES = String.raw`
(func $high (param $v v128) (result v128)
  (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))
`;

/**
 * acc[c] += sum over i < count of x[i, c] * dy[i, c], where row i of x is at
 * x + i * xStride and of dy at dy + i * dyStride (bytes). One run's sum is
 * kept in float32 registers, 16 channels at a time while they last (each
 * channel's sum is the same sequence of float32 additions either way), then
 * 4 and 1, and added to the float64 acc (C of them).
 * The depthwise filter gradient (depth multiplier 1) calls this once per
 * (image, output row, tap) with the output row's in-bounds columns.
 */
export const TAP_PRODUCTS = String.raw`
(func $tapProducts (export "tapProducts")
    (param $x i32) (param $xStride i32) (param $dy i32) (param $dyStride i32) (param $count i32)
    (param $C i32) (param $acc i32)
  (local $i i32) (local $c i32) (local $C4 i32) (local $C16 i32) (local $px i32) (local $pd i32) (local $vsum v128) (local $fsum f32)
  ${BLOCK.map(b => `(local $s${b} v128)`).join(' ')}
  (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
  (local.set $C16 (i32.and (local.get $C) (i32.const -16)))
  ;; 16 channels at a time first: four sums per pixel share its pointer steps and loop test.
  ${countUp('$c', '(i32.const 0)', '(local.get $C16)', `
    (local.set $px (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
    (local.set $pd (i32.add (local.get $dy) (i32.shl (local.get $c) (i32.const 2))))
    ${BLOCK.map(b => `(local.set $s${b} (v128.const f32x4 0 0 0 0))`).join('\n    ')}
    ${countUp('$i', '(i32.const 0)', '(local.get $count)', `
      ${BLOCK.map(b => `(local.set $s${b} (f32x4.add (local.get $s${b}) (f32x4.mul (v128.load offset=${16 * b} (local.get $px)) (v128.load offset=${16 * b} (local.get $pd)))))`).join('\n      ')}
      (local.set $px (i32.add (local.get $px) (local.get $xStride)))
      (local.set $pd (i32.add (local.get $pd) (local.get $dyStride)))`)}
    ${BLOCK.map(b => `(v128.store offset=${32 * b} (local.get $acc) (f64x2.add (v128.load offset=${32 * b} (local.get $acc)) (f64x2.promote_low_f32x4 (local.get $s${b}))))
    (v128.store offset=${32 * b + 16} (local.get $acc) (f64x2.add (v128.load offset=${32 * b + 16} (local.get $acc))
      (f64x2.promote_low_f32x4 (call $high (local.get $s${b})))))`).join('\n    ')}
    (local.set $acc (i32.add (local.get $acc) (i32.const 128)))`, '(i32.const 16)')}
  ;; The rest 4 channels, then 1, at a time: $c continues from the last block of 16.
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

/**
 * Sets $first and $last to the output columns ox with 0 <= ox * sw + kw -
 * padLeft < W and ox < OW, for tap column $kw ($last < $first when there is
 * none). Uses $t; both depthwise gradient kernels run it once per tap column.
 */
const IN_BOUNDS_COLUMNS = String.raw`
  (local.set $t (i32.sub (local.get $padLeft) (local.get $kw)))
  (local.set $first (select (i32.div_u (i32.add (local.get $t) (i32.sub (local.get $sw) (i32.const 1))) (local.get $sw))
                            (i32.const 0) (i32.gt_s (local.get $t) (i32.const 0))))
  (local.set $t (i32.add (i32.sub (local.get $W) (i32.const 1)) (local.get $t)))
  (local.set $last (select (i32.div_u (local.get $t) (local.get $sw)) (i32.const -1) (i32.ge_s (local.get $t) (i32.const 0))))
  (local.set $last (select (local.get $last) (i32.sub (local.get $OW) (i32.const 1))
                           (i32.lt_s (local.get $last) (i32.sub (local.get $OW) (i32.const 1)))))`;

/**
 * The input gradient of a depthwise convolution with depth multiplier 1 and
 * no dilation, at any stride, straight from its definition:
 * dx[n, iy, ix, c] = sum over taps (kh, kw) with iy = oy * sh + kh - padTop
 * and ix = ox * sw + kw - padLeft of dy[n, oy, ox, c] * w[kh, kw, c].
 * For each image row iy and each tap row kh that meets it (an oy in range),
 * each tap column kw adds dy's output row oy times w's tap to every sw-th
 * pixel of dx's row, 4 channels at a time with the tap's weights in a
 * register. dx is zeroed first. At stride 2 this does the forward pass's
 * multiply-adds once each, where a depthwise convolution of dy spread with
 * zeros does them four times.
 */
export const DEPTHWISE_INPUT_GRAD = String.raw`
(func (export "depthwiseInputGrad")
    (param $dy i32) (param $w i32) (param $dx i32) (param $N i32) (param $H i32) (param $W i32) (param $C i32)
    (param $OH i32) (param $OW i32) (param $KH i32) (param $KW i32)
    (param $sh i32) (param $sw i32) (param $padTop i32) (param $padLeft i32)
  (local $n i32) (local $iy i32) (local $kh i32) (local $kw i32) (local $t i32) (local $oy i32)
  (local $first i32) (local $last i32) (local $count i32) (local $i i32) (local $c i32) (local $C4 i32)
  (local $dxRow i32) (local $dyRow i32) (local $wTap i32) (local $px i32) (local $pd i32)
  (local $pixelBytes i32) (local $dxStep i32)
  (local $vw v128) (local $fw f32)
  (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
  (local.set $pixelBytes (i32.shl (local.get $C) (i32.const 2)))
  (local.set $dxStep (i32.mul (local.get $pixelBytes) (local.get $sw)))
  (memory.fill (local.get $dx) (i32.const 0)
    (i32.mul (i32.mul (i32.mul (local.get $N) (local.get $H)) (local.get $W)) (local.get $pixelBytes)))
  ${countUp('$n', '(i32.const 0)', '(local.get $N)', countUp('$iy', '(i32.const 0)', '(local.get $H)',
    countUp('$kh', '(i32.const 0)', '(local.get $KH)', `
    (local.set $t (i32.sub (i32.add (local.get $iy) (local.get $padTop)) (local.get $kh)))
    (local.set $oy (i32.div_u (local.get $t) (local.get $sh)))
    (if (i32.and (i32.and (i32.ge_s (local.get $t) (i32.const 0)) (i32.eqz (i32.rem_u (local.get $t) (local.get $sh))))
                 (i32.lt_s (local.get $oy) (local.get $OH)))
      (then
        ${countUp('$kw', '(i32.const 0)', '(local.get $KW)', `
        ${IN_BOUNDS_COLUMNS}
        (local.set $count (i32.add (i32.sub (local.get $last) (local.get $first)) (i32.const 1)))
        (if (i32.gt_s (local.get $count) (i32.const 0))
          (then
            (local.set $dxRow (i32.add (local.get $dx) (i32.mul (local.get $pixelBytes)
              (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $iy)) (local.get $W))
                       (i32.sub (i32.add (i32.mul (local.get $first) (local.get $sw)) (local.get $kw)) (local.get $padLeft))))))
            (local.set $dyRow (i32.add (local.get $dy) (i32.mul (local.get $pixelBytes)
              (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oy)) (local.get $OW)) (local.get $first)))))
            (local.set $wTap (i32.add (local.get $w) (i32.mul (local.get $pixelBytes)
              (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw)))))
            (local.set $c (i32.const 0))
            ${lanesThenTail({counter: '$c', lanesLimit: '$C4', limit: '$C', pointers: ['$dxRow', '$dyRow', '$wTap'], body: w => `
              (local.set ${w.local}w (${w.load} (local.get $wTap)))
              (local.set $px (local.get $dxRow))
              (local.set $pd (local.get $dyRow))
              ${countUp('$i', '(i32.const 0)', '(local.get $count)', `
                (${w.store} (local.get $px) (${w.add} (${w.load} (local.get $px)) (${w.mul} (${w.load} (local.get $pd)) (local.get ${w.local}w))))
                (local.set $px (i32.add (local.get $px) (local.get $dxStep)))
                (local.set $pd (i32.add (local.get $pd) (local.get $pixelBytes)))`)}`})}))`)}))`)))}
)
`;

/**
 * The depthwise filter gradient (depth multiplier 1, no dilation) added
 * into float64 acc [KH * KW, C] (the caller's zeroed scratch, as for
 * tapProducts): for each tap column kw, tap row
 * kh, image and output row whose input row is inside the image, one
 * tapProducts run along the output columns whose input column is inside the
 * image. These are the loops its JavaScript caller ran, in the same order,
 * so the sums are the same; here they cost no call out of WebAssembly per
 * run (an image of 14 output rows and 9 taps made 126 such calls).
 */
export const DEPTHWISE_FILTER_GRAD = String.raw`
(func (export "depthwiseFilterGrad")
    (param $x i32) (param $dy i32) (param $acc i32) (param $N i32) (param $H i32) (param $W i32) (param $C i32)
    (param $OH i32) (param $OW i32) (param $KH i32) (param $KW i32)
    (param $sh i32) (param $sw i32) (param $padTop i32) (param $padLeft i32)
  (local $n i32) (local $oy i32) (local $iy i32) (local $kh i32) (local $kw i32) (local $t i32)
  (local $shift i32) (local $first i32) (local $last i32) (local $pixelBytes i32) (local $tapAcc i32)
  (local.set $pixelBytes (i32.shl (local.get $C) (i32.const 2)))
  ${countUp('$kw', '(i32.const 0)', '(local.get $KW)', `
    (local.set $shift (i32.sub (local.get $kw) (local.get $padLeft)))
    ${IN_BOUNDS_COLUMNS}
    (if (i32.le_s (local.get $first) (local.get $last)) (then
      ${countUp('$kh', '(i32.const 0)', '(local.get $KH)', `
        (local.set $tapAcc (i32.add (local.get $acc)
          (i32.shl (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw)) (local.get $C)) (i32.const 3))))
        ${countUp('$n', '(i32.const 0)', '(local.get $N)', countUp('$oy', '(i32.const 0)', '(local.get $OH)', `
          (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $sh)) (local.get $kh)) (local.get $padTop)))
          (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $H))) (then
            (call $tapProducts
              (i32.add (local.get $x) (i32.mul (local.get $pixelBytes)
                (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $iy)) (local.get $W))
                         (i32.add (i32.mul (local.get $first) (local.get $sw)) (local.get $shift)))))
              (i32.mul (local.get $sw) (local.get $pixelBytes))
              (i32.add (local.get $dy) (i32.mul (local.get $pixelBytes)
                (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oy)) (local.get $OW)) (local.get $first))))
              (local.get $pixelBytes)
              (i32.add (i32.sub (local.get $last) (local.get $first)) (i32.const 1))
              (local.get $C)
              (local.get $tapAcc))))`))}`)}))`)}
)
`;
