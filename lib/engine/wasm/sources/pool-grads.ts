/**
 * Max- and average-pooling gradients as WebAssembly text (sources/index.ts assembles the module).
 *
 * Its 4-lane body and its one-channel tail differ in kind (a per-lane
 * "not found yet" mask against an early-out flag), so they are written out
 * rather than generated from one template (simd/loops.ts).
 */

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
    (param $x i32) (param $y i32) (param $dy i32) (param $dx i32)
    (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $top i32) (param $left i32)
    (param $average i32) (param $scale f32)
  (local $n i32) (local $oy i32) (local $ox i32) (local $c i32) (local $C4 i32)
  (local $kh i32) (local $kw i32) (local $kh0 i32) (local $kh1 i32) (local $kw0 i32) (local $kw1 i32)
  (local $iy i32) (local $ix i32) (local $out i32) (local $at i32) (local $pending i32)
  (local $vy v128) (local $vg v128) (local $unfound v128) (local $eq v128) (local $fy f32) (local $all v128)
  (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
  ;; All ones when averaging: every tap takes the gradient.
  (local.set $all (i32x4.splat (i32.sub (i32.const 0) (i32.ne (local.get $average) (i32.const 0)))))
  (block $n_done (loop $n_loop
    (br_if $n_done (i32.ge_u (local.get $n) (local.get $N)))
    (local.set $oy (i32.const 0))
    (block $oy_done (loop $oy_loop
      (br_if $oy_done (i32.ge_u (local.get $oy) (local.get $OH)))
      ;; Taps inside the image: kh0 <= kh < kh1 (and kw0 <= kw < kw1 below).
      (local.set $iy (i32.sub (i32.mul (local.get $oy) (local.get $sh)) (local.get $top)))
      (local.set $kh0 (select (i32.sub (i32.const 0) (local.get $iy)) (i32.const 0) (i32.lt_s (local.get $iy) (i32.const 0))))
      (local.set $kh1 (select (i32.sub (local.get $H) (local.get $iy)) (local.get $KH)
                              (i32.lt_s (i32.sub (local.get $H) (local.get $iy)) (local.get $KH))))
      (local.set $ox (i32.const 0))
      (block $ox_done (loop $ox_loop
        (br_if $ox_done (i32.ge_u (local.get $ox) (local.get $OW)))
        (local.set $ix (i32.sub (i32.mul (local.get $ox) (local.get $sw)) (local.get $left)))
        (local.set $kw0 (select (i32.sub (i32.const 0) (local.get $ix)) (i32.const 0) (i32.lt_s (local.get $ix) (i32.const 0))))
        (local.set $kw1 (select (i32.sub (local.get $W) (local.get $ix)) (local.get $KW)
                                (i32.lt_s (i32.sub (local.get $W) (local.get $ix)) (local.get $KW))))
        ;; Byte offset of (n, oy, ox, 0) in y and dy.
        (local.set $out (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oy))
                                                         (local.get $OW)) (local.get $ox)) (local.get $C)) (i32.const 2)))
        (local.set $c (i32.const 0))
        (block $lanes_done (loop $lanes
          (br_if $lanes_done (i32.ge_u (local.get $c) (local.get $C4)))
          (local.set $vy (v128.load (i32.add (local.get $y) (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))))
          (local.set $vg (f32x4.mul (f32x4.splat (local.get $scale))
            (v128.load (i32.add (local.get $dy) (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))))))
          (local.set $unfound (v128.const i32x4 -1 -1 -1 -1))
          (local.set $kh (local.get $kh0))
          (block $kh_done (loop $kh_loop
            (br_if $kh_done (i32.ge_s (local.get $kh) (local.get $kh1)))
            (local.set $kw (local.get $kw0))
            (block $kw_done (loop $kw_loop
              (br_if $kw_done (i32.ge_s (local.get $kw) (local.get $kw1)))
              ;; Byte offset of (n, iy + kh, ix + kw, c) in x and dx.
              (local.set $at (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H))
                  (i32.add (local.get $iy) (local.get $kh))) (local.get $W)) (i32.add (local.get $ix) (local.get $kw)))
                  (local.get $C)) (local.get $c)) (i32.const 2)))
              (local.set $eq (v128.or (v128.and (f32x4.eq (v128.load (i32.add (local.get $x) (local.get $at))) (local.get $vy))
                                                (local.get $unfound))
                                      (local.get $all)))
              (local.set $unfound (v128.andnot (local.get $unfound) (local.get $eq)))
              (v128.store (i32.add (local.get $dx) (local.get $at))
                (f32x4.add (v128.load (i32.add (local.get $dx) (local.get $at))) (v128.and (local.get $vg) (local.get $eq))))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br $kw_loop)))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $kh_loop)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $lanes)))
        (block $tail_done (loop $tail
          (br_if $tail_done (i32.ge_u (local.get $c) (local.get $C)))
          (local.set $fy (f32.load (i32.add (local.get $y) (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))))
          (local.set $pending (i32.const 1))
          (local.set $kh (local.get $kh0))
          (block $kh1_done (loop $kh1_loop
            (br_if $kh1_done (i32.ge_s (local.get $kh) (local.get $kh1)))
            (local.set $kw (local.get $kw0))
            (block $kw1_done (loop $kw1_loop
              (br_if $kw1_done (i32.ge_s (local.get $kw) (local.get $kw1)))
              (local.set $at (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H))
                  (i32.add (local.get $iy) (local.get $kh))) (local.get $W)) (i32.add (local.get $ix) (local.get $kw)))
                  (local.get $C)) (local.get $c)) (i32.const 2)))
              (if (i32.or (local.get $average)
                    (i32.and (local.get $pending) (f32.eq (f32.load (i32.add (local.get $x) (local.get $at))) (local.get $fy))))
                (then
                  (f32.store (i32.add (local.get $dx) (local.get $at))
                    (f32.add (f32.load (i32.add (local.get $dx) (local.get $at)))
                             (f32.mul (local.get $scale)
                               (f32.load (i32.add (local.get $dy) (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))))))
                  (local.set $pending (i32.const 0))))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br $kw1_loop)))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $kh1_loop)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $tail)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $ox_loop)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $oy_loop)))
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (br $n_loop)))
)
`;
