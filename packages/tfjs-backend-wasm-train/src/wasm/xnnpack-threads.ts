/**
 * Small kernel calls without XNNPACK's thread pool.
 *
 * In tfjs-backend-wasm's threaded build every XNNPACK operator splits its
 * work over the pool's threads (pthreadpool), however small the call. On
 * a machine of two vCPUs the hand-off stalls: one small call in ten took
 * 2-3 ms when the pool thread was not already waiting for it
 * (docs/engine.md, "XNNPACK's hand-offs at two threads"), which made the
 * chapters' small networks no faster, or slower, at two threads than at
 * one. pthreadpool runs a call on the calling thread when the pool says it
 * has one thread; so around each kernel call whose largest input is below a
 * threshold, the pool's thread count in the wasm memory is set to 1 and
 * put back after. Calls are synchronous (pthreadpool returns when every
 * thread has finished), so no operator runs while the count changes.
 *
 * Where the count lives is read from the binary: the exported
 * `get_threads_count` loads the pool's pointer from a fixed address and
 * calls pthreadpool_get_threads_count, which loads the count at a fixed
 * offset of the pool. `threadCountLocation` decodes exactly that code and
 * returns null for anything else, and `keepSmallCallsOnCallingThread`
 * checks the location against `get_threads_count` before it changes
 * anything: another build of tfjs-backend-wasm leaves every call as it was.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {OffSwitch} from './off-switch';

/** Where the pool's thread count is: the address of the pool's pointer, and the count's offset in the pool. */
export interface ThreadCountLocation {
  poolPointerAt: number;
  countOffset: number;
}

/** A reader of the binary's bytes: unsigned and signed LEB128, names, bytes. */
class Bytes {
  constructor(readonly bytes: Uint8Array, public at = 0) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw new RangeError('past the end of the binary');
    return this.bytes[this.at++];
  }

  unsigned(): number {
    let value = 0, shift = 0, b: number;
    do {
      b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return value;
  }

  signed(): number {
    let value = 0, shift = 0, b: number;
    do {
      b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return b & 0x40 ? value - 2 ** shift : value;
  }

  name(): string {
    const length = this.unsigned();
    const text = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return text;
  }

  limits(): void {
    const flags = this.unsigned();
    this.unsigned();
    if (flags & 1) this.unsigned();
  }
}

/** The binary's sections by id: [start, end) of each section's content. */
function sections(binary: Uint8Array): Map<number, [number, number]> {
  const r = new Bytes(binary, 8);
  const found = new Map<number, [number, number]>();
  while (r.at < binary.length) {
    const id = r.byte(), size = r.unsigned();
    found.set(id, [r.at, r.at + size]);
    r.at += size;
  }
  return found;
}

const IMPORT = 2, EXPORT = 7, CODE = 10;

/** How many functions the binary imports (the first indices of its function space). */
function importedFunctions(binary: Uint8Array, [start]: [number, number]): number {
  const r = new Bytes(binary, start);
  let functions = 0;
  for (let i = r.unsigned(); i > 0; i--) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0) {
      r.unsigned();
      functions++;
    } else if (kind === 1) {
      r.byte();
      r.limits();
    } else if (kind === 2) {
      r.limits();
    } else if (kind === 3) {
      r.byte();
      r.byte();
    } else {
      throw new Error(`unknown import kind ${kind}`);
    }
  }
  return functions;
}

function exportedFunction(binary: Uint8Array, [start]: [number, number], wanted: string): number | null {
  const r = new Bytes(binary, start);
  for (let i = r.unsigned(); i > 0; i--) {
    const name = r.name(), kind = r.byte(), index = r.unsigned();
    if (name === wanted && kind === 0) return index;
  }
  return null;
}

/** A reader at the first instruction of defined function `index` (its locals skipped). */
function functionBody(binary: Uint8Array, [start]: [number, number], index: number): Bytes {
  const r = new Bytes(binary, start);
  const count = r.unsigned();
  if (index >= count) throw new RangeError(`function ${index} of ${count}`);
  for (let i = 0; i < index; i++) {
    const size = r.unsigned();  // read before r.at is: it moves r.at
    r.at += size;
  }
  r.unsigned();
  for (let groups = r.unsigned(); groups > 0; groups--) {
    r.unsigned();
    r.byte();
  }
  return r;
}

/** Reads `expected`: bytes, or a function reading immediates; false at the first byte that differs. */
function matches(r: Bytes, expected: Array<number | ((r: Bytes) => void)>): boolean {
  for (const step of expected) {
    if (typeof step === 'function') step(r);
    else if (r.byte() !== step) return false;
  }
  return true;
}

const I32_CONST = 0x41, I32_LOAD = 0x28, LOCAL_GET = 0x20, LOCAL_TEE = 0x22, I32_EQZ = 0x45, IF = 0x04, EMPTY = 0x40,
    RETURN = 0x0f, END = 0x0b, CALL = 0x10;

/**
 * Where `binary` (tfjs-backend-wasm's threaded build) keeps its pool's
 * thread count, from its `get_threads_count`:
 *   i32.const A; i32.load offset=a; local.tee; i32.eqz; if (i32.const -1; return); local.get; call F
 * and F (pthreadpool_get_threads_count):
 *   local.get 0; i32.eqz; if (i32.const 1; return); local.get 0; i32.load offset=O
 * Null where the code is anything else.
 */
export function threadCountLocation(binary: Uint8Array): ThreadCountLocation | null {
  try {
    const found = sections(binary);
    const imports = found.get(IMPORT), exports = found.get(EXPORT), code = found.get(CODE);
    if (imports == null || exports == null || code == null) return null;
    const imported = importedFunctions(binary, imports);
    const getter = exportedFunction(binary, exports, 'get_threads_count');
    if (getter == null || getter < imported) return null;
    let pointer = 0, pointerOffset = 0, callee = -1, countOffset = 0;
    const outer = functionBody(binary, code, getter - imported);
    if (!matches(outer, [I32_CONST, r => { pointer = r.signed(); }, I32_LOAD, r => { r.unsigned(); pointerOffset = r.unsigned(); },
                         LOCAL_TEE, r => r.unsigned(), I32_EQZ, IF, EMPTY, I32_CONST, 0x7f, RETURN, END,
                         LOCAL_GET, r => r.unsigned(), CALL, r => { callee = r.unsigned(); }, END])) {
      return null;
    }
    if (callee < imported) return null;
    const inner = functionBody(binary, code, callee - imported);
    if (!matches(inner, [LOCAL_GET, 0, I32_EQZ, IF, EMPTY, I32_CONST, 1, RETURN, END, LOCAL_GET, 0,
                         I32_LOAD, r => { r.unsigned(); countOffset = r.unsigned(); }, END])) {
      return null;
    }
    return {poolPointerAt: pointer + pointerOffset, countOffset};
  } catch {
    return null;
  }
}

/** What the switch needs of the backend: its module's heap and thread count. */
interface WasmModule {
  HEAP32: Int32Array;
  tfjs: {getThreadsCount(): number};
}

/** Off: every kernel call on XNNPACK's whole pool (`withXnnpackPoolOnEveryCall`). */
const smallCallsInline = new OffSwitch();

/** Runs `body` with XNNPACK's pool on every call, small or not: how tests and benchmarks compare the two. */
export function withXnnpackPoolOnEveryCall<T>(body: () => Promise<T> | T): Promise<T> {
  return smallCallsInline.offWhile(body);
}

/**
 * Calls whose largest input has fewer elements than this run on the
 * calling thread: 2^20 (4 MB of floats) did better than 2^16 and 2^18
 * on whole steps at two threads (docs/engine.md, "Small calls on the
 * calling thread"); a stalled hand-off costs 2-3 ms, about what one
 * thread takes to stream 4 MB several times over.
 */
export const SMALL_CALL_ELEMENTS = 2 ** 20;

let installed: {module: WasmModule; countAt: number; threads: number} | null = null;

/**
 * Wraps every kernel registered for wasm so that calls whose inputs are
 * all under `SMALL_CALL_ELEMENTS` elements run XNNPACK on the calling
 * thread. False (and nothing changed) where `location` does not hold the
 * pool's thread count of `backend`, or the pool has one thread anyway.
 * Kernels registered after this runs are not wrapped. Idempotent.
 */
export function keepSmallCallsOnCallingThread(backend: BackendWasm, location: ThreadCountLocation | null): boolean {
  if (installed != null) return true;
  if (location == null) return false;
  const module = (backend as unknown as {wasm: WasmModule}).wasm;
  const threads = module.tfjs.getThreadsCount();
  const pool = module.HEAP32[location.poolPointerAt >> 2];
  if (threads <= 1 || pool === 0 || (pool + location.countOffset) % 4 !== 0) return false;
  const countAt = (pool + location.countOffset) >> 2;
  if (module.HEAP32[countAt] !== threads) return false;
  installed = {module, countAt, threads};
  for (const config of tf.getKernelsForBackend('wasm')) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({...config, kernelFunc: smallCallsOnCallingThreadOf(config.kernelFunc)});
  }
  return true;
}

/**
 * `kernel` running XNNPACK on the calling thread where its inputs are all
 * small, once `keepSmallCallsOnCallingThread` has taken; `kernel` itself
 * before that. How every wasm kernel is wrapped (tests wrap a probe).
 */
export function smallCallsOnCallingThreadOf(kernel: tf.KernelFunc): tf.KernelFunc {
  return args => {
    if (installed == null || smallCallsInline.isOff || !allInputsSmall(args.inputs)) return kernel(args);
    const {module, countAt, threads} = installed;
    // HEAP32 is read at each use: a kernel may grow the memory, which replaces the view.
    module.HEAP32[countAt] = 1;
    try {
      return kernel(args);
    } finally {
      module.HEAP32[countAt] = threads;
    }
  };
}

function allInputsSmall(inputs: tf.NamedTensorInfoMap): boolean {
  for (const name in inputs) {
    const info = inputs[name];
    if (info != null && tf.util.sizeFromShape(info.shape) >= SMALL_CALL_ELEMENTS) return false;
  }
  return true;
}

/** Whether small calls run on the calling thread in this process (tests check it took). */
export function smallCallsOnCallingThread(): boolean {
  return installed != null && !smallCallsInline.isOff;
}
