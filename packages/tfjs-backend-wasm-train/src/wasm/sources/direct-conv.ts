/**
 * A convolution's forward pass as WebAssembly text generated for one
 * geometry: every output pixel's sums as a product of the input's
 * channels with the filter, tap by tap, on a zero-padded copy of the input
 * (each image padded by the thread that convolves it, `forwardPadding`),
 * so no tap needs a bounds check.
 *
 *   y[b, oy, ox, co] = bias[co] + sum over kh, kw, ci of
 *       xp[b, oy*sh + kh, ox*sw + kw, ci] * w[kh, kw, ci, co]
 *
 * A tile of 2 output pixels x 16 output channels stays in 8 registers
 * while each tap's input channels stream past: per input channel, one
 * broadcast of each pixel's input and 4 vectors of weights, 8 multiply-adds.
 * The taps unroll (their offsets are immediates); the channel loop inside
 * each tap stays a loop.
 *
 * Why this shape, measured (one thread, AMD EPYC, Node 20, fused
 * multiply-add, 2026-12-05; [64, 14, 14, 64] -> 64, 3x3): 2 pixels x 16
 * outputs ran at 30 GFLOP/s, 4 x 8 at 25, 6 x 8 and 3 x 16 (12 and 15
 * vectors live) at 16-17, 1 x 32 at 12; XNNPACK's convolution at 16-17.
 * One loop over every tap and channel, with the taps unrolled inside it,
 * ran at 10-11 GFLOP/s whatever the tile: V8 kept the taps' 18 weight
 * vectors from one iteration to the next poorly. A loop per tap is what
 * made the difference.
 *
 * Weights are packed by blocks of 16 output channels (the last block
 * holds the rest, padded with zeros to whole vectors where Co is not a
 * multiple of 4; those lanes are not stored): block [Ci][KH * KW][width]
 * at co0 * Ci * KH * KW floats, so a tile reads its weights in order.
 * Only the batch N is a run-time parameter.
 */
import {countUp, wholeVectors} from './loops';

export interface DirectConvShape {
  /** The padded input's rows and columns an image: (OH - 1) * sh + KH and (OW - 1) * sw + KW. */
  Hp: number; Wp: number; Ci: number;
  OH: number; OW: number; Co: number;
  KH: number; KW: number; sh: number; sw: number;
  /** What the stores apply: nothing, or max(0, y). */
  activation: 'linear' | 'relu';
  /**
   * Groups (1 if absent): output channel g * Co/G + j sums the inputs
   * g * Ci/G .. (g + 1) * Ci/G - 1 only, and the filter is [KH, KW, Ci/G, Co].
   * Each group's outputs must fill whole blocks (`groupedBlocksFit`).
   */
  groups?: number;
  /**
   * Where x's images [H, W] lie in the padded frame (at top, left), when
   * the module pads them itself (`forwardPadding`: each image zeroed and
   * copied in by the thread that convolves it); absent, the caller passes
   * x already in its frame.
   */
  frame?: {H: number; W: number; top: number; left: number};
}

/** Output pixels and output channels a tile holds. */
export const TILE_PIXELS = 2;
export const TILE_CHANNELS = 16;
/** Sum registers a tile holds: 2 x 16 channels, or for a narrower block more pixels (4 x 8, 8 x 4). */
const TILE_SUMS = TILE_PIXELS * TILE_CHANNELS / 4;

/** Output pixels a tile of `width` output channels holds. */
export function tilePixels(width: number): number {
  return Math.max(TILE_PIXELS, Math.floor(TILE_SUMS / (width / 4)));
}

const F32 = 4;
const get = (name: string) => `(local.get $${name})`;
const int = (v: number) => `(i32.const ${v})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;

export function paddedSize(s: {OH: number; OW: number; KH: number; KW: number; sh: number; sw: number}): {Hp: number; Wp: number} {
  return {Hp: (s.OH - 1) * s.sh + s.KH, Wp: (s.OW - 1) * s.sw + s.KW};
}

/**
 * Whether G groups of Co / G outputs split into blocks that stay inside
 * their group: at most 16 outputs a group (one block each) or a multiple
 * of 16, in multiples of 4.
 */
export function groupedBlocksFit(Co: number, groups: number): boolean {
  const perGroup = Co / groups;
  return Number.isInteger(perGroup) && perGroup % 4 === 0 && (perGroup <= TILE_CHANNELS || perGroup % TILE_CHANNELS === 0);
}

/**
 * The output-channel blocks: [first channel, width]. One group: widths 16
 * but the last; G groups: every block as wide, inside one group.
 */
export function channelBlocks(Co: number, groups = 1): Array<[number, number]> {
  const width = groups === 1 ? TILE_CHANNELS : Math.min(TILE_CHANNELS, Co / groups);
  const blocks: Array<[number, number]> = [];
  for (let co0 = 0; co0 < Co; co0 += width) blocks.push([co0, Math.min(width, Co - co0)]);
  return blocks;
}

/** Floats of the packed filter (`packFilter`), the last block padded to whole vectors. */
export function packedFilterFloats(KH: number, KW: number, groupInputs: number, Co: number, groups = 1): number {
  const blocks = channelBlocks(Co, groups);
  const [co0, width] = blocks[blocks.length - 1];
  return KH * KW * groupInputs * (co0 + wholeVectors(width));
}

/**
 * One tile: `pixels` output pixels from column $ox of row $oy, `width`
 * output channels from the block whose weights start at $pw and whose
 * first channel's byte offset in a pixel is $co.
 */
function tile(s: DirectConvShape, pixels: number, width: number): string {
  // A block's lanes in registers and in the packed weights: with Co not a multiple of 4 the last block's last
  // vector is partly padding, its weights there zeros, its sums there computed and never stored.
  const lanes = wholeVectors(width), vectors = lanes / 4, taps = s.KH * s.KW;
  const acc = (i: number, v: number) => `$c${i}_${v}`;
  const each = (body: (i: number, v: number) => string) =>
    Array.from({length: pixels}, (_, i) => Array.from({length: vectors}, (_, v) => body(i, v)).join(' ')).join('\n      ');
  const tapCode = Array.from({length: taps}, (_, t) => {
    const kh = Math.floor(t / s.KW), kw = t % s.KW;
    const tapOffset = (kh * s.Wp + kw) * s.Ci * F32;
    return `
      (local.set $qx (local.get $px))
      (local.set $qw ${add(get('pw'), int(t * lanes * F32))})
      (local.set $ci ${int(0)})
      (loop $channels_${t}
        ${Array.from({length: vectors}, (_, v) => `(local.set $w${v} (v128.load offset=${16 * v} (local.get $qw)))`).join(' ')}
        ${Array.from({length: pixels}, (_, i) => `(local.set $s (v128.load32_splat offset=${tapOffset + i * s.sw * s.Ci * F32} (local.get $qx)))
        ${Array.from({length: vectors}, (_, v) =>
            `(local.set ${acc(i, v)} (f32x4.add (local.get ${acc(i, v)}) (f32x4.mul (local.get $s) (local.get $w${v}))))`).join(' ')}`).join('\n        ')}
        (local.set $qx (i32.add (local.get $qx) ${int(F32)}))
        (local.set $qw (i32.add (local.get $qw) ${int(taps * lanes * F32)}))
        (local.set $ci (i32.add (local.get $ci) ${int(1)}))
        (br_if $channels_${t} (i32.lt_u (local.get $ci) ${int(s.Ci / (s.groups ?? 1))})))`;
  }).join('');
  const stored = (i: number, v: number) => s.activation === 'relu' ?
    `(f32x4.max (local.get ${acc(i, v)}) (v128.const f32x4 0 0 0 0))` : `(local.get ${acc(i, v)})`;
  return `
      (local.set $px ${add(add(get('rowX'), mul(get('ox'), int(s.sw * s.Ci * F32))), get('ci0'))})
      (local.set $py ${add(add(get('rowY'), mul(get('ox'), int(s.Co * F32))), get('co'))})
      ${each((i, v) => `(local.set ${acc(i, v)} (v128.load offset=${16 * v} ${add(get('bias'), get('co'))}))`)}
      ${tapCode}
      ${each((i, v) => storeSums((i * s.Co + 4 * v) * F32, stored(i, v), v < vectors - 1 ? 4 : width - 4 * v))}`;
}

/**
 * A vector of sums into the output at $py + `offset` bytes: all 4 lanes,
 * or the first `kept` (1-3) where the block's last vector runs past Co (the
 * rest are the next pixel's channels).
 */
function storeSums(offset: number, value: string, kept: number): string {
  if (kept === 4) return `(v128.store offset=${offset} (local.get $py) ${value})`;
  if (kept === 1) return `(v128.store32_lane offset=${offset} 0 (local.get $py) ${value})`;
  if (kept === 2) return `(v128.store64_lane offset=${offset} 0 (local.get $py) ${value})`;
  return `(local.set $s ${value}) (v128.store64_lane offset=${offset} 0 (local.get $py) (local.get $s))
      (v128.store32_lane offset=${offset + 2 * F32} 2 (local.get $py) (local.get $s))`;
}

/** Every tile of one output row for the block at $pw / $co `width` channels wide. */
function rowOfTiles(s: DirectConvShape, width: number): string {
  const pixels = tilePixels(wholeVectors(width));
  const full = Math.floor(s.OW / pixels) * pixels;
  const whole = full > 0 ? countUp('$ox', int(0), int(full), tile(s, pixels, width), int(pixels)) : '';
  const rest = s.OW - full;
  return `${whole}
      ${rest > 0 ? `(local.set $ox ${int(full)})\n${tile(s, rest, width)}` : ''}`;
}

/**
 * The module: `forward(xp, w, bias, y, N)` over N images, byte addresses:
 * xp the padded input [N, Hp, Wp, Ci], w the packed weights, bias Co floats
 * (zeros for none), y the output [N, OH, OW, Co].
 */
export function directConvModuleText(s: DirectConvShape, memoryImport: string): string {
  const G = s.groups ?? 1;
  if (G > 1 && (s.Ci % G !== 0 || !groupedBlocksFit(s.Co, G))) {
    throw new Error(`directConvModuleText: ${s.Ci} -> ${s.Co} channels in ${G} groups do not fill whole blocks`);
  }
  const taps = s.KH * s.KW, groupInputs = s.Ci / G;
  const blocks = channelBlocks(s.Co, G);
  const width = blocks[0][1];
  const fullBlocks = blocks.filter(([, w]) => w === width).length;
  const tail = blocks.length > fullBlocks ? blocks[blocks.length - 1] : null;
  // The sums the tiles of this shape name: pixels x vectors of each block width.
  const sumNames = new Set<string>();
  for (const w of new Set(blocks.map(([, bw]) => bw))) {
    for (let i = 0; i < tilePixels(wholeVectors(w)); i++) for (let v = 0; v < wholeVectors(w) / 4; v++) sumNames.add(`$c${i}_${v}`);
  }
  const accLocals = [...sumNames].map(name => `(local ${name} v128)`).join(' ');
  const imageX = s.Hp * s.Wp * s.Ci * F32, imageY = s.OH * s.OW * s.Co * F32;
  const perRow = (w: number) => countUp('$oy', int(0), int(s.OH), `
      (local.set $rowX ${add(add(get('xp'), mul(get('n'), int(imageX))), mul(get('oy'), int(s.sh * s.Wp * s.Ci * F32)))})
      (local.set $rowY ${add(add(get('y'), mul(get('n'), int(imageY))), mul(get('oy'), int(s.OW * s.Co * F32)))})
      ${rowOfTiles(s, w)}`);
  // A block's group's first input, in bytes within a pixel (blocks never straddle groups).
  const blocksPerGroup = (s.Co / G) / width;
  const groupInput = G === 1 ? int(0) : mul(`(i32.div_u (local.get $b) ${int(blocksPerGroup)})`, int(groupInputs * F32));
  return `(module
(import "env" "memory" ${memoryImport})
${s.frame != null ? paddingForward(s, imageX, imageY) : ''}
(func $forward (export "forward") (param $xp i32) (param $w i32) (param $bias i32) (param $y i32) (param $N i32)
  (local $n i32) (local $b i32) (local $oy i32) (local $ox i32) (local $ci i32) (local $co i32) (local $ci0 i32)
  (local $rowX i32) (local $rowY i32) (local $px i32) (local $py i32) (local $pw i32) (local $qx i32) (local $qw i32)
  (local $s v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) ${accLocals}
  ${countUp('$n', int(0), get('N'), `
    ${countUp('$b', int(0), int(fullBlocks), `
      (local.set $co (i32.mul (local.get $b) ${int(width * F32)}))
      (local.set $ci0 ${groupInput})
      (local.set $pw ${add(get('w'), mul(get('b'), int(width * groupInputs * taps * F32)))})
      ${perRow(width)}`)}
    ${tail != null ? `
      (local.set $co ${int(tail[0] * F32)})
      (local.set $ci0 ${int(0)})
      (local.set $pw ${add(get('w'), int(tail[0] * groupInputs * taps * F32))})
      ${perRow(tail[1])}` : ''}`)}
)
)
`;
}

/**
 * `forwardPadding(x, xp, w, bias, y, N)`: per image, zeroes its frame in
 * xp, copies its rows in at (top, left) and convolves it, so that the
 * threads of a kernel pool pad their own images (padding them all on the
 * calling thread first held the second thread back). Rows and columns past
 * the frame ('valid' leaves some unread) are not copied.
 */
function paddingForward(s: DirectConvShape, imageXp: number, imageY: number): string {
  return `(func (export "forwardPadding") (param $x i32) (param $xp i32) (param $w i32) (param $bias i32) (param $y i32) (param $N i32)
  (local $n i32) (local $r i32) (local $from i32) (local $to i32)
  ${countUp('$n', int(0), get('N'), `
    ${imagePadding(s, imageXp)}
    (call $forward ${add(get('xp'), mul(get('n'), int(imageXp)))} ${get('w')} ${get('bias')} ${add(get('y'), mul(get('n'), int(imageY)))} ${int(1)})`)}
)`;
}

/**
 * Image $n of x (params $x, $xp; locals $r, $from, $to) into its frame in
 * xp: the frame zeroed, then x's rows copied in at (top, left). Rows and
 * columns past the frame ('valid' leaves some unread) are not copied. The
 * forward pass's and the filter gradient's modules (direct-filter-grad.ts)
 * pad their images with it.
 */
export function imagePadding(s: {Hp: number; Wp: number; Ci: number; frame?: {H: number; W: number; top: number; left: number}},
                             imageXp: number): string {
  const {H, W, top, left} = s.frame!;
  const pixel = s.Ci * F32, rows = Math.min(H, s.Hp - top), columns = Math.min(W, s.Wp - left);
  const copy = rows > 0 && columns > 0 ? countUp('$r', int(0), int(rows), `
      (memory.copy ${add(get('to'), mul(get('r'), int(s.Wp * pixel)))} ${add(get('from'), mul(get('r'), int(W * pixel)))} ${int(columns * pixel)})`) : '';
  return `(memory.fill ${add(get('xp'), mul(get('n'), int(imageXp)))} ${int(0)} ${int(imageXp)})
    (local.set $from ${add(get('x'), mul(get('n'), int(H * W * pixel)))})
    (local.set $to ${add(add(get('xp'), mul(get('n'), int(imageXp))), int((top * s.Wp + left) * pixel))})
    ${copy}`;
}

/**
 * The filter [KH, KW, Ci / G, Co] packed as `forward` reads it: per block
 * of output channels (channelBlocks), [Ci / G][KH * KW][wholeVectors(width)],
 * a last block narrower than its vectors leaving its extra lanes as they
 * were (the caller zeroes them: `packedFilterFloats`).
 */
export function packFilter(filter: Float32Array, KH: number, KW: number, groupInputs: number, Co: number, out: Float32Array,
                           groups = 1): void {
  const taps = KH * KW;
  for (const [co0, width] of channelBlocks(Co, groups)) {
    const block = co0 * groupInputs * taps, lanes = wholeVectors(width);
    for (let ci = 0; ci < groupInputs; ci++) {
      for (let t = 0; t < taps; t++) {
        const from = (t * groupInputs + ci) * Co + co0, to = block + (ci * taps + t) * lanes;
        for (let c = 0; c < width; c++) out[to + c] = filter[from + c];
      }
    }
  }
}
