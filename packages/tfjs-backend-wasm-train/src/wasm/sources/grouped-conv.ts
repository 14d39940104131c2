/**
 * The grouped convolution's three kernels generated for one geometry, as
 * WebAssembly text: every channel count, kernel size, stride and (padded)
 * width is a constant, so the taps and a group's channels unroll into
 * straight-line code whose loads carry their offsets as immediates.
 *
 * Why generated: a first version took the geometry as run-time
 * parameters, and with CondenseNet's small groups (8 inputs, 2 outputs a
 * group) computing addresses and bounds, not the products, was most of its
 * time (forward 2.3 -> 0.9 ms, filter gradient 1.6 -> 0.5 ms on
 * [64, 14, 14, 32] -> 8, G = 4, one thread). A network has a handful of
 * grouped geometries, each generated and compiled once a process (about
 * 10 ms each; kernels/grouped-conv-kernel.ts keeps them).
 *
 * What V8 (Node 20) rewards here, measured: few live v128 values. Blocking
 * two output pixels per step (8 accumulators) made the forward pass slower,
 * not faster, and so did summing 8 vectors of dx at once; the bodies keep at
 * most 4 accumulators besides their operands.
 *
 * The inputs are padded copies, so no tap needs a bounds check:
 * - forward and filter gradient read xp [N, Hp, Wp, Cin], x placed at
 *   (padTop, padLeft) in zeros, Hp = (OH - 1) * s + KH, Wp = (OW - 1) * s + KW;
 * - the input gradient reads dy spread by the stride into zeros
 *   [N, H + KH - 1, W + KW - 1, Cout] (wasm/heap.ts `spreadPadded`),
 *   where dx is a stride-1 correlation with the kernel rotated by 180 degrees.
 * Only the batch N is a run-time parameter.
 */
import {elementAt} from './addresses';
import {countUp} from './loops';

/** The constants one compiled module is specialised for. */
export interface GroupConvShape {
  H: number; W: number; Cin: number; OH: number; OW: number; Cout: number;
  KH: number; KW: number; stride: number;
  /** Inputs and outputs per group. */
  n: number; m: number;
}

const get = (name: string) => `(local.get $${name})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const int = (v: number) => `(i32.const ${v})`;
const ZERO4 = '(v128.const f32x4 0 0 0 0)';
const F32 = 4;

/** Lanes [a0+a2, a1+a3, b0+b2, b1+b3] of two vectors. */
const pairSums = (a: string, b: string) => `(f32x4.add
  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${a} ${b})
  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 ${a} ${b}))`;

/** [sum of a0, sum of a1, sum of a2, sum of a3]. */
const fourSums = (a: string[]) => `(f32x4.add
  (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 ${pairSums(a[0], a[1])} ${pairSums(a[2], a[3])})
  (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 ${pairSums(a[0], a[1])} ${pairSums(a[2], a[3])}))`;

export function paddedInput(shape: GroupConvShape): {Hp: number; Wp: number} {
  return {Hp: (shape.OH - 1) * shape.stride + shape.KH, Wp: (shape.OW - 1) * shape.stride + shape.KW};
}

/** The code-size limit: beyond it kernels/grouped-conv-kernel.ts runs its JavaScript loops. */
export const MAX_UNROLLED_PRODUCTS = 4096;

/** Vector products the widest unrolled body holds (forward: one block of 4 outputs; input gradient: 4 vectors of a group). */
export function unrolledProducts(shape: GroupConvShape): number {
  const taps = shape.KH * shape.KW;
  return Math.max(taps * shape.n, taps * shape.m * Math.min(shape.n / 4, 4));
}

/**
 * Which of a block's 4 output channels share their group's inputs, so the
 * input vector is loaded once for them: all 4 when m is a multiple of 4,
 * pairs when m = 2, else each its own (blocks straddle groups unevenly).
 */
function inputSharing(m: number): number[] {
  if (m % 4 === 0) return [0, 0, 0, 0];
  if (m === 2) return [0, 0, 2, 2];
  return [0, 1, 2, 3];
}

/**
 * y[b, oy, ox, co]: per output pixel, per block of 4 output channels (a
 * run-time loop; offs[co] holds each channel's group input offset in bytes),
 * every tap and input of the group unrolled, summing 4 inputs a lane, then
 * folded. An input vector is loaded once for the channels of its group. w
 * is [Cout][KH][KW][n].
 */
function forward(shape: GroupConvShape): string {
  const {Cin, OH, OW, Cout, KH, KW, stride, n, m} = shape, {Hp, Wp} = paddedInput(shape), taps = KH * KW;
  const sharing = inputSharing(m);
  const products: string[] = [];
  for (let ky = 0; ky < KH; ky++) {
    for (let kx = 0; kx < KW; kx++) {
      for (let v = 0; v < n / 4; v++) {
        const xOffset = ((ky * Wp + kx) * Cin + 4 * v) * F32, wOffset = (((ky * KW + kx) * n) + 4 * v) * F32;
        for (let k = 0; k < 4; k++) {
          if (sharing[k] === k) products.push(`(local.set $x${k} (v128.load offset=${xOffset} ${get(`p${k}`)}))`);
          products.push(`(local.set $a${k} (f32x4.add ${get(`a${k}`)} (f32x4.mul ${get(`x${sharing[k]}`)} ` +
                        `(v128.load offset=${wOffset + k * taps * n * F32} ${get('wb')}))))`);
        }
      }
    }
  }
  return `(func (export "forward") (param $xp i32) (param $w i32) (param $offs i32) (param $y i32) (param $N i32)
  (local $b i32) (local $oy i32) (local $ox i32) (local $cb i32) (local $px i32) (local $yp i32) (local $wb i32) (local $ob i32)
  (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
  (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
  (local.set $yp ${get('y')})
  ${countUp('$b', int(0), get('N'), countUp('$oy', int(0), int(OH), `
    (local.set $px ${elementAt(get('xp'), [Hp, Wp, Cin], [{b: 1}, {oy: stride}, 0, 0])})
    ${countUp('$ox', int(0), int(OW), `
      (local.set $wb ${get('w')})
      (local.set $ob ${get('offs')})
      ${countUp('$cb', int(0), int(Cout / 4), `
        (local.set $p0 ${add(get('px'), `(i32.load offset=0 ${get('ob')})`)})
        (local.set $p1 ${add(get('px'), `(i32.load offset=4 ${get('ob')})`)})
        (local.set $p2 ${add(get('px'), `(i32.load offset=8 ${get('ob')})`)})
        (local.set $p3 ${add(get('px'), `(i32.load offset=12 ${get('ob')})`)})
        (local.set $a0 ${ZERO4}) (local.set $a1 ${ZERO4}) (local.set $a2 ${ZERO4}) (local.set $a3 ${ZERO4})
        ${products.join('\n        ')}
        (v128.store ${get('yp')} ${fourSums(['a0', 'a1', 'a2', 'a3'].map(get))})
        (local.set $yp ${add(get('yp'), int(16))})
        (local.set $ob ${add(get('ob'), int(16))})
        (local.set $wb ${add(get('wb'), int(4 * taps * n * F32))})`)}
      (local.set $px ${add(get('px'), int(stride * Cin * F32))})`)}`))}
)`;
}

/**
 * dx[b, iy, ix, g*n + i]: per input pixel, group and run of up to 4
 * vectors of the group's inputs (run-time loops), the vectors summed in
 * registers over every tap and the group's m outputs, unrolled: a splat of
 * the spread dy times a vector of w ([KH][KW][Cout][n], read at the rotated
 * tap).
 */
function inputGrad(shape: GroupConvShape): string {
  const {H, W, Cin, Cout, KH, KW, n, m} = shape, Hq = H + KH - 1, Wq = W + KW - 1;
  const vectors = tileOf(n / 4, 4);
  const body: string[] = [];
  for (let a = 0; a < KH; a++) {
    for (let c = 0; c < KW; c++) {
      const tap = (KH - 1 - a) * KW + (KW - 1 - c);
      for (let j = 0; j < m; j++) {
        body.push(`(local.set $s (v128.load32_splat offset=${((a * Wq + c) * Cout + j) * F32} ${get('pd')}))`);
        for (let v = 0; v < vectors; v++) {
          body.push(`(local.set $a${v} (f32x4.add ${get(`a${v}`)} (f32x4.mul ${get('s')} ` +
                    `(v128.load offset=${((tap * Cout + j) * n + 4 * v) * F32} ${get('pv')}))))`);
        }
      }
    }
  }
  const accumulators = Array.from({length: vectors}, (_, v) => `(local $a${v} v128)`).join(' ');
  return `(func (export "inputGrad") (param $dyp i32) (param $w i32) (param $dx i32) (param $N i32)
  (local $b i32) (local $iy i32) (local $ix i32) (local $g i32) (local $vc i32) (local $row i32) (local $pd i32) (local $pw i32)
  (local $pv i32) (local $dxp i32) (local $s v128) ${accumulators}
  (local.set $dxp ${get('dx')})
  ${countUp('$b', int(0), get('N'), countUp('$iy', int(0), int(H), `
    (local.set $row ${elementAt(get('dyp'), [Hq, Wq, Cout], [{b: 1}, {iy: 1}, 0, 0])})
    ${countUp('$ix', int(0), int(W), `
      (local.set $pd ${elementAt(get('row'), [Cout], [{ix: 1}, 0])})
      (local.set $pw ${get('w')})
      ${countUp('$g', int(0), int(Cin / n), `
        (local.set $pv ${get('pw')})
        ${countUp('$vc', int(0), int(n / 4 / vectors), `
          ${Array.from({length: vectors}, (_, v) => `(local.set $a${v} ${ZERO4})`).join(' ')}
          ${body.join('\n          ')}
          ${Array.from({length: vectors}, (_, v) => `(v128.store offset=${16 * v} ${get('dxp')} ${get(`a${v}`)})`).join('\n          ')}
          (local.set $dxp ${add(get('dxp'), int(16 * vectors))})
          (local.set $pv ${add(get('pv'), int(16 * vectors))})`)}
        (local.set $pd ${add(get('pd'), int(m * F32))})
        (local.set $pw ${add(get('pw'), int(m * n * F32))})`)}`)}`))}
)`;
}

/** The largest of 4, 3, 2, 1 that divides `count`. */
function tileOf(count: number, most: number): number {
  for (let t = most; t > 1; t--) if (count % t === 0) return t;
  return 1;
}

/**
 * acc[ky][kx][co][i] += products over one image at a time: per tap, group
 * and tile of (I vectors of inputs x J outputs) (run-time loops), a pass
 * over the image's output pixels with the tile's I x J sums in registers,
 * then added to acc (float32, zeroed by the caller).
 */
function filterGrad(shape: GroupConvShape): string {
  const {Cin, OH, OW, Cout, KH, KW, stride, n, m} = shape, {Hp, Wp} = paddedInput(shape);
  const I = tileOf(n / 4, 2), J = tileOf(m, 4);
  const sums: Array<[number, number]> = [];
  for (let v = 0; v < I; v++) for (let j = 0; j < J; j++) sums.push([v, j]);
  const name = ([v, j]: [number, number]) => `$t${v}_${j}`;
  const pass = [
    ...Array.from({length: I}, (_, v) => `(local.set $x${v} (v128.load offset=${16 * v} ${get('px')}))`),
    ...Array.from({length: J}, (_, j) => `(local.set $d${j} (v128.load32_splat offset=${4 * j} ${get('pd')}))`),
    ...sums.map(([v, j]) => `(local.set ${name([v, j])} (f32x4.add (local.get ${name([v, j])}) (f32x4.mul ${get(`x${v}`)} ${get(`d${j}`)})))`),
  ];
  const locals = [...sums.map(t => `(local ${name(t)} v128)`),
    ...Array.from({length: I}, (_, v) => `(local $x${v} v128)`), ...Array.from({length: J}, (_, j) => `(local $d${j} v128)`)].join(' ');
  return `(func (export "filterGrad") (param $xp i32) (param $dy i32) (param $acc i32) (param $N i32) (param $g0 i32) (param $g1 i32)
  (local $b i32) (local $ky i32) (local $kx i32) (local $g i32) (local $vi i32) (local $jt i32) (local $oy i32) (local $ox i32)
  (local $image i32) (local $dyImage i32) (local $xBase i32) (local $dyBase i32) (local $px i32) (local $pd i32) (local $pa i32)
  ${locals}
  ${countUp('$b', int(0), get('N'), `
    (local.set $image ${elementAt(get('xp'), [Hp, Wp, Cin], [{b: 1}, 0, 0, 0])})
    (local.set $dyImage ${elementAt(get('dy'), [OH, OW, Cout], [{b: 1}, 0, 0, 0])})
    ${countUp('$ky', int(0), int(KH), countUp('$kx', int(0), int(KW), countUp('$g', get('g0'), get('g1'),
      countUp('$vi', int(0), int(n / 4), countUp('$jt', int(0), int(m), `
        ;; this tile's first input vector and first output, at the image's first output pixel
        (local.set $xBase ${elementAt(get('image'), [Wp, Cin], [{ky: 1}, {kx: 1}, {g: n, vi: 4}])})
        (local.set $dyBase ${elementAt(get('dyImage'), [OW, Cout], [0, 0, {g: m, jt: 1}])})
        ${sums.map(t => `(local.set ${name(t)} ${ZERO4})`).join(' ')}
        ${countUp('$oy', int(0), int(OH), `
          (local.set $px ${elementAt(get('xBase'), [Wp, Cin], [{oy: stride}, 0, 0])})
          (local.set $pd ${elementAt(get('dyBase'), [OW, Cout], [{oy: 1}, 0, 0])})
          ${countUp('$ox', int(0), int(OW), `
            ${pass.join('\n            ')}
            (local.set $px ${add(get('px'), int(stride * Cin * F32))})
            (local.set $pd ${add(get('pd'), int(Cout * F32))})`)}`)}
        ;; the tile's sums go to acc[ky, kx, g*m + jt + j, 4 vi + 4 v]
        (local.set $pa ${elementAt(get('acc'), [KW, Cout, n], [{ky: 1}, {kx: 1}, {g: m, jt: 1}, {vi: 4}])})
        ${sums.map(([v, j]) => `(v128.store offset=${(j * n + 4 * v) * F32} ${get('pa')} ` +
                               `(f32x4.add (v128.load offset=${(j * n + 4 * v) * F32} ${get('pa')}) (local.get ${name([v, j])})))`).join('\n        ')}`,
      int(J)), int(I)))))}`)}
)`;
}

/** The module for one geometry: exports forward, inputGrad, filterGrad over the imported memory. */
export function groupConvModuleText(shape: GroupConvShape, memoryImport: string): string {
  if (shape.n % 4 !== 0 || shape.Cout % 4 !== 0) {
    throw new Error(`compiled grouped convolution needs inputs per group and output channels in multiples of 4, got ${shape.n} and ${shape.Cout}`);
  }
  return `(module\n(import "env" "memory" ${memoryImport})\n${forward(shape)}\n${inputGrad(shape)}\n${filterGrad(shape)}\n)\n`;
}
