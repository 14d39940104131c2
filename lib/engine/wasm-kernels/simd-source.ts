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

  ;; acc[c] += a[r, c];  acc[C + c] += a[r, c] * b[r, c]   (float64 acc, exact products)
  ;; Batch norm's statistics (b = a: sum and sum of squares) and its gradient's
  ;; two reductions (a = dy, b = x).
  (func (export "channelSums")
      (param $a i32) (param $b i32) (param $rows i32) (param $C i32) (param $acc i32)
    (local $r i32) (local $c i32) (local $C4 i32) (local $s i32) (local $p i32)
    (local $va v128) (local $vb v128) (local $lo v128) (local $hi v128)
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $s (local.get $acc))
      (local.set $p (i32.add (local.get $acc) (i32.shl (local.get $C) (i32.const 3))))
      (local.set $c (i32.const 0))
      (block $lanes_done (loop $lanes
        (br_if $lanes_done (i32.ge_u (local.get $c) (local.get $C4)))
        (local.set $va (v128.load (local.get $a)))
        (local.set $vb (v128.load (local.get $b)))
        (local.set $lo (f64x2.promote_low_f32x4 (local.get $va)))
        (local.set $hi (f64x2.promote_low_f32x4 (call $high (local.get $va))))
        (v128.store (local.get $s) (f64x2.add (v128.load (local.get $s)) (local.get $lo)))
        (v128.store offset=16 (local.get $s) (f64x2.add (v128.load offset=16 (local.get $s)) (local.get $hi)))
        (v128.store (local.get $p) (f64x2.add (v128.load (local.get $p))
          (f64x2.mul (local.get $lo) (f64x2.promote_low_f32x4 (local.get $vb)))))
        (v128.store offset=16 (local.get $p) (f64x2.add (v128.load offset=16 (local.get $p))
          (f64x2.mul (local.get $hi) (f64x2.promote_low_f32x4 (call $high (local.get $vb))))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $s (i32.add (local.get $s) (i32.const 32)))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $lanes)))
      (block $tail_done (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $c) (local.get $C)))
        (f64.store (local.get $s) (f64.add (f64.load (local.get $s)) (f64.promote_f32 (f32.load (local.get $a)))))
        (f64.store (local.get $p) (f64.add (f64.load (local.get $p))
          (f64.mul (f64.promote_f32 (f32.load (local.get $a))) (f64.promote_f32 (f32.load (local.get $b))))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (i32.const 8)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tail)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row)))
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

  ;; acc[t, c] += x[r, c] * dy[q, c] for one tap t: rows r of x against rows q
  ;; of dy, the pairs given as two runs of 'count' rows with their own strides
  ;; (in bytes). float64 acc; products in float32.
  ;; The depthwise filter gradient (depth multiplier 1) calls this once per
  ;; (image, output row, tap) with the output row's in-bounds columns.
  (func (export "tapProducts")
      (param $x i32) (param $xStride i32) (param $dy i32) (param $dyStride i32) (param $count i32)
      (param $C i32) (param $acc i32)
    (local $i i32) (local $c i32) (local $C4 i32) (local $px i32) (local $pd i32) (local $s i32) (local $prod v128)
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (block $cols_done (loop $col
      (br_if $cols_done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $px (local.get $x))
      (local.set $pd (local.get $dy))
      (local.set $s (local.get $acc))
      (local.set $c (i32.const 0))
      (block $lanes_done (loop $lanes
        (br_if $lanes_done (i32.ge_u (local.get $c) (local.get $C4)))
        (local.set $prod (f32x4.mul (v128.load (local.get $px)) (v128.load (local.get $pd))))
        (v128.store (local.get $s) (f64x2.add (v128.load (local.get $s)) (f64x2.promote_low_f32x4 (local.get $prod))))
        (v128.store offset=16 (local.get $s) (f64x2.add (v128.load offset=16 (local.get $s))
          (f64x2.promote_low_f32x4 (call $high (local.get $prod)))))
        (local.set $px (i32.add (local.get $px) (i32.const 16)))
        (local.set $pd (i32.add (local.get $pd) (i32.const 16)))
        (local.set $s (i32.add (local.get $s) (i32.const 32)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $lanes)))
      (block $tail_done (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $c) (local.get $C)))
        (f64.store (local.get $s) (f64.add (f64.load (local.get $s))
          (f64.promote_f32 (f32.mul (f32.load (local.get $px)) (f32.load (local.get $pd))))))
        (local.set $px (i32.add (local.get $px) (i32.const 4)))
        (local.set $pd (i32.add (local.get $pd) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (i32.const 8)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tail)))
      (local.set $x (i32.add (local.get $x) (local.get $xStride)))
      (local.set $dy (i32.add (local.get $dy) (local.get $dyStride)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $col)))
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
