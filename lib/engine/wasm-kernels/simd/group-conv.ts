/**
 * The grouped convolution and its two gradients, directly, as WebAssembly
 * text (simd/index.ts assembles the module; lib/engine/group-conv.ts calls
 * them).
 *
 * Why direct loops: XNNPACK takes no groups through tfjs-backend-wasm, so a
 * grouped convolution was G small convolutions between a split and a
 * concat. CondenseNet's 3x3 groups have 8 inputs and 2 outputs each, where
 * XNNPACK's kernels, tiled for many output channels, ran at 2-4 GFLOP/s and
 * the split, concat and per-call overhead came on top.
 *
 * All tensors are NHWC float32; a grouped kernel [KH, KW, n, Cout] has n
 * inputs per group and m = Cout / G outputs per group. Every kernel
 * takes the convolution's geometry as the same 15 numbers after its
 * addresses: N H W Cin OH OW Cout KH KW stride padTop padLeft n m, plus
 * (forward only) nothing else. Requirements the caller checks: n a multiple
 * of 4 (every kernel's vectors run along a group's inputs), and for the
 * forward pass Cout a multiple of 4.
 */
import {countUp} from './loops';

const get = (name: string) => `(local.get $${name})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const shl2 = (a: string) => `(i32.shl ${a} (i32.const 2))`;
const ZERO4 = '(v128.const f32x4 0 0 0 0)';

const GEOMETRY = '(param $N i32) (param $H i32) (param $W i32) (param $Cin i32) (param $OH i32) (param $OW i32) (param $Cout i32) ' +
    '(param $KH i32) (param $KW i32) (param $s i32) (param $pt i32) (param $pl i32) (param $n i32) (param $m i32)';

/** Lanes [a0+a2, a1+a3, b0+b2, b1+b3] of two vectors. */
const pairSums = (a: string, b: string) => `(f32x4.add
  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${a} ${b})
  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 ${a} ${b}))`;

/**
 * One tap's products for four output channels, `vectors` x 4 inputs a step
 * (two while 8 remain, then one), continuing $i where the last loop left it.
 */
function forwardTapLoop(vectors: 1 | 2): string {
  const bytes = 16 * vectors;
  const products = (k: number) => Array.from({length: vectors}, (_, v) =>
    `(local.set $a${k} (f32x4.add ${get(`a${k}`)} (f32x4.mul (v128.load offset=${16 * v} ${add(add(get('px'), get(`g${k}`)), get('i'))}) ` +
    `(v128.load offset=${16 * v} ${add(get(`w${k}`), get('wo'))}))))`).join('\n');
  return `(block $i${vectors}_done (loop $i${vectors}_next
    (br_if $i${vectors}_done (i32.gt_s (i32.add ${get('i')} (i32.const ${bytes})) ${get('nb')}))
    (local.set $wo ${add(get('tap'), get('i'))})
    ${[0, 1, 2, 3].map(products).join('\n')}
    (local.set $i (i32.add ${get('i')} (i32.const ${bytes})))
    (br $i${vectors}_next)))`;
}

/**
 * y[b, oy, ox, co] = sum over taps and the group's n inputs of x * w.
 * w is the kernel rearranged [Cout][KH][KW][n] (a group's inputs
 * contiguous per output channel); offs[co] (i32) is the byte offset of
 * output channel co's group's first input channel, g * n * 4. Four output
 * channels at a time, each summing 4 inputs per lane over every tap; the
 * four sums are folded into one vector at the end (they may belong to
 * different groups: each has its own input offset).
 */
export const GROUP_CONV_FORWARD = String.raw`
(func (export "groupConvForward")
    (param $x i32) (param $w i32) (param $offs i32) (param $y i32) ${GEOMETRY}
  (local $b i32) (local $oy i32) (local $ox i32) (local $co i32) (local $ky i32) (local $kx i32) (local $i i32)
  (local $iy i32) (local $ix i32) (local $row i32) (local $px i32) (local $tap i32) (local $wo i32)
  (local $g0 i32) (local $g1 i32) (local $g2 i32) (local $g3 i32)
  (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
  (local $nb i32) (local $coW i32) (local $pixB i32) (local $yp i32)
  (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
  (local.set $nb ${shl2(get('n'))})
  (local.set $coW ${mul(mul(get('KH'), get('KW')), get('nb'))})
  (local.set $pixB ${shl2(get('Cin'))})
  (local.set $yp ${get('y')})
  ${countUp('$b', '(i32.const 0)', get('N'), countUp('$oy', '(i32.const 0)', get('OH'), countUp('$ox', '(i32.const 0)', get('OW'),
    countUp('$co', '(i32.const 0)', get('Cout'), `
      (local.set $g0 (i32.load offset=0 ${add(get('offs'), shl2(get('co')))}))
      (local.set $g1 (i32.load offset=4 ${add(get('offs'), shl2(get('co')))}))
      (local.set $g2 (i32.load offset=8 ${add(get('offs'), shl2(get('co')))}))
      (local.set $g3 (i32.load offset=12 ${add(get('offs'), shl2(get('co')))}))
      (local.set $w0 ${add(get('w'), mul(get('co'), get('coW')))})
      (local.set $w1 ${add(get('w0'), get('coW'))})
      (local.set $w2 ${add(get('w1'), get('coW'))})
      (local.set $w3 ${add(get('w2'), get('coW'))})
      (local.set $a0 ${ZERO4}) (local.set $a1 ${ZERO4}) (local.set $a2 ${ZERO4}) (local.set $a3 ${ZERO4})
      ${countUp('$ky', '(i32.const 0)', get('KH'), `
        (local.set $iy (i32.sub ${add(mul(get('oy'), get('s')), get('ky'))} ${get('pt')}))
        (if (i32.lt_u ${get('iy')} ${get('H')}) (then
          (local.set $row ${add(get('x'), mul(mul(add(mul(get('b'), get('H')), get('iy')), get('W')), get('pixB')))})
          ${countUp('$kx', '(i32.const 0)', get('KW'), `
            (local.set $ix (i32.sub ${add(mul(get('ox'), get('s')), get('kx'))} ${get('pl')}))
            (if (i32.lt_u ${get('ix')} ${get('W')}) (then
              (local.set $px ${add(get('row'), mul(get('ix'), get('pixB')))})
              (local.set $tap ${mul(add(mul(get('ky'), get('KW')), get('kx')), get('nb'))})
              (local.set $i (i32.const 0))
              ${forwardTapLoop(2)}
              ${forwardTapLoop(1)}))`)}))`)}
      (v128.store ${get('yp')} (f32x4.add
        (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 ${pairSums(get('a0'), get('a1'))} ${pairSums(get('a2'), get('a3'))})
        (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 ${pairSums(get('a0'), get('a1'))} ${pairSums(get('a2'), get('a3'))})))
      (local.set $yp (i32.add ${get('yp')} (i32.const 16)))`, '(i32.const 4)'))))}
)
`;

/**
 * One group's share of one tap for the pixel's dx at $pdx: `vectors` x 4
 * of the group's inputs a step (two while 8 remain, then one), each summing
 * the group's m outputs (two a step, then one), dy (at $pd) times w (at
 * $pw, m rows of n).
 */
function inputGradGroupLoop(vectors: 1 | 2): string {
  const bytes = 16 * vectors;
  const lanes = Array.from({length: vectors}, (_, v) => v);
  return `(block $ib${vectors}_done (loop $ib${vectors}_next
    (br_if $ib${vectors}_done (i32.gt_s (i32.add ${get('ib')} (i32.const ${bytes})) ${get('nb')}))
    ${lanes.map(v => `(local.set $a${v} (v128.load offset=${16 * v} ${add(get('pdx'), get('ib'))}))`).join('\n')}
    (local.set $pj ${add(get('pw'), get('ib'))})
    (local.set $pdj ${get('pd')})
    (local.set $j (i32.const 0))
    ${[2, 1].map(outputs => `(block $j${vectors}${outputs}_done (loop $j${vectors}${outputs}_next
      (br_if $j${vectors}${outputs}_done (i32.gt_s (i32.add ${get('j')} (i32.const ${outputs})) ${get('m')}))
      ${Array.from({length: outputs}, (_, o) => `
      (local.set $splat (v128.load32_splat offset=${4 * o} ${get('pdj')}))
      ${lanes.map(v => `(local.set $a${v} (f32x4.add ${get(`a${v}`)} (f32x4.mul ${get('splat')} (v128.load offset=${16 * v} ${get('pj')}))))`).join('\n')}
      (local.set $pj ${add(get('pj'), get('nb'))})`).join('')}
      (local.set $pdj (i32.add ${get('pdj')} (i32.const ${4 * outputs})))
      (local.set $j (i32.add ${get('j')} (i32.const ${outputs})))
      (br $j${vectors}${outputs}_next)))`).join('\n')}
    ${lanes.map(v => `(v128.store offset=${16 * v} ${add(get('pdx'), get('ib'))} ${get(`a${v}`)})`).join('\n')}
    (local.set $ib (i32.add ${get('ib')} (i32.const ${bytes})))
    (br $ib${vectors}_next)))`;
}

/**
 * dx[b, iy, ix, g*n + i] = sum over the output pixels whose window covers
 * (iy, ix) and the group's m outputs of dy * w. w is the kernel rearranged
 * [KH][KW][Cout][n]. Per input pixel the covering output rows and columns
 * are found once (oy from ceil((iy + pt - KH + 1) / s) to floor((iy + pt) / s),
 * the same for columns); the pixel's dx (in cache) accumulates tap by tap,
 * each tap's group of m dy values against its [m][n] block of w.
 */
export const GROUP_CONV_INPUT_GRAD = String.raw`
(func (export "groupConvInputGrad")
    (param $dy i32) (param $w i32) (param $dx i32) ${GEOMETRY}
  (local $b i32) (local $iy i32) (local $ix i32) (local $g i32) (local $ib i32) (local $oy i32) (local $ox i32) (local $j i32)
  (local $oy0 i32) (local $oy1 i32) (local $ox0 i32) (local $ox1 i32) (local $t i32) (local $G i32) (local $c i32)
  (local $nb i32) (local $pd i32) (local $pw i32) (local $pdx i32) (local $pj i32) (local $pdj i32) (local $dxp i32)
  (local $a0 v128) (local $a1 v128) (local $splat v128)
  (local.set $nb ${shl2(get('n'))})
  (local.set $G (i32.div_u ${get('Cin')} ${get('n')}))
  (local.set $dxp ${get('dx')})
  ${countUp('$b', '(i32.const 0)', get('N'), countUp('$iy', '(i32.const 0)', get('H'), `
    (local.set $t (i32.sub ${add(get('iy'), get('pt'))} (i32.sub ${get('KH')} (i32.const 1))))
    (local.set $oy0 (select (i32.const 0) (i32.div_s ${add(get('t'), `(i32.sub ${get('s')} (i32.const 1))`)} ${get('s')})
                            (i32.le_s ${get('t')} (i32.const 0))))
    (local.set $oy1 (i32.add (i32.div_s ${add(get('iy'), get('pt'))} ${get('s')}) (i32.const 1)))
    (local.set $oy1 (select ${get('OH')} ${get('oy1')} (i32.gt_s ${get('oy1')} ${get('OH')})))
    ${countUp('$ix', '(i32.const 0)', get('W'), `
      (local.set $t (i32.sub ${add(get('ix'), get('pl'))} (i32.sub ${get('KW')} (i32.const 1))))
      (local.set $ox0 (select (i32.const 0) (i32.div_s ${add(get('t'), `(i32.sub ${get('s')} (i32.const 1))`)} ${get('s')})
                              (i32.le_s ${get('t')} (i32.const 0))))
      (local.set $ox1 (i32.add (i32.div_s ${add(get('ix'), get('pl'))} ${get('s')}) (i32.const 1)))
      (local.set $ox1 (select ${get('OW')} ${get('ox1')} (i32.gt_s ${get('ox1')} ${get('OW')})))
      ${countUp('$c', '(i32.const 0)', get('Cin'), `(v128.store ${add(get('dxp'), shl2(get('c')))} ${ZERO4})`, '(i32.const 4)')}
      ${countUp('$oy', get('oy0'), get('oy1'), countUp('$ox', get('ox0'), get('ox1'), `
        ;; tap (ky, kx) = (iy + pt - oy * s, ix + pl - ox * s)
        (local.set $pd ${add(get('dy'), shl2(mul(add(mul(add(mul(get('b'), get('OH')), get('oy')), get('OW')), get('ox')), get('Cout'))))})
        (local.set $pw ${add(get('w'), mul(mul(add(mul(i32Sub(add(get('iy'), get('pt')), mul(get('oy'), get('s'))), get('KW')),
                                                    i32Sub(add(get('ix'), get('pl')), mul(get('ox'), get('s')))), get('Cout')), get('nb')))})
        (local.set $pdx ${get('dxp')})
        ${countUp('$g', '(i32.const 0)', get('G'), `
          (local.set $ib (i32.const 0))
          ${inputGradGroupLoop(2)}
          ${inputGradGroupLoop(1)}
          (local.set $pd ${add(get('pd'), shl2(get('m')))})
          (local.set $pw ${add(get('pw'), mul(get('m'), get('nb')))})
          (local.set $pdx ${add(get('pdx'), get('nb'))})`)}`))}
      (local.set $dxp ${add(get('dxp'), shl2(get('Cin')))})`)}`))}
)
`;

function i32Sub(a: string, b: string): string {
  return `(i32.sub ${a} ${b})`;
}

/**
 * acc[ky][kx][co][i] += sum over images and output pixels of
 * x[b, oy*s + ky - pt, ox*s + kx - pl, g*n + i] * dy[b, oy, ox, co], for
 * output channel co of group g. acc (float32, the caller zeroes it) is the
 * kernel's gradient with each output channel's n inputs contiguous; the
 * caller rearranges it to [KH, KW, n, Cout]. For each image, output row and
 * tap the in-bounds output columns are found once; each run along them sums
 * 4 inputs x 1 output in a register, then adds to acc.
 */
export const GROUP_CONV_FILTER_GRAD = String.raw`
(func (export "groupConvFilterGrad")
    (param $x i32) (param $dy i32) (param $acc i32) ${GEOMETRY}
  (local $b i32) (local $oy i32) (local $ky i32) (local $kx i32) (local $co i32) (local $i i32) (local $ox i32)
  (local $iy i32) (local $lo i32) (local $hi i32) (local $t i32) (local $nb i32)
  (local $xRow i32) (local $dyRow i32) (local $tapAcc i32) (local $pa i32) (local $px i32) (local $pd i32)
  (local $xStep i32) (local $dyStep i32) (local $groupIn i32)
  (local $sum v128)
  (local.set $nb ${shl2(get('n'))})
  (local.set $xStep ${shl2(mul(get('s'), get('Cin')))})
  (local.set $dyStep ${shl2(get('Cout'))})
  ${countUp('$b', '(i32.const 0)', get('N'), countUp('$oy', '(i32.const 0)', get('OH'), `
    (local.set $dyRow ${add(get('dy'), shl2(mul(mul(add(mul(get('b'), get('OH')), get('oy')), get('OW')), get('Cout'))))})
    ${countUp('$ky', '(i32.const 0)', get('KH'), `
      (local.set $iy (i32.sub ${add(mul(get('oy'), get('s')), get('ky'))} ${get('pt')}))
      (if (i32.lt_u ${get('iy')} ${get('H')}) (then
        (local.set $xRow ${add(get('x'), shl2(mul(mul(add(mul(get('b'), get('H')), get('iy')), get('W')), get('Cin'))))})
        ${countUp('$kx', '(i32.const 0)', get('KW'), `
          ;; columns with 0 <= ox * s + kx - pl < W
          (local.set $t (i32.sub ${get('pl')} ${get('kx')}))
          (local.set $lo (select (i32.const 0) (i32.div_s ${add(get('t'), `(i32.sub ${get('s')} (i32.const 1))`)} ${get('s')})
                                 (i32.le_s ${get('t')} (i32.const 0))))
          (local.set $t (i32.sub ${add(get('W'), get('pl'))} (i32.add ${get('kx')} (i32.const 1))))
          (local.set $hi (select (i32.add (i32.div_s ${get('t')} ${get('s')}) (i32.const 1)) (i32.const 0) (i32.ge_s ${get('t')} (i32.const 0))))
          (local.set $hi (select ${get('OW')} ${get('hi')} (i32.gt_s ${get('hi')} ${get('OW')})))
          (if (i32.lt_s ${get('lo')} ${get('hi')}) (then
            (local.set $tapAcc ${add(get('acc'), mul(mul(add(mul(get('ky'), get('KW')), get('kx')), get('Cout')), get('nb')))})
            ${countUp('$co', '(i32.const 0)', get('Cout'), `
              (local.set $groupIn ${mul(i32DivU(get('co'), get('m')), get('nb'))})
              ${countUp('$i', '(i32.const 0)', get('nb'), `
                (local.set $pa ${add(add(get('tapAcc'), mul(get('co'), get('nb'))), get('i'))})
                (local.set $px ${add(add(add(get('xRow'), shl2(mul(i32Sub(add(mul(get('lo'), get('s')), get('kx')), get('pl')), get('Cin')))), get('groupIn')), get('i'))})
                (local.set $pd ${add(get('dyRow'), shl2(add(mul(get('lo'), get('Cout')), get('co'))))})
                (local.set $sum ${ZERO4})
                ${countUp('$ox', get('lo'), get('hi'), `
                  (local.set $sum (f32x4.add ${get('sum')} (f32x4.mul (v128.load ${get('px')}) (v128.load32_splat ${get('pd')}))))
                  (local.set $px ${add(get('px'), get('xStep'))})
                  (local.set $pd ${add(get('pd'), get('dyStep'))})`)}
                (v128.store ${get('pa')} (f32x4.add (v128.load ${get('pa')}) ${get('sum')}))`, '(i32.const 16)')}`)}))`)}))`)}`))}
)
`;

function i32DivU(a: string, b: string): string {
  return `(i32.div_u ${a} ${b})`;
}
