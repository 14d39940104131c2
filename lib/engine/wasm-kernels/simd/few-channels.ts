/**
 * The input gradient of a convolution with few input channels, directly,
 * as WebAssembly text (simd/index.ts assembles the module).
 *
 * A network's stem convolves the image (1 or 3 channels), and
 * tf.fused.conv2d computes the image's gradient even though nothing needs
 * it. As a convolution of the spread dy (conv-grads.ts) that gradient has
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
  (local $coB i32) (local $acc v128)
  (local.set $coB (i32.shl ${get('Co')} (i32.const 2)))
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
        (local.set $acc (v128.const f32x4 0 0 0 0))
        ${countUp('$oy', get('oy0'), get('oy1'), countUp('$ox', get('ox0'), get('ox1'), `
          (local.set $pd ${add(get('dy'), mul(add(mul(add(mul(get('b'), get('OH')), get('oy')), get('OW')), get('ox')), get('coB')))})
          (local.set $pw ${add(get('w'), mul(add(mul(add(mul(sub(add(get('iy'), get('pt')), mul(get('oy'), get('sh'))), get('KW')),
                                                              sub(add(get('ix'), get('pl')), mul(get('ox'), get('sw')))), get('Ci')), get('ci')), get('coB')))})
          ${countUp('$c', '(i32.const 0)', get('coB'), `
            (local.set $acc (f32x4.add ${get('acc')} (f32x4.mul (v128.load ${add(get('pd'), get('c'))}) (v128.load ${add(get('pw'), get('c'))}))))`,
            '(i32.const 16)')}`))}
        (f32.store ${get('dxp')} (f32.add
          (f32.add (f32x4.extract_lane 0 ${get('acc')}) (f32x4.extract_lane 1 ${get('acc')}))
          (f32.add (f32x4.extract_lane 2 ${get('acc')}) (f32x4.extract_lane 3 ${get('acc')}))))
        (local.set $dxp (i32.add ${get('dxp')} (i32.const 4)))`)}`)}`))}
)
`;
