/**
 * The grouped convolution (kernels/grouped-conv-kernel.ts) as JavaScript
 * loops: on cpu, and on wasm where the SIMD code does not run (channels
 * not in multiples of 4, the SIMD kernels switched off or not loaded).
 * test/engine/kernels/grouped-conv-kernel.test.ts holds them to the split
 * route to 1e-5.
 */

/** One grouped convolution's sizes, checked by the kernel before it gets here. */
export interface Geometry {
  N: number; H: number; W: number; Cin: number; OH: number; OW: number; Cout: number;
  KH: number; KW: number; stride: number; padTop: number; padLeft: number;
  /** Inputs and outputs per group. */
  n: number; m: number;
}

/**
 * The JavaScript loops' traversal: for every output element and in-bounds
 * tap, `visit(output index, index of the group's first input in x, index of
 * the first input's weight in the filter, inputs a group)`; a group's inputs
 * lie 1 apart in x and Cout apart in the filter.
 */
function eachTap(g: Geometry, visit: (outAt: number, xAt: number, fAt: number, n: number) => void): void {
  const {N, H, W, Cin, OH, OW, Cout, KH, KW, stride, padTop, padLeft, n, m} = g;
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const outAt = ((b * OH + oy) * OW + ox) * Cout;
        for (let co = 0; co < Cout; co++) {
          const groupIn = Math.floor(co / m) * n;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * stride + ky - padTop;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * stride + kx - padLeft;
              if (ix < 0 || ix >= W) continue;
              visit(outAt + co, ((b * H + iy) * W + ix) * Cin + groupIn, (ky * KW + kx) * n * Cout + co, n);
            }
          }
        }
      }
    }
  }
}

/** y [N, OH, OW, Cout] from x [N, H, W, Cin] and the kernel [KH, KW, n, Cout]. */
export function forwardLoops(X: Float32Array, F: Float32Array, Y: Float32Array, g: Geometry): void {
  const Cout = g.Cout;
  Y.fill(0);
  eachTap(g, (outAt, xAt, fAt, n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += X[xAt + i] * F[fAt + i * Cout];
    Y[outAt] += sum;
  });
}

/** dx [N, H, W, Cin] from dy [N, OH, OW, Cout] and the kernel. */
export function inputGradLoops(DY: Float32Array, F: Float32Array, DX: Float32Array, g: Geometry): void {
  const Cout = g.Cout;
  DX.fill(0);
  eachTap(g, (outAt, xAt, fAt, n) => {
    const d = DY[outAt];
    for (let i = 0; i < n; i++) DX[xAt + i] += d * F[fAt + i * Cout];
  });
}

/** The kernel's gradient [KH, KW, n, Cout] from x and dy. */
export function filterGradLoops(X: Float32Array, DY: Float32Array, DW: Float32Array, g: Geometry): void {
  const Cout = g.Cout;
  DW.fill(0);
  eachTap(g, (outAt, xAt, fAt, n) => {
    const d = DY[outAt];
    for (let i = 0; i < n; i++) DW[fAt + i * Cout] += d * X[xAt + i];
  });
}
