/**
 * WebAssembly text to binary with wabt, for the build (scripts/assemble.ts
 * makes binaries.generated.ts) and for kernels generated at run time for one
 * layer's geometry (the grouped convolution), where a caller has handed
 * wabt over with `useWabt`. The package does not load wabt itself: 5.5 MB
 * that a browser page should not have to fetch for kernels built ahead.
 */
import {fuseMultiplyAdds} from './fused-multiply-add';

/** What the package needs of a loaded wabt (npm `wabt`: `await require('wabt')()`). */
export interface WabtModule {
  parseWat(filename: string, text: string, features: Record<string, boolean>): {
    toBinary(options: object): {buffer: Uint8Array};
    destroy(): void;
  };
}

/**
 * The memory import for a memory shared or not: an import must say which.
 * A shared import needs a maximum no lower than the memory's own: 65536
 * pages is wasm32's whole address space.
 */
export function memoryImportFor(shared: boolean): string {
  return shared ? '(memory 1 65536 shared)' : '(memory 1)';
}

/** Whether `memory` is a shared (threaded build's) memory. */
export function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/**
 * `text` as a binary with the features the kernels use, its accumulations
 * fused where `fused` (relaxed SIMD). Compiling the result validates it
 * (wabt's own validate() ignores the threads feature).
 */
export function watToBinary(wabt: WabtModule, name: string, text: string, fused: boolean): Uint8Array {
  const parsed = wabt.parseWat(name, fused ? fuseMultiplyAdds(text) : text,
                               {simd: true, threads: true, bulk_memory: true, relaxed_simd: fused});
  try {
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}
