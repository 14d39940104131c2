/**
 * Sums over the leading axes as WebAssembly text (sources/index.ts assembles
 * the module): a bias's gradient (dy summed over N, H and W) and the Sum
 * and Mean over those axes that TF.js's ops issue.
 */

/** The float64 accumulators of a tile `vectors` float32 vectors (4 columns each) wide: two f64x2 per vector. */
const accumulators = (vectors: number) => Array.from({length: 2 * vectors}, (_, i) => `$a${i}`);

/**
 * One tile of columns, `vectors` x 4 wide, summed down every row into
 * float64 lanes held in locals, then scaled, rounded to float32 and stored.
 * Each column's sum is the same sequence of float64 additions, in row
 * order, as the JavaScript loop it replaces, so the results are identical.
 */
function tile(vectors: number): string {
  const a = accumulators(vectors);
  const highHalf = '8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15';
  const lowHalves = '0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23';
  const width = 4 * vectors;
  return `
  (block $tile${width}_done (loop $tile${width}
    (br_if $tile${width}_done (i32.gt_u (i32.add (local.get $c) (i32.const ${width})) (local.get $cols)))
    ${a.map(name => `(local.set ${name} (v128.const i64x2 0 0))`).join('\n    ')}
    (local.set $p (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
    (local.set $r (i32.const 0))
    (block $rows${width}_done (loop $rows${width}
      (br_if $rows${width}_done (i32.ge_u (local.get $r) (local.get $rows)))
      ${Array.from({length: vectors}, (_, k) => `
      (local.set $v (v128.load offset=${16 * k} (local.get $p)))
      (local.set ${a[2 * k]} (f64x2.add (local.get ${a[2 * k]}) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set ${a[2 * k + 1]} (f64x2.add (local.get ${a[2 * k + 1]})
        (f64x2.promote_low_f32x4 (i8x16.shuffle ${highHalf} (local.get $v) (local.get $v)))))`).join('')}
      (local.set $p (i32.add (local.get $p) (local.get $stride)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows${width})))
    ${Array.from({length: vectors}, (_, k) => `
    (v128.store offset=${16 * k} (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
      (i8x16.shuffle ${lowHalves}
        (f32x4.demote_f64x2_zero (f64x2.mul (local.get ${a[2 * k]}) (local.get $scales)))
        (f32x4.demote_f64x2_zero (f64x2.mul (local.get ${a[2 * k + 1]}) (local.get $scales)))))`).join('')}
    (local.set $c (i32.add (local.get $c) (i32.const ${width})))
    (br $tile${width})))`;
}

/**
 * out[c] = float32(scale * sum over r of x[r, c]) for x of `rows` rows of
 * `cols` floats, summed in float64: 16 columns at a time (eight f64x2
 * accumulators, one cache line of a row), then 4, then one.
 */
export const LEADING_SUMS = String.raw`
(func (export "leadingSums") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32) (param $scale f64)
  (local $c i32) (local $r i32) (local $p i32) (local $stride i32) (local $v v128) (local $scales v128) (local $sum f64)
  ${accumulators(4).map(name => `(local ${name} v128)`).join(' ')}
  (local.set $stride (i32.shl (local.get $cols) (i32.const 2)))
  (local.set $scales (f64x2.splat (local.get $scale)))
  ${tile(4)}
  ${tile(1)}
  (block $columns_done (loop $columns
    (br_if $columns_done (i32.ge_u (local.get $c) (local.get $cols)))
    (local.set $sum (f64.const 0))
    (local.set $p (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
    (local.set $r (i32.const 0))
    (block $rows_done (loop $rows_loop
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32.load (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (local.get $stride)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows_loop)))
    (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
      (f32.demote_f64 (f64.mul (local.get $sum) (local.get $scale))))
    (local.set $c (i32.add (local.get $c) (i32.const 1)))
    (br $columns)))
)
`;
