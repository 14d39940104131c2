/**
 * What the benchmarks say of the CPU they ran on. A virtual machine's model
 * name can hide the generation ("AMD EPYC" on both a Zen 3 and a Zen 4),
 * and the ratio against PyTorch depends on it: PyTorch's kernels use the
 * widest vectors the CPU has (AVX-512 where present), WebAssembly's SIMD
 * is 128 bits everywhere. So the description adds the CPU family, model
 * and widest vector extension from /proc/cpuinfo where there is one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

/** The first processor's fields of a /proc/cpuinfo text ("key : value" lines). */
function firstProcessor(cpuinfo: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of cpuinfo.split('\n')) {
    if (line.trim() === '') {
      if (fields.size > 0) break;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return fields;
}

/** The widest x86 vector extension among `flags` (space-separated), or null when none is named. */
export function widestVectors(flags: string): string | null {
  const set = new Set(flags.split(/\s+/));
  if (set.has('avx512f')) return 'AVX-512';
  if (set.has('avx2')) return 'AVX2';
  if (set.has('avx')) return 'AVX';
  if (set.has('sse2')) return 'SSE2';
  return null;
}

/**
 * "AMD EPYC (family 25, model 17, AVX-512)" from a /proc/cpuinfo text;
 * `modelName` alone where the text lacks those fields (another OS, another
 * architecture).
 */
export function cpuDescription(modelName: string, cpuinfo: string | null): string {
  if (cpuinfo == null) return modelName;
  const fields = firstProcessor(cpuinfo);
  const details = [
    fields.has('cpu family') ? `family ${fields.get('cpu family')}` : null,
    fields.has('model') ? `model ${fields.get('model')}` : null,
    widestVectors(fields.get('flags') ?? ''),
  ].filter((d): d is string => d != null);
  return details.length === 0 ? modelName : `${modelName} (${details.join(', ')})`;
}

/** This machine's CPU as `cpuDescription` writes it. */
export function thisCpu(): string {
  let cpuinfo: string | null = null;
  try {
    cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // Not Linux: the model name is all there is.
  }
  return cpuDescription(os.cpus()[0]?.model ?? 'unknown CPU', cpuinfo);
}
