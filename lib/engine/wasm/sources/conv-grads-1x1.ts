/**
 * The 1x1 convolution's filter gradient, x^T @ dy, as WebAssembly text (sources/index.ts assembles the module).
 */

/**
 * out[i, j] = sum over p < P of a[p, i] * b[p, j]: a is [P, M], b is [P, N], out is
 * [M, N] (overwritten), all float32; M a multiple of 4 and N of 8 (the caller
 * checks). The filter gradient of a 1x1 convolution, x^T @ dy, without
 * transposing x or packing dy first. Tiles of 4 x 8 outputs stay in
 * registers over blocks of 128 rows of p, so a block of a and b stays in
 * cache while every tile passes over it.
 */
export const TRANSPOSED_PRODUCTS = String.raw`
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
`;
