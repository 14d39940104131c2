/**
 * The loop every channel-wise kernel repeats: a body run 4 channels at a
 * time with f32x4, then one channel at a time with f32 for the rest. One
 * body template, written once against a `Width`, generates both loops, so
 * the vector body and its scalar tail cannot drift apart.
 */

/** The instructions and sizes of one of the two widths. */
export interface Width {
  name: 'lanes' | 'tail';
  load: string;
  store: string;
  add: string;
  sub: string;
  mul: string;
  /** Channels per step: 4 or 1. */
  step: number;
  /** Prefix of the width's own locals: `$v` (v128) or `$f` (f32), e.g. `${w.local}a`. */
  local: string;
}

export const LANES: Width = {
  name: 'lanes', load: 'v128.load', store: 'v128.store', add: 'f32x4.add', sub: 'f32x4.sub', mul: 'f32x4.mul', step: 4, local: '$v',
};
export const TAIL: Width = {
  name: 'tail', load: 'f32.load', store: 'f32.store', add: 'f32.add', sub: 'f32.sub', mul: 'f32.mul', step: 1, local: '$f',
};

/**
 * `count` floats rounded up to whole vectors of 4: what a kernel that reads
 * and writes only whole vectors needs where a channel count is not a
 * multiple of 4 (its extra lanes padding, computed and never stored).
 */
export function wholeVectors(count: number): number {
  return Math.ceil(count / LANES.step) * LANES.step;
}

/** A pointer the loop advances by `bytes` per channel (4 for float32, 8 for float64). */
export type Pointer = string | {name: string; bytes: number};

export interface ChannelLoop {
  /** The counter local (starts wherever the caller left it). */
  counter: string;
  /** Locals holding the lane loop's limit (a multiple of 4) and the total. */
  lanesLimit: string;
  limit: string;
  /**
   * Where given, a local holding a limit (a multiple of 8) up to which a
   * first loop takes two vectors a step, so that its bookkeeping is shared
   * by twice the work; float32 pointers only.
   */
  pairsLimit?: string;
  pointers: readonly Pointer[];
  /** One step at width `w`, reading and writing `offset` bytes past the pointers (the pairs' second vector: 16). */
  body: (w: Width, offset: number) => string;
}

function advance(pointer: Pointer, w: Width, steps: number): string {
  const {name, bytes} = typeof pointer === 'string' ? {name: pointer, bytes: 4} : pointer;
  return `(local.set ${name} (i32.add (local.get ${name}) (i32.const ${bytes * w.step * steps})))`;
}

/** The loop at width `w`, `steps` bodies a step (2: the pairs' loop). */
function loop(spec: ChannelLoop, w: Width, steps = 1): string {
  const label = steps === 2 ? 'pairs' : w.name;
  const limit = steps === 2 ? spec.pairsLimit! : w.name === 'lanes' ? spec.lanesLimit : spec.limit;
  const bodies = Array.from({length: steps}, (_, i) => spec.body(w, i * w.step * Float32Array.BYTES_PER_ELEMENT));
  return `(block $${label}_done (loop $${label}
  (br_if $${label}_done (i32.ge_u (local.get ${spec.counter}) (local.get ${limit})))
  ${bodies.join('\n  ')}
  ${spec.pointers.map(p => advance(p, w, steps)).join('\n  ')}
  (local.set ${spec.counter} (i32.add (local.get ${spec.counter}) (i32.const ${w.step * steps})))
  (br $${label})))`;
}

/** The loops, widest first: pairs of vectors where `pairsLimit` is given, vectors, then single channels. */
export function lanesThenTail(spec: ChannelLoop): string {
  if (spec.pairsLimit != null && spec.pointers.some(p => typeof p !== 'string' && p.bytes !== 4)) {
    throw new Error('lanesThenTail: the pairs loop takes float32 pointers only');
  }
  const pairs = spec.pairsLimit != null ? `${loop(spec, LANES, 2)}\n` : '';
  return `${pairs}${loop(spec, LANES)}\n${loop(spec, TAIL)}`;
}

/**
 * `for (counter = from; counter < limit; counter += step) body` as
 * WebAssembly text, signed comparison. `from`, `limit` and `step` are
 * expressions; the labels take the counter's name, so nested loops need
 * distinct counters.
 */
export function countUp(counter: string, from: string, limit: string, body: string, step = '(i32.const 1)'): string {
  const label = counter.slice(1);
  return `(local.set ${counter} ${from})
(block $${label}_done (loop $${label}_next
  (br_if $${label}_done (i32.ge_s (local.get ${counter}) ${limit}))
  ${body}
  (local.set ${counter} (i32.add (local.get ${counter}) ${step}))
  (br $${label}_next)))`;
}
