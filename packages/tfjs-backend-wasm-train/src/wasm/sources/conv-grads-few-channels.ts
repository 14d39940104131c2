/**
 * The gradients of a convolution with few input channels (a network's
 * stem), directly, as WebAssembly text (sources/index.ts assembles the module).
 *
 * A network's stem convolves the image (1 or 3 channels), and
 * tf.fused.conv2d computes the image's gradient even though nothing needs
 * it. As a convolution of the spread dy (kernels/conv-grads.ts) that gradient has
 * 1-3 output channels, XNNPACK's weakest shape: 5-6 ms of every lab
 * network's training step on one thread, 14 % of the tiny net's.
 */
import {countUp} from './loops';

const get = (name: string) => `(local.get $${name})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const sub = (a: string, b: string) => `(i32.sub ${a} ${b})`;

/** The first output row (or column) whose window covers input row `i`: ceil((i + pad - K + 1) / s), at least 0. */
const firstCovering = (i: string, pad: string, k: string, s: string) => `(select (i32.const 0)
  (i32.div_s ${add(sub(add(get(i), get(pad)), get(k)), get(s))} ${get(s)})
  (i32.le_s ${sub(add(get(i), get(pad)), sub(get(k), "(i32.const 1)"))} (i32.const 0)))`;

/** One past the last output row (or column) whose window covers `i`: floor((i + pad) / s) + 1, at most `limit`. */
const pastCovering = (i: string, pad: string, s: string) =>
  `(i32.add (i32.div_s ${add(get(i), get(pad))} ${get(s)}) (i32.const 1))`;

/**
 * dx[b, iy, ix, ci] = sum over the output pixels whose window covers
 * (iy, ix), at tap (ky, kx) = (iy + pt - oy * sh, ix + pl - ox * sw), of
 * dy[b, oy, ox, :] . w[ky, kx, ci, :], the dot product over Co channels 4
 * lanes at a time (Co a multiple of 4; the caller checks). w is the
 * convolution's filter as it is stored, [KH, KW, Ci, Co].
 */
export const FEW_CHANNEL_INPUT_GRAD = String.raw`
(func (export "fewChannelInputGrad")
    (param $dy i32) (param $w i32) (param $dx i32) (param $N i32) (param $H i32) (param $W i32) (param $Ci i32)
    (param $OH i32) (param $OW i32) (param $Co i32) (param $KH i32) (param $KW i32)
    (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
  (local $b i32) (local $iy i32) (local $ix i32) (local $ci i32) (local $oy i32) (local $ox i32) (local $c i32)
  (local $oy0 i32) (local $oy1 i32) (local $ox0 i32) (local $ox1 i32) (local $pd i32) (local $pw i32) (local $dxp i32)
  (local $coB i32) (local $c4 i32) (local $wStep i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
  (local.set $coB (i32.shl ${get('Co')} (i32.const 2)))
  ;; the output channels 4 vectors at a time (four accumulators, so that the additions do not wait on each other), then one
  (local.set $c4 (i32.and ${get('coB')} (i32.const -64)))
  ;; one output column further on, the tap moves sw columns back in the filter
  (local.set $wStep ${mul(mul(get('sw'), get('Ci')), get('coB'))})
  (local.set $dxp ${get('dx')})
  ${countUp('$b', '(i32.const 0)', get('N'), countUp('$iy', '(i32.const 0)', get('H'), `
    (local.set $oy0 ${firstCovering('iy', 'pt', 'KH', 'sh')})
    (local.set $oy1 ${pastCovering('iy', 'pt', 'sh')})
    (local.set $oy1 (select ${get('OH')} ${get('oy1')} (i32.gt_s ${get('oy1')} ${get('OH')})))
    ${countUp('$ix', '(i32.const 0)', get('W'), `
      (local.set $ox0 ${firstCovering('ix', 'pl', 'KW', 'sw')})
      (local.set $ox1 ${pastCovering('ix', 'pl', 'sw')})
      (local.set $ox1 (select ${get('OW')} ${get('ox1')} (i32.gt_s ${get('ox1')} ${get('OW')})))
      ${countUp('$ci', '(i32.const 0)', get('Ci'), `
        (local.set $a0 (v128.const f32x4 0 0 0 0)) (local.set $a1 (v128.const f32x4 0 0 0 0))
        (local.set $a2 (v128.const f32x4 0 0 0 0)) (local.set $a3 (v128.const f32x4 0 0 0 0))
        ${countUp('$oy', get('oy0'), get('oy1'), `
          (local.set $pd ${add(get('dy'), mul(add(mul(add(mul(get('b'), get('OH')), get('oy')), get('OW')), get('ox0')), get('coB')))})
          (local.set $pw ${add(get('w'), mul(add(mul(add(mul(sub(add(get('iy'), get('pt')), mul(get('oy'), get('sh'))), get('KW')),
                                                          sub(add(get('ix'), get('pl')), mul(get('ox0'), get('sw')))), get('Ci')), get('ci')), get('coB')))})
          ${countUp('$ox', get('ox0'), get('ox1'), `
            ${countUp('$c', '(i32.const 0)', get('c4'), [0, 1, 2, 3].map(v =>
              `(local.set $a${v} (f32x4.add ${get(`a${v}`)} (f32x4.mul (v128.load offset=${16 * v} ${add(get('pd'), get('c'))}) (v128.load offset=${16 * v} ${add(get('pw'), get('c'))}))))`).join('\n              '),
              '(i32.const 64)')}
            ${countUp('$c', get('c4'), get('coB'), `
              (local.set $a0 (f32x4.add ${get('a0')} (f32x4.mul (v128.load ${add(get('pd'), get('c'))}) (v128.load ${add(get('pw'), get('c'))}))))`,
              '(i32.const 16)')}
            (local.set $pd ${add(get('pd'), get('coB'))})
            (local.set $pw ${sub(get('pw'), get('wStep'))})`)}`)}
        (local.set $a0 (f32x4.add (f32x4.add ${get('a0')} ${get('a1')}) (f32x4.add ${get('a2')} ${get('a3')})))
        (f32.store ${get('dxp')} (f32.add
          (f32.add (f32x4.extract_lane 0 ${get('a0')}) (f32x4.extract_lane 1 ${get('a0')}))
          (f32.add (f32x4.extract_lane 2 ${get('a0')}) (f32x4.extract_lane 3 ${get('a0')}))))
        (local.set $dxp (i32.add ${get('dxp')} (i32.const 4)))`)}`)}`))}
)
`;

/**
 * dw[ky, kx, ci, co] = sum over images and output pixels of
 * x[b, oy * sh + ky - pt, ox * sw + kx - pl, ci] * dy[b, oy, ox, co]: per
 * tap and input channel, runs of 4 vectors of output channels (then single
 * vectors) summed in registers over every in-bounds output pixel, a splat
 * of x times dy (Co a multiple of 4; the caller checks). dw is written whole.
 * The stem's filter gradient had been an im2col in JavaScript (1-2 ms a
 * step) followed by a matmul.
 */
export const FEW_CHANNEL_FILTER_GRAD = String.raw`
(func (export "fewChannelFilterGrad")
    (param $x i32) (param $dy i32) (param $dw i32) (param $N i32) (param $H i32) (param $W i32) (param $Ci i32)
    (param $OH i32) (param $OW i32) (param $Co i32) (param $KH i32) (param $KW i32)
    (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
  (local $ky i32) (local $kx i32) (local $ci i32) (local $c i32) (local $b i32) (local $oy i32) (local $ox i32) (local $iy i32)
  (local $lo i32) (local $hi i32) (local $t i32) (local $px i32) (local $pd i32) (local $pw i32) (local $coB i32) (local $c4 i32)
  (local $xStep i32) (local $s v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
  (local.set $coB (i32.shl ${get('Co')} (i32.const 2)))
  (local.set $xStep (i32.shl ${mul(get('sw'), get('Ci'))} (i32.const 2)))
  ;; the output channels done 4 vectors at a time; the rest one vector at a time
  (local.set $c4 (i32.and ${get('coB')} (i32.const -64)))
  ${countUp('$ky', '(i32.const 0)', get('KH'), countUp('$kx', '(i32.const 0)', get('KW'), `
    ;; output columns with 0 <= ox * sw + kx - pl < W
    (local.set $t ${sub(get('pl'), get('kx'))})
    (local.set $lo (select (i32.const 0) (i32.div_s ${add(get('t'), sub(get('sw'), '(i32.const 1)'))} ${get('sw')}) (i32.le_s ${get('t')} (i32.const 0))))
    (local.set $t ${sub(add(get('W'), get('pl')), add(get('kx'), '(i32.const 1)'))})
    (local.set $hi (select (i32.add (i32.div_s ${get('t')} ${get('sw')}) (i32.const 1)) (i32.const 0) (i32.ge_s ${get('t')} (i32.const 0))))
    (local.set $hi (select ${get('OW')} ${get('hi')} (i32.gt_s ${get('hi')} ${get('OW')})))
    ${countUp('$ci', '(i32.const 0)', get('Ci'), `
      (local.set $pw ${add(get('dw'), mul(add(mul(add(mul(get('ky'), get('KW')), get('kx')), get('Ci')), get('ci')), get('coB')))})
      ${[4, 1].map(vectors => `
      (local.set $c ${vectors === 4 ? '(i32.const 0)' : get('c4')})
      (block $c${vectors}_done (loop $c${vectors}_next
        (br_if $c${vectors}_done (i32.gt_s (i32.add ${get('c')} (i32.const ${16 * vectors})) ${get('coB')}))
        ${Array.from({length: vectors}, (_, v) => `(local.set $a${v} (v128.const f32x4 0 0 0 0))`).join(' ')}
        ${countUp(`$b`, '(i32.const 0)', get('N'), countUp(`$oy`, '(i32.const 0)', get('OH'), `
          (local.set $iy ${sub(add(mul(get('oy'), get('sh')), get('ky')), get('pt'))})
          (if (i32.lt_u ${get('iy')} ${get('H')}) (then
            (local.set $px ${add(get('x'), `(i32.shl ${add(mul(add(mul(add(mul(get('b'), get('H')), get('iy')), get('W')),
                                                            sub(add(mul(get('lo'), get('sw')), get('kx')), get('pl'))), get('Ci')), get('ci'))} (i32.const 2))`)})
            (local.set $pd ${add(add(get('dy'), mul(add(mul(add(mul(get('b'), get('OH')), get('oy')), get('OW')), get('lo')), get('coB'))), get('c'))})
            ${countUp('$ox', get('lo'), get('hi'), `
              (local.set $s (v128.load32_splat ${get('px')}))
              ${Array.from({length: vectors}, (_, v) =>
                `(local.set $a${v} (f32x4.add ${get(`a${v}`)} (f32x4.mul ${get('s')} (v128.load offset=${16 * v} ${get('pd')}))))`).join('\n              ')}
              (local.set $px ${add(get('px'), get('xStep'))})
              (local.set $pd ${add(get('pd'), get('coB'))})`)}))`))}
        ${Array.from({length: vectors}, (_, v) => `(v128.store offset=${16 * v} ${add(get('pw'), get('c'))} ${get(`a${v}`)})`).join(' ')}
        (local.set $c (i32.add ${get('c')} (i32.const ${16 * vectors})))
        (br $c${vectors}_next)))`).join('')}`)}`))}
)
`;
