/**
 * The lab's own WebAssembly SIMD kernels, as WebAssembly text. simd.ts
 * assembles this with wabt and instantiates it over tfjs-backend-wasm's own
 * memory, so the kernels read and write tensors where they already live.
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
 * first 4*floor(C/4) channels go 4 lanes at a time, the rest one by one.
 * Addresses are byte offsets into the shared memory.
 */

/** `$MEMORY` is replaced with the import's limits, which must match the memory's own (shared or not). */
export const SIMD_KERNELS_WAT = String.raw`
(module
  (import "env" "memory" $MEMORY)

  ;; The upper two lanes of a f32x4 moved down, so promote_low can widen them.
  (func $high (param $v v128) (result v128)
    (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))

  ;; acc[c] += a[r, c] - sa[c];  acc[C + c] += (a[r, c] - sa[c]) * (b[r, c] - sb[c])
  ;; with shift = [sa, sb] (float32, 2C) and acc float64 (2C). Batch norm's
  ;; statistics (a = b = x, shifted by a sample of each channel so that the
  ;; sum of squares does not cancel) and its gradient's two reductions
  ;; (a = dy, b = x shifted by the mean).
  ;; Sums run in float32 over blocks of 32 rows, in 'block' (2C float32 of
  ;; zeroed scratch), and are added to the float64 acc after each block:
  ;; widening every element to float64 in V8's SIMD ran 8x slower.
  (func (export "channelSums")
      (param $a i32) (param $b i32) (param $rows i32) (param $C i32) (param $shift i32) (param $acc i32) (param $block i32)
    (local $r i32) (local $end i32) (local $c i32) (local $C4 i32) (local $s i32) (local $p i32) (local $sa i32) (local $sb i32)
    (local $va v128) (local $vb v128) (local $fa f32) (local $i i32)
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (block $blocks_done (loop $blocks
      (br_if $blocks_done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $end (select (local.get $rows) (i32.add (local.get $r) (i32.const 32))
                              (i32.lt_u (local.get $rows) (i32.add (local.get $r) (i32.const 32)))))
      (block $rows_done (loop $row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $end)))
        (local.set $s (local.get $block))
        (local.set $p (i32.add (local.get $block) (i32.shl (local.get $C) (i32.const 2))))
        (local.set $sa (local.get $shift))
        (local.set $sb (i32.add (local.get $shift) (i32.shl (local.get $C) (i32.const 2))))
        (local.set $c (i32.const 0))
        (block $lanes_done (loop $lanes
          (br_if $lanes_done (i32.ge_u (local.get $c) (local.get $C4)))
          (local.set $va (f32x4.sub (v128.load (local.get $a)) (v128.load (local.get $sa))))
          (local.set $vb (f32x4.sub (v128.load (local.get $b)) (v128.load (local.get $sb))))
          (v128.store (local.get $s) (f32x4.add (v128.load (local.get $s)) (local.get $va)))
          (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $va) (local.get $vb))))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $b (i32.add (local.get $b) (i32.const 16)))
          (local.set $s (i32.add (local.get $s) (i32.const 16)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $sa (i32.add (local.get $sa) (i32.const 16)))
          (local.set $sb (i32.add (local.get $sb) (i32.const 16)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $lanes)))
        (block $tail_done (loop $tail
          (br_if $tail_done (i32.ge_u (local.get $c) (local.get $C)))
          (local.set $fa (f32.sub (f32.load (local.get $a)) (f32.load (local.get $sa))))
          (f32.store (local.get $s) (f32.add (f32.load (local.get $s)) (local.get $fa)))
          (f32.store (local.get $p) (f32.add (f32.load (local.get $p))
            (f32.mul (local.get $fa) (f32.sub (f32.load (local.get $b)) (f32.load (local.get $sb))))))
          (local.set $a (i32.add (local.get $a) (i32.const 4)))
          (local.set $b (i32.add (local.get $b) (i32.const 4)))
          (local.set $s (i32.add (local.get $s) (i32.const 4)))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $sa (i32.add (local.get $sa) (i32.const 4)))
          (local.set $sb (i32.add (local.get $sb) (i32.const 4)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $tail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))
      ;; Block sums into the float64 acc, leaving the block zeroed.
      (local.set $i (i32.const 0))
      (block $flush_done (loop $flush
        (br_if $flush_done (i32.ge_u (local.get $i) (i32.shl (local.get $C) (i32.const 1))))
        (f64.store (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3)))
          (f64.add (f64.load (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3))))
                   (f64.promote_f32 (f32.load (i32.add (local.get $block) (i32.shl (local.get $i) (i32.const 2)))))))
        (f32.store (i32.add (local.get $block) (i32.shl (local.get $i) (i32.const 2))) (f32.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $flush)))
      (br $blocks)))
  )

  ;; out[r, c] = k[c] * u[r, c] + k[C + c] * v[r, c] + k[2C + c]   (float32 k)
  ;; Batch norm's forward pass (y = scale * x + shift, with k[C + c] = 0) and
  ;; its input gradient (dx = a * dy + b * x + d).
  (func (export "channelAffine")
      (param $u i32) (param $v i32) (param $out i32) (param $rows i32) (param $C i32) (param $k i32)
    (local $r i32) (local $c i32) (local $C4 i32) (local $ka i32) (local $kb i32) (local $kd i32) (local $stride i32)
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $ka (local.get $k))
      (local.set $kb (i32.add (local.get $k) (local.get $stride)))
      (local.set $kd (i32.add (local.get $kb) (local.get $stride)))
      (local.set $c (i32.const 0))
      (block $lanes_done (loop $lanes
        (br_if $lanes_done (i32.ge_u (local.get $c) (local.get $C4)))
        (v128.store (local.get $out) (f32x4.add
          (f32x4.add (f32x4.mul (v128.load (local.get $ka)) (v128.load (local.get $u)))
                     (f32x4.mul (v128.load (local.get $kb)) (v128.load (local.get $v))))
          (v128.load (local.get $kd))))
        (local.set $u (i32.add (local.get $u) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $ka (i32.add (local.get $ka) (i32.const 16)))
        (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
        (local.set $kd (i32.add (local.get $kd) (i32.const 16)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $lanes)))
      (block $tail_done (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $c) (local.get $C)))
        (f32.store (local.get $out) (f32.add
          (f32.add (f32.mul (f32.load (local.get $ka)) (f32.load (local.get $u)))
                   (f32.mul (f32.load (local.get $kb)) (f32.load (local.get $v))))
          (f32.load (local.get $kd))))
        (local.set $u (i32.add (local.get $u) (i32.const 4)))
        (local.set $v (i32.add (local.get $v) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $ka (i32.add (local.get $ka) (i32.const 4)))
        (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
        (local.set $kd (i32.add (local.get $kd) (i32.const 4)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tail)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row)))
  )

  ;; acc[c] += sum over i < count of x[i, c] * dy[i, c], where row i of x is at
  ;; x + i * xStride and of dy at dy + i * dyStride (bytes). One run's sum is
  ;; kept in float32 registers, 4 channels at a time, then added to the
  ;; float64 acc (C of them).
  ;; The depthwise filter gradient (depth multiplier 1) calls this once per
  ;; (image, output row, tap) with the output row's in-bounds columns.
  (func (export "tapProducts")
      (param $x i32) (param $xStride i32) (param $dy i32) (param $dyStride i32) (param $count i32)
      (param $C i32) (param $acc i32)
    (local $i i32) (local $c i32) (local $C4 i32) (local $px i32) (local $pd i32) (local $sum v128) (local $one f32)
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (block $lanes_done (loop $lanes
      (br_if $lanes_done (i32.ge_u (local.get $c) (local.get $C4)))
      (local.set $px (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $pd (i32.add (local.get $dy) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $sum (v128.const f32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $run_done (loop $run
        (br_if $run_done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $sum (f32x4.add (local.get $sum) (f32x4.mul (v128.load (local.get $px)) (v128.load (local.get $pd)))))
        (local.set $px (i32.add (local.get $px) (local.get $xStride)))
        (local.set $pd (i32.add (local.get $pd) (local.get $dyStride)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $run)))
      (v128.store (local.get $acc) (f64x2.add (v128.load (local.get $acc)) (f64x2.promote_low_f32x4 (local.get $sum))))
      (v128.store offset=16 (local.get $acc) (f64x2.add (v128.load offset=16 (local.get $acc))
        (f64x2.promote_low_f32x4 (call $high (local.get $sum)))))
      (local.set $acc (i32.add (local.get $acc) (i32.const 32)))
      (local.set $c (i32.add (local.get $c) (i32.const 4)))
      (br $lanes)))
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_u (local.get $c) (local.get $C)))
      (local.set $px (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $pd (i32.add (local.get $dy) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $one (f32.const 0))
      (local.set $i (i32.const 0))
      (block $run1_done (loop $run1
        (br_if $run1_done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $one (f32.add (local.get $one) (f32.mul (f32.load (local.get $px)) (f32.load (local.get $pd)))))
        (local.set $px (i32.add (local.get $px) (local.get $xStride)))
        (local.set $pd (i32.add (local.get $pd) (local.get $dyStride)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $run1)))
      (f64.store (local.get $acc) (f64.add (f64.load (local.get $acc)) (f64.promote_f32 (local.get $one))))
      (local.set $acc (i32.add (local.get $acc) (i32.const 8)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $tail)))
  )

  ;; out[i] = dy[i] where low < x[i] (low <= x[i] if lowInclusive) and x[i] <= high,
  ;; else 0 (and 0 where x is NaN): the gradient of ReLU6 and ClipByValue.
  (func (export "bandGrad")
      (param $dy i32) (param $x i32) (param $out i32) (param $n i32)
      (param $low f32) (param $high f32) (param $lowInclusive i32)
    (local $i i32) (local $n4 i32) (local $lo v128) (local $hi v128) (local $inclusive v128) (local $v v128) (local $s f32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $lo (f32x4.splat (local.get $low)))
    (local.set $hi (f32x4.splat (local.get $high)))
    ;; All ones when the low edge is inclusive: picks >= over > lane by lane.
    (local.set $inclusive (i32x4.splat (i32.sub (i32.const 0) (i32.ne (local.get $lowInclusive) (i32.const 0)))))
    (block $lanes_done (loop $lanes
      (br_if $lanes_done (i32.ge_u (local.get $i) (local.get $n4)))
      (local.set $v (v128.load (local.get $x)))
      (v128.store (local.get $out) (v128.and (v128.load (local.get $dy))
        (v128.and (v128.bitselect (f32x4.ge (local.get $v) (local.get $lo)) (f32x4.gt (local.get $v) (local.get $lo))
                                  (local.get $inclusive))
                  (f32x4.le (local.get $v) (local.get $hi)))))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $lanes)))
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $s (f32.load (local.get $x)))
      (f32.store (local.get $out) (select (f32.load (local.get $dy)) (f32.const 0)
        (i32.and (select (f32.ge (local.get $s) (local.get $low)) (f32.gt (local.get $s) (local.get $low)) (local.get $lowInclusive))
                 (f32.le (local.get $s) (local.get $high)))))
      (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $tail)))
  )

  ;; out[i, j] = sum over p < P of a[p, i] * b[p, j]: a is [P, M], b is [P, N], out is
  ;; [M, N] (overwritten), all float32; M a multiple of 4 and N of 8 (the caller
  ;; checks). The filter gradient of a 1x1 convolution, x^T @ dy, without
  ;; transposing x or packing dy first. Tiles of 4 x 8 outputs stay in
  ;; registers over blocks of 128 rows of p, so a block of a and b stays in
  ;; cache while every tile passes over it.
  (func (export "transposedProducts")
      (param $a i32) (param $b i32) (param $out i32) (param $P i32) (param $M i32) (param $N i32)
    (local $p0 i32) (local $pEnd i32) (local $p i32) (local $i i32) (local $j i32) (local $k i32)
    (local $pa i32) (local $pb i32) (local $po i32) (local $po1 i32) (local $po2 i32) (local $po3 i32)
    (local $aStride i32) (local $bStride i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local.set $aStride (i32.shl (local.get $M) (i32.const 2)))
    (local.set $bStride (i32.shl (local.get $N) (i32.const 2)))
    ;; out = 0 (M * N is a multiple of 32 floats).
    (block $zero_done (loop $zero
      (br_if $zero_done (i32.ge_u (local.get $k) (i32.mul (local.get $M) (local.get $N))))
      (v128.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (v128.const i32x4 0 0 0 0))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $zero)))
    (block $blocks_done (loop $blocks
      (br_if $blocks_done (i32.ge_u (local.get $p0) (local.get $P)))
      (local.set $pEnd (select (local.get $P) (i32.add (local.get $p0) (i32.const 128))
                               (i32.lt_u (local.get $P) (i32.add (local.get $p0) (i32.const 128)))))
      (local.set $i (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $j (i32.const 0))
        (block $cols_done (loop $cols
          (br_if $cols_done (i32.ge_u (local.get $j) (local.get $N)))
            (local.set $po (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
            (local.set $po1 (i32.add (local.get $po) (local.get $bStride)))
            (local.set $po2 (i32.add (local.get $po1) (local.get $bStride)))
            (local.set $po3 (i32.add (local.get $po2) (local.get $bStride)))
            (local.set $c00 (v128.load (local.get $po)))
            (local.set $c01 (v128.load offset=16 (local.get $po)))
            (local.set $c10 (v128.load (local.get $po1)))
            (local.set $c11 (v128.load offset=16 (local.get $po1)))
            (local.set $c20 (v128.load (local.get $po2)))
            (local.set $c21 (v128.load offset=16 (local.get $po2)))
            (local.set $c30 (v128.load (local.get $po3)))
            (local.set $c31 (v128.load offset=16 (local.get $po3)))
            (local.set $pa (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $p0) (local.get $M)) (local.get $i)) (i32.const 2))))
            (local.set $pb (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $p0) (local.get $N)) (local.get $j)) (i32.const 2))))
            (local.set $p (local.get $p0))
            (block $run_done (loop $run
              (br_if $run_done (i32.ge_u (local.get $p) (local.get $pEnd)))
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $s (v128.load32_splat offset=0 (local.get $pa)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $s (v128.load32_splat offset=4 (local.get $pa)))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $s (v128.load32_splat offset=8 (local.get $pa)))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $s (v128.load32_splat offset=12 (local.get $pa)))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $pa (i32.add (local.get $pa) (local.get $aStride)))
              (local.set $pb (i32.add (local.get $pb) (local.get $bStride)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br $run)))
            (v128.store (local.get $po) (local.get $c00))
            (v128.store offset=16 (local.get $po) (local.get $c01))
            (v128.store (local.get $po1) (local.get $c10))
            (v128.store offset=16 (local.get $po1) (local.get $c11))
            (v128.store (local.get $po2) (local.get $c20))
            (v128.store offset=16 (local.get $po2) (local.get $c21))
            (v128.store (local.get $po3) (local.get $c30))
            (v128.store offset=16 (local.get $po3) (local.get $c31))
          (local.set $j (i32.add (local.get $j) (i32.const 8)))
          (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
      (local.set $p0 (local.get $pEnd))
      (br $blocks)))
  )

  ;; Pooling gradients, window by window; x, dx are [N, H, W, C], y, dy are
  ;; [N, OH, OW, C], and dx must be zeroed.
  ;; Max ($average = 0): each window's dy goes to the first position (rows,
  ;; then columns) whose x equals the window's forward maximum y, as on cpu;
  ;; 4 channels at a time with a per-lane "not found yet" mask, branch-free.
  ;; Average ($average = 1): every position of the window gets dy * $scale
  ;; (cpu's 1 / window size); x and y are not read for the result.
  ;; The rest of the channels go one by one.
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

  ;; Copies $rows rows of $bytes bytes from src to dst, each advancing by its
  ;; own stride (bytes): Concat and SplitV along an inner axis, where every row
  ;; of the output takes a slice of each part's row.
  (func (export "copyRows")
      (param $src i32) (param $srcStride i32) (param $dst i32) (param $dstStride i32) (param $rows i32) (param $bytes i32)
    (local $r i32)
    (block $done (loop $row
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))
      (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
      (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row)))
  )

  ;; out[i] = float32(acc[i]) for n float64s: scratch accumulators to a tensor.
  (func (export "narrow") (param $acc i32) (param $out i32) (param $n i32)
    (local $i i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (f32.store (local.get $out) (f32.demote_f64 (f64.load (local.get $acc))))
      (local.set $acc (i32.add (local.get $acc) (i32.const 8)))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))
  )
)
`;
