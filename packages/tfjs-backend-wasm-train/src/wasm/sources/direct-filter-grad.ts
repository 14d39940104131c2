/**
 * A convolution's filter gradient as WebAssembly text generated for one
 * geometry, over the same zero-padded input the forward pass reads
 * (sources/direct-conv.ts):
 *
 *   dW[kh, kw, ci, co] = sum over n, oy, ox of
 *       xp[n, oy*sh + kh, ox*sw + kw, ci] * dy[n, oy, ox, co]
 *
 * A tile of R input channels x 4V output channels (R * V = 8 sums in
 * registers) of one tap runs over a block of images' output pixels: per
 * pixel V vectors of dy and R broadcasts of x, 8 multiply-adds. Blocks of
 * images are the outer loop, so a block's x and dy stay in cache while
 * every tile passes over them; each tile adds the block's sums to dW.
 *
 * Why not one product per tap over zero-padded grids (kernels/filter-grad-taps.ts):
 * those grids cost copies on the calling thread and multiply-adds on their
 * padding (1.15x at 14 x 14 with a 3x3 filter, 1.56x at 4 x 4); here the
 * multiply-adds are the forward pass's, once each, and the padding of each
 * image is done by the pool's threads.
 *
 * The work splits by tile rows ([r0, r1): taps x blocks of R input
 * channels), each thread over every image, so every output is summed by one
 * thread in one order (images, rows, pixels): the result does not depend on
 * the split.
 */
import {imagePadding} from './direct-conv';
import {countUp} from './loops';

export interface FilterGradShape {
  /** The padded input's rows and columns an image: (OH - 1) * sh + KH and (OW - 1) * sw + KW. */
  Hp: number; Wp: number; Ci: number;
  OH: number; OW: number; Co: number;
  KH: number; KW: number; sh: number; sw: number;
  /**
   * Where x's images [H, W] lie in the padded frame (at top, left), when the
   * module pads them (`pad`); absent, the caller passes x in its frame.
   */
  frame?: {H: number; W: number; top: number; left: number};
}

/** A tile's input channels (R) and output vectors (V): 2 x 16 outputs. */
export const TILE_INPUTS = 2;
export const TILE_VECTORS = 4;
/**
 * Bytes of x and dy a block of images holds: every tile passes over one
 * block before the next, so dW's tiles are loaded and stored once a block.
 * 64 KiB ran 2-6 % faster than one image a block and up to 25 % faster
 * than 256 KiB (one thread, 2026-12-05).
 */
const BLOCK_BYTES = 64 * 1024;

const F32 = 4;
const get = (name: string) => `(local.get $${name})`;
const int = (v: number) => `(i32.const ${v})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;

/** Whether the generated filter gradient takes Ci -> Co: tiles of TILE_INPUTS inputs and whole vectors of outputs. */
export function filterGradFits(Ci: number, Co: number): boolean {
  return Ci % TILE_INPUTS === 0 && Co % 4 === 0;
}

/** Tile rows of the geometry: taps x blocks of TILE_INPUTS input channels (what `filterGrad`'s [r0, r1) ranges over). */
export function filterGradRows(s: Pick<FilterGradShape, 'KH' | 'KW' | 'Ci'>): number {
  return s.KH * s.KW * s.Ci / TILE_INPUTS;
}

/** `vectors` output vectors of one tile over the block's $nb images from $imageX / $imageY, its first output at $pw (dW) and $co (bytes in a pixel). */
function tile(s: FilterGradShape, vectors: number): string {
  const R = TILE_INPUTS, pixelX = s.sw * s.Ci * F32, pixelY = s.Co * F32;
  const acc = (i: number, v: number) => `$c${i}_${v}`;
  const each = (body: (i: number, v: number) => string) =>
    Array.from({length: R}, (_, i) => Array.from({length: vectors}, (_, v) => body(i, v)).join(' ')).join('\n      ');
  const pixel = `
        ${Array.from({length: vectors}, (_, v) => `(local.set $d${v} (v128.load offset=${16 * v} (local.get $qy)))`).join(' ')}
        ${Array.from({length: R}, (_, i) => `(local.set $s (v128.load32_splat offset=${4 * i} (local.get $qx)))
        ${Array.from({length: vectors}, (_, v) =>
            `(local.set ${acc(i, v)} (f32x4.add (local.get ${acc(i, v)}) (f32x4.mul (local.get $s) (local.get $d${v}))))`).join(' ')}`).join('\n        ')}`;
  // One pixel an iteration: unrolling 2, 4 or a whole row of pixels ran 1.5-3.5x slower (V8 then keeps the sums poorly).
  const row = `
      (local.set $qx ${add(get('ix'), mul(get('oy'), int(s.sh * s.Wp * s.Ci * F32)))})
      (local.set $qy ${add(get('iy'), mul(get('oy'), int(s.OW * pixelY)))})
      ${countUp('$ox', int(0), int(s.OW), `${pixel}
        (local.set $qx (i32.add (local.get $qx) ${int(pixelX)}))
        (local.set $qy (i32.add (local.get $qy) ${int(pixelY)}))`)}`;
  const imageX = s.Hp * s.Wp * s.Ci * F32, imageY = s.OH * s.OW * s.Co * F32;
  return `
      (local.set $py ${add(get('imageY'), get('co'))})
      ${each((i, v) => `(local.set ${acc(i, v)} (v128.load offset=${(i * s.Co + 4 * v) * F32} (local.get $pw)))`)}
      ${countUp('$m', int(0), get('nb'), `
        (local.set $ix ${add(get('px'), mul(get('m'), int(imageX)))})
        (local.set $iy ${add(get('py'), mul(get('m'), int(imageY)))})
        ${countUp('$oy', int(0), int(s.OH), row)}`)}
      ${each((i, v) => `(v128.store offset=${(i * s.Co + 4 * v) * F32} (local.get $pw) (local.get ${acc(i, v)}))`)}`;
}

/**
 * The module: `filterGrad(xp, dy, dw, N, r0, r1)` adds tile rows [r0, r1)
 * of dW [KH, KW, Ci, Co] over N images (dw zeroed by the caller), byte
 * addresses: xp the padded input [N, Hp, Wp, Ci], dy [N, OH, OW, Co]. With
 * a frame, also `pad(x, xp, N)`.
 */
export function filterGradModuleText(s: FilterGradShape, memoryImport: string): string {
  if (!filterGradFits(s.Ci, s.Co)) throw new Error(`filterGradModuleText: ${s.Ci} -> ${s.Co} channels do not fill whole tiles`);
  const R = TILE_INPUTS, V = TILE_VECTORS, width = 4 * V;
  const fullBlocks = Math.floor(s.Co / width), tailVectors = (s.Co - fullBlocks * width) / 4;
  const rowsPerTap = s.Ci / R;
  const imageX = s.Hp * s.Wp * s.Ci * F32, imageY = s.OH * s.OW * s.Co * F32;
  // Images a block: as many as keep their x and dy in a core's cache while every tile passes over them.
  const block = Math.max(1, Math.floor(BLOCK_BYTES / (imageX + imageY)));
  const accLocals = Array.from({length: R}, (_, i) => Array.from({length: V}, (_, v) => `(local $c${i}_${v} v128)`).join(' ')).join(' ');
  const dyLocals = Array.from({length: V}, (_, v) => `(local $d${v} v128)`).join(' ');
  // Tile row r: tap t = r / rowsPerTap (kh = t / KW, kw = t % KW), input channels R * (r % rowsPerTap) on;
  // its dW rows start at r * R * Co floats (t * Ci + R * (r % rowsPerTap) = R * r).
  const tapOffset = add(mul(`(i32.div_u (local.get $t) ${int(s.KW)})`, int(s.Wp * s.Ci * F32)),
                        mul(`(i32.rem_u (local.get $t) ${int(s.KW)})`, int(s.Ci * F32)));
  return `(module
(import "env" "memory" ${memoryImport})
${s.frame != null ? padding(s, imageX) : ''}
(func (export "filterGrad") (param $xp i32) (param $dy i32) (param $dw i32) (param $N i32) (param $r0 i32) (param $r1 i32)
  (local $n i32) (local $nb i32) (local $m i32) (local $r i32) (local $t i32) (local $b i32) (local $oy i32) (local $ox i32) (local $co i32)
  (local $ix i32) (local $iy i32) (local $imageX i32) (local $imageY i32) (local $px i32) (local $py i32) (local $pw i32) (local $qx i32) (local $qy i32)
  (local $s v128) ${dyLocals} ${accLocals}
  ${countUp('$n', int(0), get('N'), `
    (local.set $nb (select (i32.sub ${get('N')} ${get('n')}) ${int(block)} (i32.lt_u (i32.sub ${get('N')} ${get('n')}) ${int(block)})))
    (local.set $imageX ${add(get('xp'), mul(get('n'), int(imageX)))})
    (local.set $imageY ${add(get('dy'), mul(get('n'), int(imageY)))})
    ${countUp('$r', get('r0'), get('r1'), `
      (local.set $t (i32.div_u (local.get $r) ${int(rowsPerTap)}))
      (local.set $px ${add(add(get('imageX'), tapOffset), mul(`(i32.rem_u (local.get $r) ${int(rowsPerTap)})`, int(R * F32)))})
      ${countUp('$b', int(0), int(fullBlocks), `
        (local.set $co ${mul(get('b'), int(width * F32))})
        (local.set $pw ${add(add(get('dw'), mul(get('r'), int(R * s.Co * F32))), get('co'))})
        ${tile(s, V)}`)}
      ${tailVectors > 0 ? `
        (local.set $co ${int(fullBlocks * width * F32)})
        (local.set $pw ${add(add(get('dw'), mul(get('r'), int(R * s.Co * F32))), get('co'))})
        ${tile(s, tailVectors)}` : ''}`)}`, int(block))}
)
)
`;
}

/** `pad(x, xp, N)`: each image's frame zeroed and its rows copied in at (top, left) (direct-conv.ts `imagePadding`). */
function padding(s: FilterGradShape, imageXp: number): string {
  return `(func (export "pad") (param $x i32) (param $xp i32) (param $N i32)
  (local $n i32) (local $r i32) (local $from i32) (local $to i32)
  ${countUp('$n', int(0), get('N'), imagePadding(s, imageXp))}
)`;
}
