/**
 * A 3x3 depthwise convolution as WebAssembly text generated for one
 * geometry (image size, channels, stride, padding):
 *
 *   y[b, oy, ox, c] = sum over ky, kx of x[b, oy*s + ky - top, ox*s + kx - left, c] * w[ky, kx, c]
 *
 * taps outside the image left out (its zero padding), with no padded copy:
 * outputs are grouped into runs of rows and columns whose taps fall inside
 * alike (the first and last rows and columns usually differ from the
 * rest), each run its own code with only those taps, and every tap's
 * offset an immediate. Per row and vector of 4 channels the 9 weight
 * vectors sit in registers while
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
 * stride 1 is this convolution of dy with the turned filter. A module with
 * the filter as it is also has the filter gradient (`filterGradientText`)
 * and, at strides above 1, the input gradient by gathering
 * (`inputGradientText`). Only the batch N (and the filter gradient's
 * channel range) is a run-time parameter.
 */
export interface DepthwiseConvShape {
  H: number;
  W: number;
  /** Channels, a multiple of 4. */
  C: number;
  OH: number;
  OW: number;
  /** The stride, the same both ways. */
  stride: number;
  /** Zero rows above and columns left of the image (computeConv2DInfo's padInfo). */
  top: number;
  left: number;
  rotated: boolean;
}

/** A run of `count` outputs from `first` on, whose taps inside the image are `k0`..`k1` (none where k1 < k0). */
interface Segment { first: number; count: number; k0: number; k1: number }

/** Outputs 0..outputs-1 along one dimension grouped by the taps (0-2) that fall inside an input of `size`. */
function segments(outputs: number, size: number, stride: number, pad: number): Segment[] {
  const runs: Segment[] = [];
  for (let o = 0; o < outputs; o++) {
    const inside = [0, 1, 2].filter(k => o * stride + k - pad >= 0 && o * stride + k - pad < size);
    const k0 = inside.length > 0 ? inside[0] : 0, k1 = inside.length > 0 ? inside[inside.length - 1] : -1;
    const last = runs[runs.length - 1];
    if (last != null && last.k0 === k0 && last.k1 === k1) last.count++;
    else runs.push({first: o, count: 1, k0, k1});
  }
  return runs;
}

/** `body` once, or in a loop `count` times (counting down `counter`). */
function repeat(count: number, counter: string, body: string): string {
  if (count === 1) return body;
  return `(local.set ${counter} (i32.const ${count}))
    (loop ${counter}_next
      ${body}
      (br_if ${counter}_next (local.tee ${counter} (i32.sub (local.get ${counter}) (i32.const 1)))))`;
}

/**
 * One output vector at $o: the products of the taps in rows `rows` and
 * columns `cols` (k0..k1 each), read at immediate offsets from $p, which
 * points at the first of them; zeros where no tap falls inside.
 */
function outputVector(rows: Segment, cols: Segment, rowBytes: number, pixelBytes: number): string {
  const terms: string[] = [];
  for (let ky = rows.k0; ky <= rows.k1; ky++) {
    for (let kx = cols.k0; kx <= cols.k1; kx++) {
      const offset = (ky - rows.k0) * rowBytes + (kx - cols.k0) * pixelBytes;
      terms.push(`(f32x4.mul (v128.load offset=${offset} (local.get $p)) (local.get $w${ky * 3 + kx}))`);
    }
  }
  return storeSum(terms, '(v128.store (local.get $o)');
}

/**
 * `store` (an open store instruction) of the sum of `terms`, zeros where
 * there are none. The first product starts the sum; the rest are added as
 * (sum + product), which the fused build makes fused multiply-adds.
 */
function storeSum(terms: string[], store: string): string {
  if (terms.length === 0) return `${store} (v128.const i32x4 0 0 0 0))`;
  return `(local.set $acc ${terms[0]})\n` +
      terms.slice(1).map(term => `(local.set $acc (f32x4.add (local.get $acc) ${term}))`).join('\n') +
      `\n${store} (local.get $acc))`;
}

/**
 * A function `name(from, w, to, N)` running `body` once per image, `from`
 * and `to` advanced by an image's bytes each time, with the locals the
 * bodies use (pointers, counters, the sum and the 9 weights).
 */
function perImage(name: string, [from, to]: [string, string], body: string, fromImageBytes: number, toImageBytes: number): string {
  return `
(func (export "${name}") (param ${from} i32) (param $w i32) (param ${to} i32) (param $N i32)
  (local $c i32) (local $ox i32) (local $oy i32) (local $p i32) (local $o i32) (local $r i32) (local $q i32) (local $acc v128)
  ${Array.from({length: 9}, (_, tap) => `(local $w${tap} v128)`).join(' ')}
  (block $done
  (br_if $done (i32.eqz (local.get $N)))
  (loop $images
    ${body}
    (local.set ${from} (i32.add (local.get ${from}) (i32.const ${fromImageBytes})))
    (local.set ${to} (i32.add (local.get ${to}) (i32.const ${toImageBytes})))
    (br_if $images (local.tee $N (i32.sub (local.get $N) (i32.const 1))))))
)`;
}

/**
 * The output rows of `rows`: for each, each vector of channels (its 9
 * weights into registers), each run of columns. $r points at the input row
 * of the segment's first output's first tap; $q at its first output row.
 */
function outputRows(rows: Segment, s: DepthwiseConvShape): string {
  const pixelBytes = s.C * 4, rowBytes = s.W * pixelBytes;
  const weight = (tap: number) => (s.rotated ? 8 - tap : tap) * pixelBytes;
  const columns = segments(s.OW, s.W, s.stride, s.left).map(cols => {
    const from = (cols.first * s.stride + Math.max(cols.k0, 0) - s.left) * pixelBytes;
    return `
      (local.set $p (i32.add (local.get $r) (i32.add (local.get $c) (i32.const ${Math.max(from, 0)}))))
      (local.set $o (i32.add (local.get $q) (i32.add (local.get $c) (i32.const ${cols.first * pixelBytes}))))
      ${repeat(cols.count, '$ox', `${outputVector(rows, cols, rowBytes, pixelBytes)}
      (local.set $p (i32.add (local.get $p) (i32.const ${s.stride * pixelBytes})))
      (local.set $o (i32.add (local.get $o) (i32.const ${pixelBytes})))`)}`;
  });
  return repeat(rows.count, '$oy', `
    (local.set $c (i32.const 0))
    (loop $channels
      ${Array.from({length: 9}, (_, tap) => `(local.set $w${tap} (v128.load offset=${weight(tap)} (i32.add (local.get $w) (local.get $c))))`).join('\n      ')}
      ${columns.join('\n')}
      (br_if $channels (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (i32.const ${pixelBytes}))))
    (local.set $r (i32.add (local.get $r) (i32.const ${s.stride * rowBytes})))
    (local.set $q (i32.add (local.get $q) (i32.const ${s.OW * pixelBytes})))`);
}

/**
 * `filterGradient(x, dy, acc, N, c0, c1)`: acc[tap, c] (float64, [9, C],
 * added to) += sum over N images' outputs of x at the tap's position times
 * dy, for the channels whose byte offsets are c0..c1 (multiples of 16). Per
 * image and vector of 4 channels the 9 taps' sums stay in registers while
 * the image streams past (one load of dy and one of x per tap inside the
 * image, per output), then are widened and added to acc: float32 sums over
 * one image, float64 across images.
 */
function filterGradientText(s: DepthwiseConvShape): string {
  const pixelBytes = s.C * 4, rowBytes = s.W * pixelBytes, outRowBytes = s.OW * pixelBytes;
  const sums = Array.from({length: 9}, (_, tap) => `$a${tap}`);
  const rowSegments = segments(s.OH, s.H, s.stride, s.top).map(rows => {
    const columns = segments(s.OW, s.W, s.stride, s.left).map(cols => {
      const from = (cols.first * s.stride + Math.max(cols.k0, 0) - s.left) * pixelBytes;
      const products: string[] = [];
      for (let ky = rows.k0; ky <= rows.k1; ky++) {
        for (let kx = cols.k0; kx <= cols.k1; kx++) {
          const offset = (ky - rows.k0) * rowBytes + (kx - cols.k0) * pixelBytes;
          products.push(`(local.set $a${ky * 3 + kx} (f32x4.add (local.get $a${ky * 3 + kx}) (f32x4.mul (v128.load offset=${offset} (local.get $p)) (local.get $d))))`);
        }
      }
      return `
        (local.set $p (i32.add (local.get $r) (i32.const ${Math.max(from, 0)})))
        (local.set $o (i32.add (local.get $q) (i32.const ${cols.first * pixelBytes})))
        ${repeat(cols.count, '$ox', `(local.set $d (v128.load (local.get $o)))
        ${products.join('\n        ')}
        (local.set $p (i32.add (local.get $p) (i32.const ${s.stride * pixelBytes})))
        (local.set $o (i32.add (local.get $o) (i32.const ${pixelBytes})))`)}`;
    });
    return `
      (local.set $r (i32.add (local.get $xc) (i32.const ${Math.max(rows.first * s.stride + Math.max(rows.k0, 0) - s.top, 0) * rowBytes})))
      (local.set $q (i32.add (local.get $dyc) (i32.const ${rows.first * outRowBytes})))
      ${repeat(rows.count, '$oy', `${columns.join('\n')}
      (local.set $r (i32.add (local.get $r) (i32.const ${s.stride * rowBytes})))
      (local.set $q (i32.add (local.get $q) (i32.const ${outRowBytes})))`)}`;
  });
  const flush = sums.map((sum, tap) => `(v128.store offset=${tap * s.C * 8} (local.get $pa)
        (f64x2.add (v128.load offset=${tap * s.C * 8} (local.get $pa)) (f64x2.promote_low_f32x4 (local.get ${sum}))))
      (v128.store offset=${tap * s.C * 8 + 16} (local.get $pa) (f64x2.add (v128.load offset=${tap * s.C * 8 + 16} (local.get $pa))
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get ${sum}) (local.get ${sum})))))`);
  return `
(func (export "filterGradient") (param $x i32) (param $dy i32) (param $acc i32) (param $N i32) (param $c0 i32) (param $c1 i32)
  (local $c i32) (local $ox i32) (local $oy i32) (local $p i32) (local $o i32) (local $r i32) (local $q i32)
  (local $xc i32) (local $dyc i32) (local $pa i32) (local $d v128)
  ${sums.map(sum => `(local ${sum} v128)`).join(' ')}
  (block $done
  (br_if $done (i32.eqz (local.get $N)))
  (loop $images
    (local.set $c (local.get $c0))
    (loop $channels
      (local.set $xc (i32.add (local.get $x) (local.get $c)))
      (local.set $dyc (i32.add (local.get $dy) (local.get $c)))
      ${sums.map(sum => `(local.set ${sum} (v128.const i32x4 0 0 0 0))`).join(' ')}
      ${rowSegments.join('\n')}
      (local.set $pa (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 1))))
      ${flush.join('\n      ')}
      (br_if $channels (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (local.get $c1))))
    (local.set $x (i32.add (local.get $x) (i32.const ${s.H * rowBytes})))
    (local.set $dy (i32.add (local.get $dy) (i32.const ${s.OH * outRowBytes})))
    (br_if $images (local.tee $N (i32.sub (local.get $N) (i32.const 1))))))
)`;
}

/** The taps of one input position: filter index k, reading output position (unit + d) of dy. */
interface Tap { k: number; d: number }

/** A run of `count` units of `stride` input positions from unit `first` on, each position reading dy by `taps` (per position). */
interface UnitRun { first: number; count: number; taps: Tap[][] }

/**
 * Input positions 0..size-1, in units of `stride` (unit u: positions
 * u * stride + j), each position's taps: k with (position + pad - k) a
 * multiple of the stride, reading output (position + pad - k) / stride if
 * it exists, as d relative to u. Consecutive units whose taps agree are
 * one run (past the last position, a unit's list is shorter).
 */
function unitRuns(size: number, outputs: number, stride: number, pad: number): UnitRun[] {
  const runs: UnitRun[] = [];
  for (let u = 0; u * stride < size; u++) {
    const taps: Tap[][] = [];
    for (let j = 0; j < stride && u * stride + j < size; j++) {
      const position = u * stride + j, list: Tap[] = [];
      for (let k = 0; k < 3; k++) {
        const shifted = position + pad - k;
        if (shifted % stride !== 0 || shifted < 0 || shifted / stride >= outputs) continue;
        list.push({k, d: shifted / stride - u});
      }
      taps.push(list);
    }
    const last = runs[runs.length - 1];
    if (last != null && JSON.stringify(last.taps) === JSON.stringify(taps)) last.count++;
    else runs.push({first: u, count: 1, taps});
  }
  return runs;
}

/** The smallest d a run's taps read (0 where none): its dy pointer's place relative to the unit. */
function lowest(run: UnitRun): number {
  const ds = run.taps.flat().map(tap => tap.d);
  return ds.length === 0 ? 0 : Math.min(...ds);
}

/**
 * `inputGradient(dy, w, dx, N)` at a stride above 1: dx [N, H, W, C] from
 * dy [N, OH, OW, C] and the filter, each input pixel gathering the taps
 * that read it (at stride 2: 4, 2, 2 or 1 of them), in units of stride x
 * stride pixels whose runs of rows and columns share their code, with
 * immediate offsets into dy: no zeroing of dx and no scattered adds.
 */
function inputGradientText(s: DepthwiseConvShape): string {
  const pixelBytes = s.C * 4, rowBytes = s.W * pixelBytes, outRowBytes = s.OW * pixelBytes;
  const rowRuns = unitRuns(s.H, s.OH, s.stride, s.top), colRuns = unitRuns(s.W, s.OW, s.stride, s.left);
  const rowCode = rowRuns.map(rows => {
    const rowLow = lowest(rows);
    const unitRows = rows.taps.map((rowTaps, j) => {
      const columns = colRuns.map(cols => {
        const colLow = lowest(cols);
        const pixels = cols.taps.map((colTaps, i) => {
          const terms: string[] = [];
          for (const ry of rowTaps) {
            for (const rx of colTaps) {
              const offset = (ry.d - rowLow) * outRowBytes + (rx.d - colLow) * pixelBytes;
              terms.push(`(f32x4.mul (v128.load offset=${offset} (local.get $p)) (local.get $w${ry.k * 3 + rx.k}))`);
            }
          }
          return storeSum(terms, `(v128.store offset=${i * pixelBytes} (local.get $o)`);
        });
        return `
        (local.set $p (i32.add (local.get $r) (i32.const ${(cols.first + colLow) * pixelBytes})))
        (local.set $o (i32.add (local.get $q) (i32.const ${(cols.first * s.stride * pixelBytes) + j * rowBytes})))
        ${repeat(cols.count, '$ox', `${pixels.join('\n        ')}
        (local.set $p (i32.add (local.get $p) (i32.const ${pixelBytes})))
        (local.set $o (i32.add (local.get $o) (i32.const ${s.stride * pixelBytes})))`)}`;
      });
      return columns.join('\n');
    });
    return `
    (local.set $r (i32.add (local.get $dy) (i32.const ${(rows.first + rowLow) * outRowBytes})))
    (local.set $q (i32.add (local.get $dx) (i32.const ${rows.first * s.stride * rowBytes})))
    ${repeat(rows.count, '$oy', `
      (local.set $c (i32.const 0))
      (loop $channels
        ${Array.from({length: 9}, (_, tap) => `(local.set $w${tap} (v128.load offset=${tap * pixelBytes} (i32.add (local.get $w) (local.get $c))))`).join('\n        ')}
        (local.set $r (i32.add (local.get $r) (local.get $c)))
        (local.set $q (i32.add (local.get $q) (local.get $c)))
        ${unitRows.join('\n')}
        (local.set $r (i32.sub (local.get $r) (local.get $c)))
        (local.set $q (i32.sub (local.get $q) (local.get $c)))
        (br_if $channels (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 16))) (i32.const ${pixelBytes}))))
      (local.set $r (i32.add (local.get $r) (i32.const ${outRowBytes})))
      (local.set $q (i32.add (local.get $q) (i32.const ${s.stride * rowBytes})))`)}`;
  });
  return perImage('inputGradient', ['$dy', '$dx'], rowCode.join('\n'), s.OH * outRowBytes, s.H * rowBytes);
}

/**
 * The module: `forward(x, w, y, N)` over N images of [H, W, C] from x,
 * filter w [3, 3, C], into y [N, OH, OW, C]; where the filter is not
 * turned, also `filterGradient`, and at strides above 1 `inputGradient`.
 */
export function depthwiseConvModuleText(s: DepthwiseConvShape, memoryImport: string): string {
  if (s.C % 4 !== 0 || s.C <= 0) throw new Error(`depthwiseConvModuleText: ${s.C} channels, not a positive multiple of 4`);
  if (!(s.H >= 1 && s.W >= 1 && s.OH >= 1 && s.OW >= 1)) throw new Error(`depthwiseConvModuleText: ${s.H} x ${s.W} -> ${s.OH} x ${s.OW}`);
  if (s.rotated && s.stride !== 1) throw new Error('depthwiseConvModuleText: a turned filter is for stride 1 (the input gradient)');
  const rowBytes = s.W * s.C * 4;
  const rowSegments = segments(s.OH, s.H, s.stride, s.top).map(rows => `
    (local.set $r (i32.add (local.get $x) (i32.const ${Math.max(rows.first * s.stride + Math.max(rows.k0, 0) - s.top, 0) * rowBytes})))
    (local.set $q (i32.add (local.get $y) (i32.const ${rows.first * s.OW * s.C * 4})))
    ${outputRows(rows, s)}`);
  return `(module
(import "env" "memory" ${memoryImport})
${perImage('forward', ['$x', '$y'], rowSegments.join('\n'), s.H * rowBytes, s.OH * s.OW * s.C * 4)}
${s.rotated ? '' : filterGradientText(s)}
${s.rotated || s.stride === 1 ? '' : inputGradientText(s)}
)
`;
}
