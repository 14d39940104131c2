/**
 * Modules generated at run time for one geometry (a convolution's forward
 * pass, its filter gradient, the grouped convolution's kernels), compiled
 * once per geometry and per loaded set of SIMD kernels (a new wasm memory
 * loads a new set) and kept.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {GeneratedModule, SimdKernels, compileKernelsNow} from './simd-kernels';

export class GeneratedModules<S> {
  /** Per loaded set of kernels, per geometry's key: the module, or null where it did not compile. */
  private readonly compiled = new WeakMap<SimdKernels, Map<string, GeneratedModule | null>>();
  /** Every geometry compiled in this process, as its key. */
  private readonly keys = new Set<string>();

  /**
   * `kind` names the modules (in wabt's messages and warnings); `text`
   * writes a geometry's module given the memory import; `fallback` says
   * what runs where one does not compile.
   */
  constructor(private readonly kind: string, private readonly text: (shape: S, memoryImport: string) => string,
              private readonly fallback: string) {}

  /** The module for `shape`, compiled on first use; null where it cannot compile (the caller computes another way). */
  moduleFor(backend: BackendWasm, kernels: SimdKernels, shape: S): GeneratedModule | null {
    let byShape = this.compiled.get(kernels);
    if (byShape == null) this.compiled.set(kernels, byShape = new Map());
    const key = JSON.stringify(shape);
    if (!byShape.has(key)) {
      let generated: GeneratedModule | null = null;
      try {
        generated = compileKernelsNow(backend, `lab-${this.kind}-${key}.wat`, memory => this.text(shape, memory));
      } catch (error) {
        // The fallback computes the same: warn, do not fail the training run.
        console.warn(`tfjs-backend-wasm-train: ${this.kind} ${key} could not be compiled (${(error as Error).message}); using ${this.fallback}`);
      }
      byShape.set(key, generated);
      if (generated != null) this.keys.add(key);
    }
    return byShape.get(key)!;
  }

  /** The geometries compiled so far in this process, as their keys (tests check the kernel ran). */
  geometries(): string[] {
    return [...this.keys];
  }
}
