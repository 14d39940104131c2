/**
 * The minimal filtering algorithms the Winograd kernels (winograd.ts,
 * winograd-filter-grad.ts) generate code for: a 3x3 filter, 2x2 output
 * tiles, per channel pair
 *   Y = A^T [ (G g G^T) (.) (B^T d B) ] A,   dg = G^T [ (A dy A^T) (.) (B^T d B) ] G
 * with the matrices given as what each applies to one row or column of
 * vectors (WebAssembly text in, text out).
 *
 * - Stride 1, F(2x2, 3x3) (Lavin and Gray, 2016): a 4x4 patch, 4 x 4
 *   positions, 16 multiplies where the direct sums take 36.
 * - Stride 2: along each axis the even taps (g0, g2) meet the even inputs
 *   (d0, d2, d4) as F(2, 2), 3 multiplies for 2 outputs, and the odd tap
 *   g1 the odd inputs (d1, d3) directly, 2 more: a 5x5 patch, 5 x 5
 *   positions, 25 multiplies where the direct sums take 36. Its constants
 *   are 0 and 1 only.
 */

export interface WinogradScheme {
  stride: 1 | 2;
  /** Positions along each axis (the transformed patch is n x n). */
  n: number;
  /** Input rows and columns a tile reads. */
  patch: number;
  /** B^T applied to a patch row or column: `patch` values to n. */
  input(d: string[]): string[];
  /** G applied to three taps: 3 values to n. */
  filter(g: string[]): string[];
  /** A^T applied to n sums: the tile's two outputs. */
  output(m: string[]): [string, string];
  /** A applied to a tile's two gradients: 2 values to n. */
  gradient(dy: string[]): string[];
  /** G^T applied to n sums: the filter's three taps. */
  taps(m: string[]): string[];
}

const fadd = (a: string, b: string) => `(f32x4.add ${a} ${b})`;
const fsub = (a: string, b: string) => `(f32x4.sub ${a} ${b})`;
const half = (value: string) => `(f32x4.mul ${value} (v128.const f32x4 0.5 0.5 0.5 0.5))`;

/** F(2x2, 3x3). */
const STRIDE_1: WinogradScheme = {
  stride: 1, n: 4, patch: 4,
  input: d => [fsub(d[0], d[2]), fadd(d[1], d[2]), fsub(d[2], d[1]), fsub(d[1], d[3])],
  filter: g => [g[0], half(fadd(fadd(g[0], g[1]), g[2])), half(fadd(fsub(g[0], g[1]), g[2])), g[2]],
  output: m => [fadd(fadd(m[0], m[1]), m[2]), fsub(fsub(m[1], m[2]), m[3])],
  gradient: dy => [dy[0], fadd(dy[0], dy[1]), fsub(dy[0], dy[1]), `(f32x4.neg ${dy[1]})`],
  taps: m => [fadd(m[0], half(fadd(m[1], m[2]))), half(fsub(m[1], m[2])), fadd(half(fadd(m[1], m[2])), m[3])],
};

/**
 * Stride 2: y0 = g0 d0 + g1 d1 + g2 d2 and y1 = g0 d2 + g1 d3 + g2 d4 as
 * m0 = g0 (d0 - d2), m1 = (g0 + g2) d2, m2 = g2 (d4 - d2), m3 = g1 d1,
 * m4 = g1 d3; y0 = m0 + m1 + m3, y1 = m1 + m2 + m4.
 */
const STRIDE_2: WinogradScheme = {
  stride: 2, n: 5, patch: 5,
  input: d => [fsub(d[0], d[2]), d[2], fsub(d[4], d[2]), d[1], d[3]],
  filter: g => [g[0], fadd(g[0], g[2]), g[2], g[1], g[1]],
  output: m => [fadd(fadd(m[0], m[1]), m[3]), fadd(fadd(m[1], m[2]), m[4])],
  gradient: dy => [dy[0], fadd(dy[0], dy[1]), dy[1], dy[0], dy[1]],
  taps: m => [fadd(m[0], m[1]), fadd(m[3], m[4]), fadd(m[1], m[2])],
};

/** The scheme for a 3x3 convolution's stride. */
export function winogradScheme(stride: number): WinogradScheme {
  if (stride === 1) return STRIDE_1;
  if (stride === 2) return STRIDE_2;
  throw new Error(`winogradScheme: stride ${stride}; the Winograd kernels take stride 1 or 2`);
}
