/**
 * Where a training step's time goes by source: V8's sampling profiler
 * (node:inspector, in this process) over steps, each sample's function
 * put in one of a few sources: the WebAssembly kernels (XNNPACK's and the
 * lab's), TF.js's engine, its layers, the JavaScript around the lab's
 * kernels, tfjs-backend-wasm's JavaScript, the calling thread waking the
 * kernel pool's helpers and waiting for them, the garbage collector. At
 * two threads on two cores that row is inflated: the profiler's own
 * sampling thread takes the core a helper wakes onto, and the woken helper
 * then runs on the caller's core while the caller waits (docs/engine.md). Self
 * time: a function's own samples, not its callees'. `tf.profile` times
 * kernels only; this shows what the steps spend outside them.
 */
import {Session} from 'node:inspector';

export const SOURCES = [
  'WebAssembly (XNNPACK and the lab\'s kernels)',
  'TF.js engine and autodiff (tfjs-core)',
  'the lab\'s kernels\' JavaScript (tfjs-backend-wasm-train)',
  'tfjs-backend-wasm\'s JavaScript',
  'TF.js layers (tfjs-layers)',
  'the kernel pool\'s dispatch (waking its helpers, waiting for them)',
  'garbage collector',
  'other',
] as const;
export type Source = typeof SOURCES[number];

interface CallFrame { functionName: string; url: string }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** The source a sampled function belongs to; null for the profiler's own work and idle time. */
export function sourceOf(frame: CallFrame): Source | null {
  const {functionName: name, url} = frame;
  if (name === '(idle)' || url.startsWith('node:inspector')) return null;
  if (name.startsWith('wasm-function') || name.startsWith('js-to-wasm') || name.startsWith('wasm-to-js') || url.startsWith('wasm://')) {
    return SOURCES[0];
  }
  if (name === '(garbage collector)') return SOURCES[6];
  if (/tfjs-core|tf-core/.test(url)) return SOURCES[1];
  if (/tfjs-backend-wasm-train/.test(url)) return SOURCES[2];
  if (/tfjs-backend-wasm|tf-backend-wasm/.test(url)) return SOURCES[3];
  if (/tfjs-layers|tf-layers/.test(url)) return SOURCES[4];
  // The engine's pool (lib/engine/backends/kernel-pool.ts) wakes its helpers (Atomics.notify) and waits for their tasks (Atomics.wait).
  if (/engine\/backends\/kernel-pool/.test(url)) return SOURCES[5];
  return SOURCES[7];
}

/** Milliseconds of self time by source in `profile`, leaving out samples under the profiler's own calls. */
export function timeBySource(profile: CpuProfile): Map<Source, number> {
  const byId = new Map(profile.nodes.map(node => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const underProfiler = (id: number): boolean => {
    for (let at: number | undefined = id; at != null; at = parentOf.get(at)) {
      if (byId.get(at)!.callFrame.url.startsWith('node:inspector')) return true;
    }
    return false;
  };
  const totals = new Map<Source, number>(SOURCES.map(source => [source, 0]));
  profile.samples.forEach((id, i) => {
    const source = sourceOf(byId.get(id)!.callFrame);
    if (source == null || underProfiler(id)) return;
    totals.set(source, totals.get(source)! + profile.timeDeltas[i] / 1000);
  });
  return totals;
}

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (error, result) => error ? reject(error) : resolve(result as T)));
}

/** Runs `step` `steps` times under the sampling profiler (0.1 ms interval); milliseconds a step by source. */
export async function profileBySource(step: () => void, steps: number): Promise<Map<Source, number>> {
  const session = new Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', {interval: 100});
    await post(session, 'Profiler.start');
    for (let s = 0; s < steps; s++) step();
    const {profile} = await post<{profile: CpuProfile}>(session, 'Profiler.stop');
    return new Map([...timeBySource(profile)].map(([source, ms]) => [source, ms / steps]));
  } finally {
    session.disconnect();
  }
}
