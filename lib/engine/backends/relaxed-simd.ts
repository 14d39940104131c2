/**
 * Relaxed SIMD (fused multiply-add) for the lab's WebAssembly kernels in
 * the lab's own Node processes.
 *
 * Node 20's V8 has relaxed SIMD behind `--experimental-wasm-relaxed-simd`;
 * newer Node turns it on by default. The flag only gates which instructions
 * a module may contain, so the engine sets it in its own process (the lab
 * starts its processes: the CLI, the notebooks' kernel, the pack's Node)
 * before any kernel is compiled; tfjs-backend-wasm-train then loads its
 * fused build. Where the flag does not take, the kernels stay plain SIMD.
 * The package itself never sets V8 flags: in someone else's process that is
 * theirs to decide.
 */
import * as v8 from 'node:v8';

export const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';

/**
 * Whether this process's WebAssembly has relaxed SIMD, turning Node 20's
 * flag on first where needed; `relaxedSimdSupported` is the package's probe.
 */
export function enableRelaxedSimdInNode(relaxedSimdSupported: () => boolean): boolean {
  if (relaxedSimdSupported()) return true;
  try {
    v8.setFlagsFromString(RELAXED_SIMD_FLAG);
  } catch {
    return false;
  }
  return relaxedSimdSupported();
}
