/**
 * The filter gradient of a 3x3 convolution at stride 1 or 2 by Winograd's
 * minimal filtering (the forward pass: winograd.ts; the schemes:
 * winograd-schemes.ts), as WebAssembly text generated for one geometry
 * and batch.
 *
 * The forward pass is bilinear in the filter g and a tile's patch d,
 * Y = A^T [ (G g G^T) (.) (B^T d B) ] A, so the gradient of g is
 *   dg = G^T [ sum over tiles of (A dy A^T) (.) (B^T d B) ] G
 * where dy is the tile's 2x2 block of the output's gradient. The sum over
 * every tile of the batch is, for each position, a product V[pos]^T Z[pos]
 * of [tiles, Ci] and [tiles, Co] (`products`): 16 (stride 1) or 25
 * (stride 2) multiplies for each tile and channel pair where the direct
 * gradient does 36. This module transforms (per image, `transforms`),
 * sums the products, and gathers the sums back into dW (`filterFromSums`).
 */
import {countUp} from './loops';
import {WinogradShape, expectWholeVectors, inputTransform, paddingFunction, winogradGeometry} from './winograd';
import {channelBlocks, tilePixels} from './direct-conv';

/**
 * A Winograd filter gradient's geometry: the convolution's, the batch, and
 * the images whose tiles the planes hold (`chunk`, a divisor of N; absent,
 * the whole batch).
 */
export type WinogradFilterGradShape = Omit<WinogradShape, 'activation'> & {N: number; chunk?: number};

/** Images whose tiles a position's plane holds: a chunk of them, or the batch. */
export const planeImages = (s: WinogradFilterGradShape): number => s.chunk ?? s.N;

const F32 = 4;
const int = (v: number) => `(i32.const ${v})`;
const get = (name: string) => `(local.get $${name})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const v = (name: string) => `(local.get $${name})`;
const ZERO = '(v128.const f32x4 0 0 0 0)';

/**
 * Every tile's 2x2 block of dy to Z[pos][tile][co] = (A dy A^T)[pos], 4
 * channels a step; a block's row or column past the output (odd OH or
 * OW) reads as zeros. Params $dy (the image), $Z (its first tile).
 */
function gradientTransform(s: WinogradFilterGradShape): string {
  const g = winogradGeometry(s);
  const {n} = g.scheme;
  const pixel = s.Co * F32, planeZ = planeImages(s) * g.tiles * s.Co * F32;
  const inRow = `(i32.lt_u ${add(mul(get('ty'), int(2)), int(1))} ${int(s.OH)})`;
  const inColumn = `(i32.lt_u ${add(mul(get('tx'), int(2)), int(1))} ${int(s.OW)})`;
  const load = (a: number, b: number) => {
    const value = `(v128.load offset=${(a * s.OW + b) * pixel} (local.get $p))`;
    const conditions = [a === 1 && s.OH % 2 === 1 ? inRow : null, b === 1 && s.OW % 2 === 1 ? inColumn : null].filter(c => c != null);
    if (conditions.length === 0) return value;
    const condition = conditions.length === 1 ? conditions[0]! : `(i32.and ${conditions[0]} ${conditions[1]})`;
    return `(if (result v128) ${condition} (then ${value}) (else ${ZERO}))`;
  };
  // Each dy loaded once into $d{a}_{b}: the combinations use some more than once.
  const loads = [0, 1].flatMap(a => [0, 1].map(b => `(local.set $d${a}_${b} ${load(a, b)})`)).join(' ');
  const rows = [0, 1].map(a =>
    g.scheme.gradient([v(`d${a}_0`), v(`d${a}_1`)]).map((value, j) => `(local.set $z${a}_${j} ${value})`).join(' ')).join('\n        ');
  const stores = Array.from({length: n}, (_, j) =>
    g.scheme.gradient([v(`z0_${j}`), v(`z1_${j}`)]).map((value, i) =>
      `(v128.store offset=${(i * n + j) * planeZ} (local.get $q) ${value})`).join(' ')).join('\n        ');
  return `(func $gradientTransform (param $dy i32) (param $Z i32)
  (local $ty i32) (local $tx i32) (local $c i32) (local $p i32) (local $q i32)
  ${Array.from({length: 2 * n}, (_, k) => `(local $z${Math.floor(k / n)}_${k % n} v128)`).join(' ')}
  (local $d0_0 v128) (local $d0_1 v128) (local $d1_0 v128) (local $d1_1 v128)
  (local.set $q (local.get $Z))
  ${countUp('$ty', int(0), int(g.TH), countUp('$tx', int(0), int(g.TW), `
      (local.set $p ${add(get('dy'), mul(add(mul(get('ty'), int(2 * s.OW)), mul(get('tx'), int(2))), int(pixel)))})
      ${countUp('$c', int(0), int(s.Co / 4), `
        ${loads}
        ${rows}
        ${stores}
        (local.set $p (i32.add (local.get $p) ${int(16)}))
        (local.set $q (i32.add (local.get $q) ${int(16)}))`)}`))}
)`;
}

/** `filterFromSums(sums, dw)`: the positions' sums [positions][Ci][Co] to dW [3, 3, Ci, Co] = G^T sums G, 4 channels a step. */
function filterFromSums(s: WinogradFilterGradShape): string {
  const {scheme} = winogradGeometry(s);
  const {n} = scheme;
  const plane = s.Ci * s.Co * F32;
  const rows = Array.from({length: n}, (_, i) => {
    const loads = Array.from({length: n}, (_, j) => `(v128.load offset=${(i * n + j) * plane} (local.get $p))`);
    return scheme.taps(loads).map((value, kw) => `(local.set $r${i}_${kw} ${value})`).join(' ');
  }).join('\n    ');
  const stores = Array.from({length: 3}, (_, kw) =>
    scheme.taps(Array.from({length: n}, (_, i) => v(`r${i}_${kw}`))).map((value, kh) =>
      `(v128.store offset=${(kh * 3 + kw) * plane} (local.get $p2) ${value})`).join(' ')).join('\n    ');
  return `(func (export "filterFromSums") (param $sums i32) (param $dw i32)
  (local $k i32) (local $p i32) (local $p2 i32)
  ${Array.from({length: 3 * n}, (_, k) => `(local $r${Math.floor(k / 3)}_${k % 3} v128)`).join(' ')}
  (local.set $p (local.get $sums))
  (local.set $p2 (local.get $dw))
  ${countUp('$k', int(0), int(s.Ci * s.Co / 4), `
    ${rows}
    ${stores}
    (local.set $p (i32.add (local.get $p) ${int(16)}))
    (local.set $p2 (i32.add (local.get $p2) ${int(16)}))`)}
)`;
}

/**
 * Rows of the batch's tiles a block of the products reads: V's and Z's
 * rows of a block together about 16 KB, so they stay in the first-level
 * cache while every register tile passes over them.
 */
export function productRows(s: {Ci: number; Co: number}): number {
  return Math.max(16, Math.min(256, Math.floor(4096 / (s.Ci + s.Co))));
}

/**
 * One register tile of the products: `count` input channels from $ci,
 * `width` output channels from $co, over the block's rows: sums[ci][co] +=
 * sum over rows of V[row][ci] * Z[row][co]. $pv, $pz at the block's first
 * row (and the tile's channels), $po at the sums.
 */
function productTile(s: WinogradFilterGradShape, count: number, width: number): string {
  const vectors = width / 4;
  const acc = (i: number, k: number) => `$a${i}_${k}`;
  const each = (body: (i: number, k: number) => string) =>
    Array.from({length: count}, (_, i) => Array.from({length: vectors}, (_, k) => body(i, k)).join(' ')).join('\n      ');
  return `
      ${each((i, k) => `(local.set ${acc(i, k)} (v128.load offset=${(i * s.Co + 4 * k) * F32} (local.get $po)))`)}
      (local.set $qv (local.get $pv))
      (local.set $qz (local.get $pz))
      (local.set $r (local.get $rows))
      (loop $rows_${count}_${width}
        ${Array.from({length: vectors}, (_, k) => `(local.set $w${k} (v128.load offset=${16 * k} (local.get $qz)))`).join(' ')}
        ${Array.from({length: count}, (_, i) => `(local.set $s (v128.load32_splat offset=${i * F32} (local.get $qv)))
        ${Array.from({length: vectors}, (_, k) =>
            `(local.set ${acc(i, k)} (f32x4.add (local.get ${acc(i, k)}) (f32x4.mul (local.get $s) (local.get $w${k}))))`).join(' ')}`).join('\n        ')}
        (local.set $qv (i32.add (local.get $qv) ${int(s.Ci * F32)}))
        (local.set $qz (i32.add (local.get $qz) ${int(s.Co * F32)}))
        (local.set $r (i32.sub (local.get $r) ${int(1)}))
        (br_if $rows_${count}_${width} (local.get $r)))
      ${each((i, k) => `(v128.store offset=${(i * s.Co + 4 * k) * F32} (local.get $po) (local.get ${acc(i, k)}))`)}`;
}

/**
 * `products(V, Z, sums, p0, p1)`: for positions p0 .. p1 - 1, sums[pos] +=
 * V[pos]^T Z[pos] ([Ci, Co], over every tile the planes hold: the
 * batch's or a chunk's; the caller zeroes the sums first), in blocks of
 * `productRows` rows; each sum runs in one order whichever positions a
 * call covers, so calls over disjoint ranges on different threads give
 * one call's result, and chunk after chunk adds the rows in the order one
 * call over the batch would.
 */
function products(s: WinogradFilterGradShape): string {
  const {tiles} = winogradGeometry(s);
  const K = planeImages(s) * tiles, rows = productRows(s);
  const planeV = K * s.Ci * F32, planeZ = K * s.Co * F32, planeSums = s.Ci * s.Co * F32;
  const blocks = channelBlocks(s.Co);
  const names = new Set<string>();
  const tilesOf = (width: number) => {
    const count = tilePixels(width);
    const full = Math.floor(s.Ci / count) * count;
    return {count, full, rest: s.Ci - full};
  };
  for (const [, width] of blocks) {
    const {count, rest} = tilesOf(width);
    for (const c of [count, rest]) for (let i = 0; i < c; i++) for (let k = 0; k < width / 4; k++) names.add(`$a${i}_${k}`);
  }
  // Every tile of one block of output channels over the block of rows at $pv0 / $pz0.
  const block = ([co0, width]: [number, number]) => {
    const {count, full, rest} = tilesOf(width);
    const at = (ci: string) => `
      (local.set $pv ${add(get('pv0'), mul(ci, int(F32)))})
      (local.set $pz ${add(get('pz0'), int(co0 * F32))})
      (local.set $po ${add(add(get('ps'), mul(ci, int(s.Co * F32))), int(co0 * F32))})`;
    const whole = full > 0 ? countUp('$ci', int(0), int(full), `${at(get('ci'))}${productTile(s, count, width)}`, int(count)) : '';
    return `${whole}
      ${rest > 0 ? `${at(int(full))}${productTile(s, rest, width)}` : ''}`;
  };
  return `(func (export "products") (param $V i32) (param $Z i32) (param $sums i32) (param $p0 i32) (param $p1 i32)
  (local $pos i32) (local $k i32) (local $rows i32) (local $ci i32) (local $r i32)
  (local $pv0 i32) (local $pz0 i32) (local $ps i32) (local $pv i32) (local $pz i32) (local $po i32) (local $qv i32) (local $qz i32)
  (local $s v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
  ${[...names].map(name => `(local ${name} v128)`).join(' ')}
  ${countUp('$pos', get('p0'), get('p1'), `
    (local.set $ps ${add(get('sums'), mul(get('pos'), int(planeSums)))})
    ${countUp('$k', int(0), int(K), `
      (local.set $rows (select ${int(rows)} ${`(i32.sub ${int(K)} (local.get $k))`} (i32.le_s ${int(rows)} (i32.sub ${int(K)} (local.get $k)))))
      (local.set $pv0 ${add(add(get('V'), mul(get('pos'), int(planeV))), mul(get('k'), int(s.Ci * F32)))})
      (local.set $pz0 ${add(add(get('Z'), mul(get('pos'), int(planeZ))), mul(get('k'), int(s.Co * F32)))})
      ${blocks.map(block).join('\n')}`, int(rows))}`)}
)`;
}

/** V's and Z's bytes: a plane of the batch's (or a chunk's) tiles for each position. */
export function winogradGradientPlanes(s: WinogradFilterGradShape): {vBytes: number; zBytes: number} {
  const {tiles, positions} = winogradGeometry(s);
  return {vBytes: positions * planeImages(s) * tiles * s.Ci * F32, zBytes: positions * planeImages(s) * tiles * s.Co * F32};
}

/**
 * The module: `transforms(x, xp, dy, V, Z, n0, count)` for images n0 ..
 * n0 + count - 1 (xp one image's padded copy, `winogradGeometry(s).xpBytes`,
 * reused image after image), and `filterFromSums(sums, dw)`.
 */
export function winogradFilterGradModuleText(s: WinogradFilterGradShape, memoryImport: string): string {
  expectWholeVectors('winogradFilterGradModuleText', s);
  const g = winogradGeometry(s);
  const imageX = s.H * s.W * s.Ci * F32, imageY = s.OH * s.OW * s.Co * F32;
  return `(module
(import "env" "memory" ${memoryImport})
${paddingFunction(s)}
${inputTransform(s, planeImages(s) * g.tiles)}
${gradientTransform(s)}
${filterFromSums(s)}
${products(s)}
(func (export "transforms") (param $x i32) (param $xp i32) (param $dy i32) (param $V i32) (param $Z i32) (param $n0 i32) (param $count i32)
  (local $n i32)
  ${countUp('$n', get('n0'), add(get('n0'), get('count')), `
    (call $pad ${add(get('x'), mul(get('n'), int(imageX)))} (local.get $xp))
    (call $inputTransform (local.get $xp) ${add(get('V'), mul(get('n'), int(g.tiles * s.Ci * F32)))})
    (call $gradientTransform ${add(get('dy'), mul(get('n'), int(imageY)))} ${add(get('Z'), mul(get('n'), int(g.tiles * s.Co * F32)))})`)}
)
)
`;
}
