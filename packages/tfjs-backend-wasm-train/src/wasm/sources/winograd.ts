/**
 * A 3x3 convolution at stride 1 or 2 by Winograd's minimal filtering
 * (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
 * 2016; the schemes: winograd-schemes.ts), as WebAssembly text generated
 * for one geometry.
 *
 * Each 2x2 block of outputs (a tile) reads a patch d of the padded input
 * (4x4 at stride 1, 5x5 at stride 2); per channel pair it is
 *   Y = A^T [ (G g G^T) (.) (B^T d B) ] A
 * with 16 multiplies (stride 1) or 25 (stride 2) where the direct
 * convolution does 36. Per image:
 * 1. the image is copied into zeros with its padding (as the direct
 *    convolution pads it, `imagePadding`);
 * 2. every tile's patch is transformed, V[pos][tile][ci] = (B^T d B)[pos],
 *    four channels a vector, additions only;
 * 3. for each of the n x n positions, M[pos] = V[pos] U[pos]: a matrix product
 *    [tiles, Ci] x [Ci, Co] on the direct convolution's register tiles
 *    (2 tiles x 16 outputs, narrower blocks more tiles); in G groups, one
 *    [tiles, Ci/G] x [Ci/G, Co/G] product a group, whose blocks read their
 *    group's inputs only;
 * 4. every tile's sums go back to its 2x2 outputs, Y = A^T M A, plus the
 *    bias, then the activation.
 * The filter's transform U = G g G^T is `transformFilter`, packed by blocks
 * of output channels: block [positions][Ci/G][width] at co0 * positions *
 * Ci/G floats.
 *
 * The transforms' constants are 0, +-1 and 1/2, so the rounding stays
 * close to the direct sums' (the tests hold it to the cpu backend at 1e-5).
 */
import {countUp} from './loops';
import {channelBlocks, groupedBlocksFit, imagePadding, tilePixels} from './direct-conv';
import {winogradScheme} from './winograd-schemes';

export interface WinogradShape {
  /** The input image's rows, columns and channels (a multiple of 4), and where it lies in the padded frame. */
  H: number; W: number; Ci: number; top: number; left: number;
  /** The output's rows, columns and channels (a multiple of 4). */
  OH: number; OW: number; Co: number;
  /** The convolution's stride along both axes: 1 or 2. */
  stride: 1 | 2;
  /** What the stores apply: nothing, or max(0, y). */
  activation: 'linear' | 'relu';
  /**
   * Groups (1 if absent): output channel g * Co/G + j sums the transformed
   * inputs g * Ci/G .. (g + 1) * Ci/G - 1 only, and the filter is
   * [3, 3, Ci/G, Co]. Each group's outputs fill whole blocks
   * (`groupedBlocksFit`); the transforms run over every channel as for G = 1.
   */
  groups?: number;
}

const F32 = 4;

const int = (v: number) => `(i32.const ${v})`;
const get = (name: string) => `(local.get $${name})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const fadd = (a: string, b: string) => `(f32x4.add ${a} ${b})`;
const v = (name: string) => `(local.get $${name})`;

/** Tiles down and across, the padded frame they read, the transformed patch's positions, and one image's scratch. */
export function winogradGeometry(s: {OH: number; OW: number; Ci: number; Co: number; stride: 1 | 2}) {
  const scheme = winogradScheme(s.stride);
  const TH = Math.ceil(s.OH / 2), TW = Math.ceil(s.OW / 2);
  // A tile's patch starts 2 * stride rows and columns after the last one's.
  const tiles = TH * TW, Hp = (2 * TH - 1) * s.stride + 3, Wp = (2 * TW - 1) * s.stride + 3;
  const positions = scheme.n * scheme.n;
  const xpBytes = Hp * Wp * s.Ci * F32, vBytes = positions * tiles * s.Ci * F32, mBytes = positions * tiles * s.Co * F32;
  /** One image's scratch: its padded copy, its transformed patches, its products. */
  const scratchBytes = xpBytes + vBytes + mBytes;
  return {scheme, positions, TH, TW, tiles, Hp, Wp, xpBytes, vBytes, mBytes, scratchBytes};
}

/** The transformed filter's floats: one a position for each output channel and each input of its group. */
export function transformedFilterFloats(Ci: number, Co: number, stride: 1 | 2, groups = 1): number {
  const {n} = winogradScheme(stride);
  return n * n * (Ci / groups) * Co;
}

/** The inputs each output channel sums: all Ci, or its group's. */
const groupInputsOf = (s: {Ci: number; groups?: number}) => s.Ci / (s.groups ?? 1);

/**
 * Every tile's patch transformed, 4 channels a step: V[pos][tile][ci], each
 * position's plane `planeTiles` tiles long (one image's, or, for the filter
 * gradient, the batch's). Params $xp, $V (the image's first tile).
 */
export function inputTransform(s: Omit<WinogradShape, 'activation'>, planeTiles: number): string {
  const g = winogradGeometry(s);
  const {n, patch} = g.scheme, step = 2 * s.stride;
  const pixel = s.Ci * F32, planeV = planeTiles * s.Ci * F32;
  const rows = Array.from({length: patch}, (_, r) => {
    const loads = Array.from({length: patch}, (_, c) => `(v128.load offset=${(r * g.Wp + c) * pixel} (local.get $p))`);
    return g.scheme.input(loads).map((e, j) => `(local.set $e${r}_${j} ${e})`).join(' ');
  }).join('\n        ');
  const stores = Array.from({length: n}, (_, j) =>
    g.scheme.input(Array.from({length: patch}, (_, r) => v(`e${r}_${j}`))).map((value, i) =>
      `(v128.store offset=${(i * n + j) * planeV} (local.get $q) ${value})`).join(' ')).join('\n        ');
  return `(func $inputTransform (param $xp i32) (param $V i32)
  (local $ty i32) (local $tx i32) (local $c i32) (local $p i32) (local $q i32)
  ${Array.from({length: patch * n}, (_, k) => `(local $e${Math.floor(k / n)}_${k % n} v128)`).join(' ')}
  (local.set $q (local.get $V))
  ${countUp('$ty', int(0), int(g.TH), countUp('$tx', int(0), int(g.TW), `
      (local.set $p ${add(get('xp'), mul(add(mul(get('ty'), int(step * g.Wp)), mul(get('tx'), int(step))), int(pixel)))})
      ${countUp('$c', int(0), int(s.Ci / 4), `
        ${rows}
        ${stores}
        (local.set $p (i32.add (local.get $p) ${int(16)}))
        (local.set $q (i32.add (local.get $q) ${int(16)}))`)}`))}
)`;
}

/**
 * One register tile of the products: `count` tiles from $pv (V at the
 * position and first tile), `width` outputs of the block whose weights
 * for this position are at $pu, into $pm (M at the position, first tile,
 * first output).
 */
function productTile(s: WinogradShape, count: number, width: number): string {
  const vectors = width / 4;
  const acc = (i: number, k: number) => `$a${i}_${k}`;
  const each = (body: (i: number, k: number) => string) =>
    Array.from({length: count}, (_, i) => Array.from({length: vectors}, (_, k) => body(i, k)).join(' ')).join('\n      ');
  return `
      ${each((i, k) => `(local.set ${acc(i, k)} (v128.const f32x4 0 0 0 0))`)}
      (local.set $qv (local.get $pv))
      (local.set $qu (local.get $pu))
      (local.set $ci ${int(0)})
      (loop $channels_${count}_${width}
        ${Array.from({length: vectors}, (_, k) => `(local.set $w${k} (v128.load offset=${16 * k} (local.get $qu)))`).join(' ')}
        ${Array.from({length: count}, (_, i) => `(local.set $s (v128.load32_splat offset=${i * s.Ci * F32} (local.get $qv)))
        ${Array.from({length: vectors}, (_, k) =>
            `(local.set ${acc(i, k)} (f32x4.add (local.get ${acc(i, k)}) (f32x4.mul (local.get $s) (local.get $w${k}))))`).join(' ')}`).join('\n        ')}
        (local.set $qv (i32.add (local.get $qv) ${int(F32)}))
        (local.set $qu (i32.add (local.get $qu) ${int(width * F32)}))
        (local.set $ci (i32.add (local.get $ci) ${int(1)}))
        (br_if $channels_${count}_${width} (i32.lt_u (local.get $ci) ${int(groupInputsOf(s))})))
      ${each((i, k) => `(v128.store offset=${(i * s.Co + 4 * k) * F32} (local.get $pm) (local.get ${acc(i, k)}))`)}`;
}

/** Every tile of one position for the block at $pu, `width` outputs from $co (bytes); $pv, $pm at the position's first tile. */
function productsOfBlock(s: WinogradShape, width: number): string {
  const {tiles} = winogradGeometry(s);
  const count = tilePixels(width);
  const full = Math.floor(tiles / count) * count, rest = tiles - full;
  const whole = full > 0 ? countUp('$t', int(0), int(full), `
      ${productTile(s, count, width)}
      (local.set $pv (i32.add (local.get $pv) ${int(count * s.Ci * F32)}))
      (local.set $pm (i32.add (local.get $pm) ${int(count * s.Co * F32)}))`, int(count)) : '';
  return `${whole}
      ${rest > 0 ? productTile(s, rest, width) : ''}`;
}

/**
 * M[pos] = V[pos] U[pos] for every position, block by block of outputs
 * (each block's group's inputs only). Params $V, $U, $M.
 */
function products(s: WinogradShape): string {
  const {tiles, positions} = winogradGeometry(s);
  const G = s.groups ?? 1, groupInputs = groupInputsOf(s);
  const blocks = channelBlocks(s.Co, G);
  const widths = new Set(blocks.map(([, w]) => w));
  const names = new Set<string>();
  for (const w of widths) for (let i = 0; i < tilePixels(w); i++) for (let k = 0; k < w / 4; k++) names.add(`$a${i}_${k}`);
  const width = blocks[0][1];
  const fullBlocks = blocks.filter(([, w]) => w === width).length;
  const tail = blocks.length > fullBlocks ? blocks[blocks.length - 1] : null;
  const planeV = tiles * s.Ci * F32, planeM = tiles * s.Co * F32;
  // The first input of block b's group, in bytes within a tile (blocks never straddle groups).
  const groupInput = (b: string) => G === 1 ? int(0) : mul(`(i32.div_u ${b} ${int(s.Co / G / width)})`, int(groupInputs * F32));
  // Where block b's inputs and weights for position $pos start, and its outputs' first byte.
  const atBlock = (co0: string, width: number, firstInput: string) => `
      (local.set $pv ${add(add(get('V'), mul(get('pos'), int(planeV))), firstInput)})
      (local.set $pm ${add(add(get('M'), mul(get('pos'), int(planeM))), mul(co0, int(F32)))})
      (local.set $pu ${add(add(get('U'), mul(co0, int(positions * groupInputs * F32))), mul(get('pos'), int(groupInputs * width * F32)))})`;
  return `(func $products (param $V i32) (param $U i32) (param $M i32)
  (local $pos i32) (local $b i32) (local $t i32) (local $ci i32) (local $pv i32) (local $pu i32) (local $pm i32)
  (local $qv i32) (local $qu i32) (local $s v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
  ${[...names].map(name => `(local ${name} v128)`).join(' ')}
  ${countUp('$pos', int(0), int(positions), `
    ${countUp('$b', int(0), int(fullBlocks), `
      ${atBlock(mul(get('b'), int(width)), width, groupInput(get('b')))}
      ${productsOfBlock(s, width)}`)}
    ${tail != null ? `${atBlock(int(tail[0]), tail[1], int(0))}
      ${productsOfBlock(s, tail[1])}` : ''}`)}
)`;
}

/** Every tile's sums back to its 2x2 outputs, plus the bias, then the activation. Params $M, $bias, $y. */
function outputTransform(s: WinogradShape): string {
  const g = winogradGeometry(s);
  const {n} = g.scheme;
  const planeM = g.tiles * s.Co * F32, pixel = s.Co * F32;
  const rowSums = Array.from({length: n}, (_, i) => {
    const loads = Array.from({length: n}, (_, j) => `(v128.load offset=${(i * n + j) * planeM} (local.get $pm))`);
    return g.scheme.output(loads).map((value, b) => `(local.set $r${i}_${b} ${value})`).join(' ');
  }).join('\n        ');
  const finish = (value: string) => s.activation === 'relu' ? `(f32x4.max ${value} (v128.const f32x4 0 0 0 0))` : value;
  const outputs = [0, 1].map(b =>
    g.scheme.output(Array.from({length: n}, (_, i) => v(`r${i}_${b}`))).map(value => finish(fadd(value, v('bv')))));
  const store = (a: number, b: number) => `(v128.store offset=${(a * s.OW + b) * pixel} (local.get $py) ${outputs[b][a]})`;
  // The last tile row and column hold one output row or column where OH or OW is odd.
  const lastRow = (body: string) => s.OH % 2 === 1 ? `(if (i32.lt_u ${add(mul(get('ty'), int(2)), int(1))} ${int(s.OH)}) (then ${body}))` : body;
  const lastColumn = (body: string) => s.OW % 2 === 1 ? `(if (i32.lt_u ${add(mul(get('tx'), int(2)), int(1))} ${int(s.OW)}) (then ${body}))` : body;
  return `(func $outputTransform (param $M i32) (param $bias i32) (param $y i32)
  (local $ty i32) (local $tx i32) (local $c i32) (local $pm i32) (local $py i32) (local $bv v128)
  ${Array.from({length: 2 * n}, (_, k) => `(local $r${Math.floor(k / 2)}_${k % 2} v128)`).join(' ')}
  (local.set $pm (local.get $M))
  ${countUp('$ty', int(0), int(g.TH), countUp('$tx', int(0), int(g.TW), `
      (local.set $py ${add(get('y'), mul(add(mul(get('ty'), int(2 * s.OW)), mul(get('tx'), int(2))), int(pixel)))})
      ${countUp('$c', int(0), int(s.Co / 4), `
        (local.set $bv (v128.load ${add(get('bias'), mul(get('c'), int(16)))}))
        ${rowSums}
        ${store(0, 0)}
        ${lastColumn(store(0, 1))}
        ${lastRow(`${store(1, 0)} ${lastColumn(store(1, 1))}`)}
        (local.set $pm (i32.add (local.get $pm) ${int(16)}))
        (local.set $py (i32.add (local.get $py) ${int(16)}))`)}`))}
)`;
}

/**
 * `transformFilter(w, U)`: the filter [3, 3, Ci, Co] at w to U = G g G^T,
 * 4 output channels a step, packed by blocks (see the file's comment).
 */
function filterTransform(s: WinogradShape): string {
  const {scheme, positions} = winogradGeometry(s);
  const {n} = scheme;
  const groupInputs = groupInputsOf(s);
  const blocks = channelBlocks(s.Co, s.groups ?? 1);
  const tap = groupInputs * s.Co * F32;
  const columns = Array.from({length: 3}, (_, kw) => {
    const loads = Array.from({length: 3}, (_, kh) => `(v128.load offset=${(kh * 3 + kw) * tap} (local.get $p))`);
    return scheme.filter(loads).map((value, i) => `(local.set $f${i}_${kw} ${value})`).join(' ');
  }).join('\n      ');
  // Block [pos][Ci/G][width]: position pos of the group's input ci at (pos * Ci/G + ci) * width.
  const storesFor = (width: number) => Array.from({length: n}, (_, i) =>
    scheme.filter([0, 1, 2].map(kw => v(`f${i}_${kw}`))).map((value, j) =>
      `(v128.store offset=${(i * n + j) * groupInputs * width * F32} (local.get $q) ${value})`).join(' ')).join('\n      ');
  const block = ([co0, width]: [number, number]) => countUp('$k', int(0), int(width / 4), `
      (local.set $p ${add(add(get('w'), mul(get('ci'), int(s.Co * F32))), int(co0 * F32))})
      (local.set $p (i32.add (local.get $p) (i32.mul (local.get $k) ${int(16)})))
      (local.set $q ${add(add(get('U'), int(co0 * positions * groupInputs * F32)), add(mul(get('ci'), int(width * F32)), mul(get('k'), int(16))))})
      ${columns}
      ${storesFor(width)}`);
  return `(func (export "transformFilter") (param $w i32) (param $U i32)
  (local $ci i32) (local $k i32) (local $p i32) (local $q i32)
  ${Array.from({length: 3 * n}, (_, k) => `(local $f${Math.floor(k / 3)}_${k % 3} v128)`).join(' ')}
  ${countUp('$ci', int(0), int(groupInputs), blocks.map(block).join('\n'))}
)`;
}

/** The kernels take channels 4 a vector, inputs and outputs alike. */
export function expectWholeVectors(caller: string, s: {Ci: number; Co: number}): void {
  if (s.Ci % 4 !== 0 || s.Co % 4 !== 0) throw new Error(`${caller}: ${s.Ci} -> ${s.Co} channels; both must be multiples of 4`);
}

/** `$pad(x, xp)`: one image into zeros with its padding, in the tiles' frame. */
export function paddingFunction(s: Omit<WinogradShape, 'activation'>): string {
  const g = winogradGeometry(s);
  const frame = {Hp: g.Hp, Wp: g.Wp, Ci: s.Ci, frame: {H: s.H, W: s.W, top: s.top, left: s.left}};
  return `(func $pad (param $x i32) (param $xp i32)
  (local $n i32) (local $r i32) (local $from i32) (local $to i32)
  ${imagePadding(frame, g.xpBytes)}
)`;
}

/**
 * The module: `transformFilter(w, U)`, and `forward(x, scratch, U, bias, y,
 * N)` over N images [H, W, Ci] -> [OH, OW, Co], with one image's scratch
 * (`winogradGeometry(s).scratchBytes`) that it reuses image after image.
 */
export function winogradModuleText(s: WinogradShape, memoryImport: string): string {
  expectWholeVectors('winogradModuleText', s);
  const G = s.groups ?? 1;
  if (G > 1 && (s.Ci % G !== 0 || !groupedBlocksFit(s.Co, G))) {
    throw new Error(`winogradModuleText: ${s.Ci} -> ${s.Co} channels in ${G} groups do not fill whole blocks`);
  }
  const g = winogradGeometry(s);
  const imageX = s.H * s.W * s.Ci * F32, imageY = s.OH * s.OW * s.Co * F32;
  return `(module
(import "env" "memory" ${memoryImport})
${paddingFunction(s)}
${inputTransform(s, g.tiles)}
${products(s)}
${outputTransform(s)}
${filterTransform(s)}
(func (export "forward") (param $x i32) (param $scratch i32) (param $U i32) (param $bias i32) (param $y i32) (param $N i32)
  (local $n i32)
  ${countUp('$n', int(0), get('N'), `
    (call $pad ${add(get('x'), mul(get('n'), int(imageX)))} (local.get $scratch))
    (call $inputTransform (local.get $scratch) ${add(get('scratch'), int(g.xpBytes))})
    (call $products ${add(get('scratch'), int(g.xpBytes))} (local.get $U) ${add(get('scratch'), int(g.xpBytes + g.vBytes))})
    (call $outputTransform ${add(get('scratch'), int(g.xpBytes + g.vBytes))} (local.get $bias) ${add(get('y'), mul(get('n'), int(imageY)))})`)}
)
)
`;
}
