/**
 * A 3x3 depthwise convolution at stride 1 with 'same' padding, as
 * WebAssembly text generated for one image size and channel count:
 *
 *   y[b, oy, ox, c] = sum over ky, kx of x[b, oy + ky - 1, ox + kx - 1, c] * w[ky, kx, c]
 *
 * taps outside the image left out (its zero padding), with no padded copy:
 * the first and last rows and columns are their own code, with only the
 * taps that fall inside, and every tap's offset is an immediate. Per row
 * and vector of 4 channels the 9 weight vectors sit in registers while
 * the row's pixels stream past; each output is one chain of 9 products,
 * added in a fixed order (ky, then kx).
 *
 * Why (one thread, AMD EPYC, Node 20, 2026-12-06): over a pre-padded
 * input this loop ran [64, 14, 14, 32] in 0.33 ms, [64, 7, 7, 64] in 0.12
 * and [64, 4, 4, 128] in 0.08, against XNNPACK's 0.67, 0.34 and 0.22 inside
 * training steps; an earlier kernel that padded each image first, and
 * walked each image once per vector of channels, lost to XNNPACK
 * (docs/engine.md, "Depthwise convolution gradients").
 *
 * `rotated` reads the filter turned by 180 degrees: the input gradient at
 * stride 1 is this convolution of dy with the turned filter.
 * Only the batch N is a run-time parameter.
 */
export interface DepthwiseConvShape {
  H: number;
  W: number;
  /** Channels, a multiple of 4. */
  C: number;
  rotated: boolean;
}

/** The taps' positions in one dimension that fall inside an image of `size` at output position kind. */
function tapsAt(kind: 'first' | 'middle' | 'last' | 'only'): number[] {
  return {first: [1, 2], middle: [0, 1, 2], last: [0, 1], only: [1]}[kind];
}

/**
 * One output vector: the sum of the taps (rows `rows`, columns `cols`, 0-2)
 * read at byte offsets from $p, where $p points at the first row in `rows`
 * and the first column in `cols`, stored at $o.
 */
function outputVector(rows: number[], cols: number[], rowBytes: number, pixelBytes: number): string {
  const terms: string[] = [];
  for (const ky of rows) {
    for (const kx of cols) {
      const offset = (ky - rows[0]) * rowBytes + (kx - cols[0]) * pixelBytes;
      terms.push(`(f32x4.mul (v128.load offset=${offset} (local.get $p)) (local.get $w${ky * 3 + kx}))`);
    }
  }
  // The first product starts the sum; the rest are added as (sum + product), which the fused build makes fused multiply-adds.
  return `(local.set $acc ${terms[0]})\n` +
      terms.slice(1).map(term => `(local.set $acc (f32x4.add (local.get $acc) ${term}))`).join('\n') +
      `\n(v128.store (local.get $o) (local.get $acc))`;
}

/**
 * One output row: for each vector of channels, the weights into registers,
 * then the row's first pixel, its middle pixels in a loop, its last. $r
 * points at the row of x holding the first of `rows`, $q at the output row.
 */
function outputRow(rows: number[], s: DepthwiseConvShape): string {
  const pixelBytes = s.C * 4, rowBytes = s.W * pixelBytes;
  const weight = (tap: number) => (s.rotated ? 8 - tap : tap) * pixelBytes;
  const columns = s.W === 1 ? [tapsAt('only')] : [tapsAt('first'), ...(s.W > 2 ? [tapsAt('middle')] : []), tapsAt('last')];
  const first = outputVector(rows, columns[0], rowBytes, pixelBytes);
  const advance = `(local.set $o (i32.add (local.get $o) (i32.const ${pixelBytes})))`;
  const middle = s.W > 2 ? `
    (local.set $ox (i32.const ${s.W - 2}))
    (loop $middle
      ${outputVector(rows, columns[1], rowBytes, pixelBytes)}
      (local.set $p (i32.add (local.get $p) (i32.const ${pixelBytes})))
      ${advance}
      (br_if $middle (local.tee $ox (i32.sub (local.get $ox) (i32.const 1)))))` : '';
  const last = s.W > 1 ? `${outputVector(rows, columns[columns.length - 1], rowBytes, pixelBytes)}` : '';
  return `
  (local.set $c (i32.const 0))
  (loop $channels
    ${Array.from({length: 9}, (_, tap) => `(local.set $w${tap} (v128.load offset=${weight(tap)} (i32.add (local.get $w) (local.get $c))))`).join('\n    ')}
    (local.set $p (i32.add (local.get $r) (local.get $c)))
    (local.set $o (i32.add (local.get $q) (local.get $c)))
    ${first}
    ${s.W > 1 ? advance : ''}
    ${middle}
    ${last}
    (br_if $channels (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (i32.const ${pixelBytes}))))`;
}

/** The module: `forward(x, w, y, N)` over N images of [H, W, C] from x, filter w [3, 3, C], into y. */
export function depthwiseConvModuleText(s: DepthwiseConvShape, memoryImport: string): string {
  if (s.C % 4 !== 0 || s.C <= 0) throw new Error(`depthwiseConvModuleText: ${s.C} channels, not a positive multiple of 4`);
  if (!(s.H >= 1 && s.W >= 1)) throw new Error(`depthwiseConvModuleText: an image of ${s.H} x ${s.W}`);
  const rowBytes = s.W * s.C * 4, imageBytes = s.H * rowBytes;
  const rowKinds = s.H === 1 ? [tapsAt('only')] : [tapsAt('first'), ...(s.H > 2 ? [tapsAt('middle')] : []), tapsAt('last')];
  const middleRows = s.H > 2 ? `
  (local.set $oy (i32.const ${s.H - 2}))
  (loop $rows
    ${outputRow(rowKinds[1], s)}
    (local.set $r (i32.add (local.get $r) (i32.const ${rowBytes})))
    (local.set $q (i32.add (local.get $q) (i32.const ${rowBytes})))
    (br_if $rows (local.tee $oy (i32.sub (local.get $oy) (i32.const 1)))))` : '';
  // The first row's taps start at x's row 0; every later row's at the row above it.
  const lastRow = s.H > 1 ? `${outputRow(rowKinds[rowKinds.length - 1], s)}` : '';
  return `(module
(import "env" "memory" ${memoryImport})
(func (export "forward") (param $x i32) (param $w i32) (param $y i32) (param $N i32)
  (local $c i32) (local $ox i32) (local $oy i32) (local $p i32) (local $o i32) (local $r i32) (local $q i32) (local $acc v128)
  ${Array.from({length: 9}, (_, tap) => `(local $w${tap} v128)`).join(' ')}
  (block $done
  (br_if $done (i32.eqz (local.get $N)))
  (loop $images
    (local.set $r (local.get $x))
    (local.set $q (local.get $y))
    ${outputRow(rowKinds[0], s)}
    (local.set $q (i32.add (local.get $q) (i32.const ${rowBytes})))
    ${middleRows}
    ${lastRow}
    (local.set $x (i32.add (local.get $x) (i32.const ${imageBytes})))
    (local.set $y (i32.add (local.get $y) (i32.const ${imageBytes})))
    (br_if $images (local.tee $N (i32.sub (local.get $N) (i32.const 1))))))
))
`;
}
