/**
 * Batch norm's two passes as WebAssembly text (sources/index.ts assembles the
 * module): channel sums for the statistics and the gradient's reductions,
 * and the per-channel affine map for the output and the input gradient.
 */
import {Width, countUp, lanesThenTail} from './loops';

/**
 * The fused activation's parameters: kz (scale C, then shift C, float32)
 * and the address of the band's edges [low, high] (float32): in memory,
 * not as float parameters, so that every argument is an integer and the
 * kernel pool's threads can run the passes (wasm/kernel-pool.ts).
 */
const BAND_PARAMS = '(param $kz i32) (param $band i32)';
const BAND_LOCALS = '(local $zs i32) (local $zt i32) (local $lo v128) (local $hi v128) (local $z v128) (local $fz f32) (local $low f32) (local $high f32)';
/** Reads the band's edges; first in each banded function. */
const BAND_EDGES = '(local.set $low (f32.load (local.get $band))) (local.set $high (f32.load offset=4 (local.get $band)))';
/** Set where each row starts (the kernels restart their coefficients per row); the edges are splatted here too. */
const BAND_ROW_START = `(local.set $zs (local.get $kz))
      (local.set $zt (i32.add (local.get $kz) (i32.shl (local.get $C) (i32.const 2))))
      (local.set $lo (f32x4.splat (local.get $low)))
      (local.set $hi (f32x4.splat (local.get $high)))`;

/**
 * z = kz scale * x + kz shift at width `w`, `at` bytes on, multiplied and
 * added apart: the same instructions as the forward pass's affine step, so
 * the same bits as the output the activation saw.
 */
function preActivation(w: Width, x: string, at = ''): string {
  return `(${w.add} (${w.mul} (${w.load}${at} (local.get $zs)) ${x}) (${w.load}${at} (local.get $zt)))`;
}

/** `dy` where z (of `x`) lies in (low, high], else 0: the lanes by a mask, the tail by a select (bandGrad's test). */
function inBand(w: Width, dy: string, x: string, at = ''): string {
  const z = preActivation(w, `(${w.load}${at} ${x})`, at);
  if (w.name === 'lanes') {
    return `(v128.and ${dy} (block (result v128) (local.set $z ${z})
        (v128.and (f32x4.gt (local.get $z) (local.get $lo)) (f32x4.le (local.get $z) (local.get $hi)))))`;
  }
  return `(block (result f32) (local.set $fz ${z})
        (select ${dy} (f32.const 0) (i32.and (f32.gt (local.get $fz) (local.get $low)) (f32.le (local.get $fz) (local.get $high)))))`;
}

/**
 * acc[c] += a[r, c] - sa[c];  acc[C + c] += (a[r, c] - sa[c]) * (b[r, c] - sb[c])
 * with shift = [sa, sb] (float32, 2C) and acc float64 (2C). Batch norm's
 * statistics (a = b = x, shifted by a sample of each channel so that the
 * sum of squares does not cancel) and its gradient's two reductions
 * (a = dy, b = x shifted by the mean).
 * Sums run in float32 over blocks of 32 rows, in 'block' (2C float32 of
 * zeroed scratch), and are added to the float64 acc after each block:
 * widening every element to float64 in V8's SIMD ran 8x slower.
 */
function channelSums(name: string, banded: boolean): string {
  const pointers = ['$a', '$b', '$s', '$p', '$sa', '$sb', ...(banded ? ['$zs', '$zt'] : [])];
  return String.raw`
(func (export "${name}")
    (param $a i32) (param $b i32) (param $rows i32) (param $C i32) (param $shift i32) (param $acc i32) (param $block i32)
    ${banded ? BAND_PARAMS : ''}
  (local $r i32) (local $end i32) (local $c i32) (local $C4 i32) (local $s i32) (local $p i32) (local $sa i32) (local $sb i32)
  (local $va v128) (local $vb v128) (local $fa f32) (local $fb f32) (local $i i32)
  ${banded ? BAND_LOCALS : ''}
  ${banded ? BAND_EDGES : ''}
  (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
  (block $blocks_done (loop $blocks
    (br_if $blocks_done (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $end (select (local.get $rows) (i32.add (local.get $r) (i32.const 32))
                            (i32.lt_u (local.get $rows) (i32.add (local.get $r) (i32.const 32)))))
    (block $rows_done (loop $row
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $end)))
      (local.set $s (local.get $block))
      (local.set $p (i32.add (local.get $block) (i32.shl (local.get $C) (i32.const 2))))
      (local.set $sa (local.get $shift))
      (local.set $sb (i32.add (local.get $shift) (i32.shl (local.get $C) (i32.const 2))))
      ${banded ? BAND_ROW_START : ''}
      (local.set $c (i32.const 0))
      ${lanesThenTail({counter: '$c', lanesLimit: '$C4', limit: '$C', pointers, body: w => `
        (local.set ${w.local}a (${w.sub} ${banded ? inBand(w, `(${w.load} (local.get $a))`, '(local.get $b)') : `(${w.load} (local.get $a))`}
                                         (${w.load} (local.get $sa))))
        (local.set ${w.local}b (${w.sub} (${w.load} (local.get $b)) (${w.load} (local.get $sb))))
        (${w.store} (local.get $s) (${w.add} (${w.load} (local.get $s)) (local.get ${w.local}a)))
        (${w.store} (local.get $p) (${w.add} (${w.load} (local.get $p)) (${w.mul} (local.get ${w.local}a) (local.get ${w.local}b))))`})}
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row)))
    ;; Block sums into the float64 acc, leaving the block zeroed.
    (local.set $i (i32.const 0))
    (block $flush_done (loop $flush
      (br_if $flush_done (i32.ge_u (local.get $i) (i32.shl (local.get $C) (i32.const 1))))
      (f64.store (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3)))
        (f64.add (f64.load (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3))))
                 (f64.promote_f32 (f32.load (i32.add (local.get $block) (i32.shl (local.get $i) (i32.const 2)))))))
      (f32.store (i32.add (local.get $block) (i32.shl (local.get $i) (i32.const 2))) (f32.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $flush)))
    (br $blocks)))
)
`;
}

export const CHANNEL_SUMS = channelSums('channelSums', false);

/**
 * `channelSums` of a = dy kept where batch norm's output before its
 * activation, z = kz[c] * b + kz[C + c] (b = x; as the forward pass
 * computed it), lies in (low, high], else 0: the gradient of batch norm
 * and the ReLU after it, without the activation's own gradient pass.
 */
export const CHANNEL_SUMS_BAND = channelSums('channelSumsBand', true);

/**
 * `channelSums` for C a multiple of 8, with the same sums in the same
 * order (so the same results, bit for bit): each block of 32 rows is read
 * 8 channels at a time, their 4 vectors of block sums kept in registers
 * down the block's rows and stored once, where `channelSums` loads and
 * stores every block sum on every row. The block's sums are left in
 * 'block' (it need not be zeroed). One thread, 2026-12-05: [12,544, 32]
 * 0.14 against 0.43 ms, [50,176, 16] 0.29 against 0.95, [1,024, 128] 0.05
 * against 0.14. The same blocking of the affine pass below was no faster
 * (0.88 against 0.70 ms at [12,544, 32]): its stores bound it.
 */
function channelSumsBy8(name: string, banded: boolean): string {
  /** a's vector `half` (0 or 1) of the 8 channels, kept where z of b's lies in the band when `banded`. */
  const a = (half: 0 | 1) => {
    const at = half === 0 ? '' : ' offset=16';
    if (!banded) return `(v128.load${at} (local.get $pa))`;
    return `(v128.and (v128.load${at} (local.get $pa)) (block (result v128)
          (local.set $z (f32x4.add (f32x4.mul (local.get $zs${half}) (v128.load${at} (local.get $pb))) (local.get $zt${half})))
          (v128.and (f32x4.gt (local.get $z) (local.get $lo)) (f32x4.le (local.get $z) (local.get $hi)))))`;
  };
  return String.raw`
(func (export "${name}")
    (param $a i32) (param $b i32) (param $rows i32) (param $C i32) (param $shift i32) (param $acc i32) (param $block i32)
    ${banded ? BAND_PARAMS : ''}
  (local $r0 i32) (local $end i32) (local $c i32) (local $r i32) (local $i i32) (local $stride i32) (local $off i32)
  (local $pa i32) (local $pb i32)
  (local $s0 v128) (local $s1 v128) (local $p0 v128) (local $p1 v128)
  (local $sa0 v128) (local $sa1 v128) (local $sb0 v128) (local $sb1 v128) (local $va v128) (local $vb v128)
  ${banded ? '(local $zs0 v128) (local $zs1 v128) (local $zt0 v128) (local $zt1 v128) (local $lo v128) (local $hi v128) (local $z v128)' : ''}
  (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
  ${banded ? '(local.set $lo (v128.load32_splat (local.get $band))) (local.set $hi (v128.load32_splat offset=4 (local.get $band)))' : ''}
  ${countUp('$r0', '(i32.const 0)', '(local.get $rows)', `
    (local.set $end (select (local.get $rows) (i32.add (local.get $r0) (i32.const 32))
                            (i32.lt_u (local.get $rows) (i32.add (local.get $r0) (i32.const 32)))))
    ${countUp('$c', '(i32.const 0)', '(local.get $C)', `
      (local.set $off (i32.shl (local.get $c) (i32.const 2)))
      (local.set $sa0 (v128.load (i32.add (local.get $shift) (local.get $off))))
      (local.set $sa1 (v128.load offset=16 (i32.add (local.get $shift) (local.get $off))))
      (local.set $sb0 (v128.load (i32.add (i32.add (local.get $shift) (local.get $stride)) (local.get $off))))
      (local.set $sb1 (v128.load offset=16 (i32.add (i32.add (local.get $shift) (local.get $stride)) (local.get $off))))
      ${banded ? `(local.set $zs0 (v128.load (i32.add (local.get $kz) (local.get $off))))
      (local.set $zs1 (v128.load offset=16 (i32.add (local.get $kz) (local.get $off))))
      (local.set $zt0 (v128.load (i32.add (i32.add (local.get $kz) (local.get $stride)) (local.get $off))))
      (local.set $zt1 (v128.load offset=16 (i32.add (i32.add (local.get $kz) (local.get $stride)) (local.get $off))))` : ''}
      (local.set $s0 (v128.const i32x4 0 0 0 0)) (local.set $s1 (v128.const i32x4 0 0 0 0))
      (local.set $p0 (v128.const i32x4 0 0 0 0)) (local.set $p1 (v128.const i32x4 0 0 0 0))
      (local.set $pa (i32.add (local.get $a) (i32.add (i32.mul (local.get $r0) (local.get $stride)) (local.get $off))))
      (local.set $pb (i32.add (local.get $b) (i32.add (i32.mul (local.get $r0) (local.get $stride)) (local.get $off))))
      ;; Products added as (product + sum), the order of channelSums; written so, they stay unfused in the fused build.
      ${countUp('$r', '(local.get $r0)', '(local.get $end)', `
        (local.set $va (f32x4.sub ${a(0)} (local.get $sa0)))
        (local.set $vb (f32x4.sub (v128.load (local.get $pb)) (local.get $sb0)))
        (local.set $s0 (f32x4.add (local.get $s0) (local.get $va)))
        (local.set $p0 (f32x4.add (f32x4.mul (local.get $va) (local.get $vb)) (local.get $p0)))
        (local.set $va (f32x4.sub ${a(1)} (local.get $sa1)))
        (local.set $vb (f32x4.sub (v128.load offset=16 (local.get $pb)) (local.get $sb1)))
        (local.set $s1 (f32x4.add (local.get $s1) (local.get $va)))
        (local.set $p1 (f32x4.add (f32x4.mul (local.get $va) (local.get $vb)) (local.get $p1)))
        (local.set $pa (i32.add (local.get $pa) (local.get $stride)))
        (local.set $pb (i32.add (local.get $pb) (local.get $stride)))`)}
      (v128.store (i32.add (local.get $block) (local.get $off)) (local.get $s0))
      (v128.store offset=16 (i32.add (local.get $block) (local.get $off)) (local.get $s1))
      (v128.store (i32.add (i32.add (local.get $block) (local.get $stride)) (local.get $off)) (local.get $p0))
      (v128.store offset=16 (i32.add (i32.add (local.get $block) (local.get $stride)) (local.get $off)) (local.get $p1))`, '(i32.const 8)')}
    ;; The block's sums into the float64 acc.
    ${countUp('$i', '(i32.const 0)', '(i32.shl (local.get $C) (i32.const 1))', `
      (f64.store (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3)))
        (f64.add (f64.load (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3))))
                 (f64.promote_f32 (f32.load (i32.add (local.get $block) (i32.shl (local.get $i) (i32.const 2)))))))`)}`, '(i32.const 32)')}
)
`;
}

export const CHANNEL_SUMS_BY_8 = channelSumsBy8('channelSumsBy8', false);

/** `channelSumsBy8` with `channelSumsBand`'s masking of a. */
export const CHANNEL_SUMS_BY_8_BAND = channelSumsBy8('channelSumsBy8Band', true);

/** What the affine pass does with a band: clamps its output to it (forward), or keeps u = dy only where z lies in it (backward). */
type AffineBand = 'clamp' | 'mask' | null;

/**
 * One channel's step of the affine pass at width `w`, `offset` bytes on:
 *   three terms  out = (k[c] * u + k[C + c] * v) + k[2C + c]
 *   two terms    out = k[c] * u + k[2C + c]
 * multiplied and added apart (no fused multiply-add), as TF.js rounds them.
 * With a band: 'clamp' clamps out to [low, high] as the CLAMP kernel does
 * (pseudo-maximum then -minimum; selects in the tail); 'mask' reads u as
 * `inBand` of it (z of v).
 */
function affineStep(terms: 2 | 3, w: Width, offset = 0, band: AffineBand = null): string {
  const at = offset === 0 ? '' : ` offset=${offset}`;
  const u = band === 'mask' ? inBand(w, `(${w.load}${at} (local.get $u))`, '(local.get $v)', at) : `(${w.load}${at} (local.get $u))`;
  const scaled = `(${w.mul} (${w.load}${at} (local.get $ka)) ${u})`;
  const linear = terms === 3 ? `(${w.add} ${scaled} (${w.mul} (${w.load}${at} (local.get $kb)) (${w.load}${at} (local.get $v))))` : scaled;
  const value = `(${w.add} ${linear} (${w.load}${at} (local.get $kd)))`;
  if (band !== 'clamp') return `(${w.store}${at} (local.get $out) ${value})`;
  if (w.name === 'lanes') return `(v128.store${at} (local.get $out) (f32x4.pmin (f32x4.pmax ${value} (local.get $lo)) (local.get $hi)))`;
  return `(local.set $fz ${value})
    (local.set $fz (select (local.get $low) (local.get $fz) (f32.lt (local.get $fz) (local.get $low))))
    (f32.store (local.get $out) (select (local.get $high) (local.get $fz) (f32.lt (local.get $high) (local.get $fz))))`;
}

/**
 * The affine pass over rows of C channels, 8 channels a step (two vectors),
 * then 4, then one by one. Each row restarts the coefficients.
 */
function channelAffine(name: string, terms: 2 | 3, band: AffineBand = null): string {
  const pointers = [...(terms === 3 || band === 'mask' ? ['$u', '$v', '$out'] : ['$u', '$out']),
                    ...(terms === 3 ? ['$ka', '$kb', '$kd'] : ['$ka', '$kd']), ...(band === 'mask' ? ['$zs', '$zt'] : [])];
  const bandParams = band === 'mask' ? BAND_PARAMS : band === 'clamp' ? '(param $band i32)' : '';
  return String.raw`
(func (export "${name}")
    (param $u i32) (param $v i32) (param $out i32) (param $rows i32) (param $C i32) (param $k i32) ${bandParams}
  (local $r i32) (local $c i32) (local $C8 i32) (local $C4 i32) (local $ka i32) (local $kb i32) (local $kd i32) (local $stride i32)
  ${band === 'mask' ? BAND_LOCALS : band === 'clamp' ? '(local $lo v128) (local $hi v128) (local $fz f32) (local $low f32) (local $high f32)' : ''}
  ${band != null ? BAND_EDGES : ''}
  (local.set $C8 (i32.and (local.get $C) (i32.const -8)))
  (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
  (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
  ${band === 'clamp' ? '(local.set $lo (f32x4.splat (local.get $low))) (local.set $hi (f32x4.splat (local.get $high)))' : ''}
  (block $rows_done (loop $row
    (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $ka (local.get $k))
    (local.set $kb (i32.add (local.get $k) (local.get $stride)))
    (local.set $kd (i32.add (local.get $kb) (local.get $stride)))
    ${band === 'mask' ? BAND_ROW_START : ''}
    (local.set $c (i32.const 0))
    ${lanesThenTail({counter: '$c', pairsLimit: '$C8', lanesLimit: '$C4', limit: '$C', pointers, body: (w, offset) => affineStep(terms, w, offset, band)})}
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $row)))
)
`;
}

/**
 * out[r, c] = k[c] * u[r, c] + k[C + c] * v[r, c] + k[2C + c]   (float32 k)
 * Batch norm's input gradient (dx = a * dy + b * x + d).
 */
export const CHANNEL_AFFINE = channelAffine('channelAffine', 3);

/**
 * `channelAffine` with u = dy kept only where z = kz[c] * v + kz[C + c]
 * lies in (low, high]: the input gradient of batch norm and the ReLU after
 * it in one pass.
 */
export const CHANNEL_AFFINE_BAND = channelAffine('channelAffineBand', 3, 'mask');

/**
 * out[r, c] = k[c] * u[r, c] + k[2C + c], v unread: batch norm's forward
 * pass (y = scale * x + shift), which the three-term pass computed with a
 * zero k[C + c] and a second read of x. Alone, one thread, 2026-12-05:
 * see docs/engine.md, "Batch norm".
 */
export const CHANNEL_SCALE_SHIFT = channelAffine('channelScaleShift', 2);

/** `channelScaleShift` clamped to [low, high]: batch norm and the ReLU (or ReLU6) after it. */
export const CHANNEL_SCALE_SHIFT_CLAMP = channelAffine('channelScaleShiftClamp', 2, 'clamp');
