/**
 * The 1x1 convolution's filter gradient, x^T @ dy, as WebAssembly text (sources/index.ts assembles the module).
 */
import {countUp} from './loops';

const get = (name: string) => `(local.get $${name})`;
const int = (v: number) => `(i32.const ${v})`;

/**
 * Rows of p in a block (see TRANSPOSED_PRODUCTS). Short blocks ran faster
 * at every width measured, though 24 rows of a 256 x 256 product's a and b
 * are 48 KiB, more than a core's first-level cache: per call, one thread,
 * batch 64, 2026-12-06, ms, 24 rows against 128: [4, 4, 256] -> 256
 * 2.9-3.0 against 3.7-3.8, [16, 16, 64] -> 64 2.7-3.2 against 3.2-3.8,
 * [8, 8, 128] -> 128 2.55-2.65 against 2.9-3.1, [32, 32, 16] -> 32
 * 1.33-1.38 against 1.47-1.58; 8 rows lost 10-20 % to 24 and 16 was
 * level with it (docs/engine.md, "The 1x1 filter gradient's blocks").
 */
const BLOCK_ROWS = 24;

/** A tile's 4 rows of outputs, each 8 floats: the vectors $c{r}0 and $c{r}1 held in registers, at the address in rowAt(r). */
const TILE_ROWS = [0, 1, 2, 3];
const rowAt = (r: number) => r === 0 ? '$po' : `$po${r}`;

/**
 * One tile: 4 rows of outputs from $i, `vectors` (1 or 2) vectors of 4 from
 * $j, summed over the block's rows p0..pEnd in registers, then stored.
 */
function tile(vectors: 1 | 2): string {
  const columns = Array.from({length: vectors}, (_, v) => v);
  const at = (v: number) => v === 0 ? '' : ` offset=${16 * v}`;
  return `
      (local.set $po (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
      (local.set $po1 (i32.add (local.get $po) (local.get $bStride)))
      (local.set $po2 (i32.add (local.get $po1) (local.get $bStride)))
      (local.set $po3 (i32.add (local.get $po2) (local.get $bStride)))
      ${TILE_ROWS.map(r => columns.map(v => `(local.set $c${r}${v} (v128.load${at(v)} (local.get ${rowAt(r)})))`).join(' ')).join('\n      ')}
      (local.set $pa (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $p0) (local.get $M)) (local.get $i)) (i32.const 2))))
      (local.set $pb (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $p0) (local.get $N)) (local.get $j)) (i32.const 2))))
      ${countUp('$p', get('p0'), get('pEnd'), `
        ${columns.map(v => `(local.set $b${v} (v128.load${at(v)} (local.get $pb)))`).join(' ')}
        ${TILE_ROWS.map(r => `(local.set $s (v128.load32_splat offset=${4 * r} (local.get $pa)))
        ${columns.map(v => `(local.set $c${r}${v} (f32x4.add (local.get $c${r}${v}) (f32x4.mul (local.get $s) (local.get $b${v}))))`).join(' ')}`).join('\n        ')}
        (local.set $pa (i32.add (local.get $pa) (local.get $aStride)))
        (local.set $pb (i32.add (local.get $pb) (local.get $bStride)))`)}
      ${TILE_ROWS.map(r => columns.map(v => `(v128.store${at(v)} (local.get ${rowAt(r)}) (local.get $c${r}${v}))`).join(' ')).join('\n      ')}`;
}

/**
 * out[i, j] = sum over p < P of a[p, i] * b[p, j]: a is [P, M], b is [P, N], out is
 * [M, N] (overwritten), all float32; M and N multiples of 4 (the caller
 * checks). The filter gradient of a 1x1 convolution, x^T @ dy, without
 * transposing x or packing dy first. Tiles of 4 x 8 outputs (4 x 4 for
 * the last 4 columns where N is not a multiple of 8) stay in
 * registers over blocks of BLOCK_ROWS rows of p, so a block of a and b stays in
 * cache while every tile passes over it.
 *
 * `transposedProductsRows` computes only the output rows i0 <= i < i1 (both
 * multiples of 4): each output is summed in the same order whichever rows a
 * call covers, so calls over disjoint row ranges, on different threads
 * (kernel-pool.ts), give exactly the result of one call over all of them.
 */
export const TRANSPOSED_PRODUCTS = String.raw`
(func (export "transposedProducts")
    (param $a i32) (param $b i32) (param $out i32) (param $P i32) (param $M i32) (param $N i32)
  (call $transposedProductsRows (local.get $a) (local.get $b) (local.get $out) (local.get $P) (local.get $M) (local.get $N)
                                (i32.const 0) (local.get $M))
)
(func $transposedProductsRows (export "transposedProductsRows")
    (param $a i32) (param $b i32) (param $out i32) (param $P i32) (param $M i32) (param $N i32) (param $i0 i32) (param $i1 i32)
  (local $p0 i32) (local $pEnd i32) (local $p i32) (local $i i32) (local $j i32) (local $k i32)
  (local $pa i32) (local $pb i32) (local $po i32) (local $po1 i32) (local $po2 i32) (local $po3 i32)
  (local $aStride i32) (local $bStride i32) (local $N8 i32)
  (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
  (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
  (local $b0 v128) (local $b1 v128) (local $s v128)
  (local.set $aStride (i32.shl (local.get $M) (i32.const 2)))
  (local.set $bStride (i32.shl (local.get $N) (i32.const 2)))
  (local.set $N8 (i32.and (local.get $N) (i32.const -8)))
  ;; out's rows i0..i1 = 0 ((i1 - i0) * N is a multiple of 16 floats).
  ${countUp('$k', `(i32.mul ${get('i0')} ${get('N')})`, `(i32.mul ${get('i1')} ${get('N')})`, `
    (v128.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (v128.const i32x4 0 0 0 0))`, int(4))}
  ${countUp('$p0', int(0), get('P'), `
    (local.set $pEnd (select (local.get $P) (i32.add (local.get $p0) ${int(BLOCK_ROWS)})
                             (i32.lt_u (local.get $P) (i32.add (local.get $p0) ${int(BLOCK_ROWS)}))))
    ${countUp('$i', get('i0'), get('i1'), `
      ${countUp('$j', int(0), get('N8'), tile(2), int(8))}
      (if (i32.lt_u (local.get $N8) (local.get $N)) (then
        (local.set $j (local.get $N8))
        ${tile(1)}))`, int(4))}`, int(BLOCK_ROWS))}
)
`;
