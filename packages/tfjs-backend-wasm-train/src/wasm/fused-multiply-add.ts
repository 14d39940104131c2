/**
 * Fused multiply-add for the WebAssembly kernels: WebAssembly's relaxed
 * SIMD `f32x4.relaxed_madd`, which V8 compiles to the CPU's FMA instruction
 * where it has one.
 *
 * Why: on the compute-bound kernels it pays. `transposedProducts` (the 1x1
 * and per-tap filter gradients) ran at 45-48 GFLOP/s with it against 35-39
 * without, one thread, AMD EPYC, Node 20 (2026-12-03).
 *
 * Every kernel is built twice from the same text (scripts/assemble.ts): as
 * written, and with the accumulations rewritten by `fuseMultiplyAdds`. The
 * fused build is used where this WebAssembly validates relaxed SIMD
 * (Chrome 114+, Firefox 120+, Node 22+; Node 20 behind
 * `--experimental-wasm-relaxed-simd`). relaxed_madd may round once (fused)
 * or twice (as mul then add, the plain build's result): the tests hold both
 * builds to the cpu backend's gradients to the same 1e-5.
 */

/** (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)) */
const RELAXED_MADD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0,
  10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);

/** Whether this WebAssembly accepts relaxed SIMD's fused multiply-add (asked afresh: a Node flag may turn it on later). */
export function relaxedSimdSupported(): boolean {
  return typeof WebAssembly !== 'undefined' && WebAssembly.validate(RELAXED_MADD_PROBE);
}

/** The end of the balanced S-expression that opens at `start` ('('). */
function closingParen(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  throw new Error(`fuseMultiplyAdds: unbalanced parentheses from offset ${start}`);
}

const ADD_OF_PRODUCT = /\(f32x4\.add\s+\(local\.get (\$[\w.]+)\)\s+\(f32x4\.mul\s+/g;

/**
 * Every `(f32x4.add (local.get $acc) (f32x4.mul A B))` of WebAssembly text
 * as `(f32x4.relaxed_madd A B (local.get $acc))`, the kernels' accumulation
 * idiom. A and B are pure (loads and local reads), so evaluating them before
 * the accumulator changes nothing else. Other forms are left as they are.
 */
export function fuseMultiplyAdds(text: string): string {
  let out = '';
  let from = 0;
  for (const match of text.matchAll(ADD_OF_PRODUCT)) {
    const at = match.index!;
    if (at < from) continue;
    const firstStart = at + match[0].length;
    const firstEnd = closingParen(text, firstStart);
    const secondStart = text.indexOf('(', firstEnd + 1);
    const secondEnd = closingParen(text, secondStart);
    // After B: the mul's and the add's closing parentheses, and nothing else.
    const rest = /^\s*\)\s*\)/.exec(text.slice(secondEnd + 1));
    if (text.slice(firstEnd + 1, secondStart).trim() !== '' || rest == null) continue;
    out += text.slice(from, at) +
        `(f32x4.relaxed_madd ${text.slice(firstStart, firstEnd + 1)} ${text.slice(secondStart, secondEnd + 1)} (local.get ${match[1]}))`;
    from = secondEnd + 1 + rest[0].length;
  }
  return out + text.slice(from);
}
