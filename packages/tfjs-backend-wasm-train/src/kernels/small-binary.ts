/**
 * Multiply, Add and Sub of small float32 tensors on the calling thread.
 *
 * tfjs-backend-wasm runs these as XNNPACK operators on its thread pool. At
 * two threads a call with a few hundred elements waits for the pool thread,
 * which after one of the lab's longer single-threaded kernels has gone to
 * sleep: the softmax cross-entropy gradient's [64, 1] x [64, 10] took
 * 0.7-3 ms a call against 0.03 ms at one thread (docs/engine.md, "Threads").
 * Up to SMALL_OUTPUT elements a plain loop here costs microseconds; larger
 * outputs stay XNNPACK's.
 *
 * A float32 sum, difference or product computed in float64 and stored as
 * float32 is the correctly rounded float32 result, as XNNPACK's is.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import {WasmKernel, heapF32, input, stockKernel} from '../wasm/heap';

/** Outputs up to this many elements run here (a JavaScript loop of a few ns an element: at most about 10 us). */
export const SMALL_OUTPUT = 2048;

/** The element-wise operations this file serves. */
export type SmallBinaryOp = 'Multiply' | 'Add' | 'Sub';

/** Each output axis's step through `shape` (right-aligned), 0 where `shape` broadcasts along it. */
function broadcastSteps(shape: readonly number[], outShape: readonly number[]): number[] {
  const steps = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let d = shape.length - 1, o = outShape.length - 1; d >= 0; d--, o--) {
    steps[o] = shape[d] === 1 ? 0 : stride;
    stride *= shape[d];
  }
  return steps;
}

/**
 * The kernel for `op`; `stock` (by default the registered one, XNNPACK's)
 * serves other dtypes and larger outputs.
 */
export function smallBinary(op: SmallBinaryOp, stock: WasmKernel = stockKernel(op)): WasmKernel {
  // One loop for the three: the comparison is on a constant, so the branch is always predicted.
  const code = op === 'Multiply' ? 0 : op === 'Add' ? 1 : 2;
  return args => {
    const backend = args.backend as BackendWasm;
    const a = input(args.inputs, 'a'), b = input(args.inputs, 'b');
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const size = tf.util.sizeFromShape(outShape);
    if (size > SMALL_OUTPUT) return stock(args);
    const out = backend.makeOutput(outShape, 'float32');
    if (size === 0) return out;
    const A = heapF32(backend, a), B = heapF32(backend, b), O = heapF32(backend, out);
    const rank = outShape.length;
    const aSteps = broadcastSteps(a.shape, outShape), bSteps = broadcastSteps(b.shape, outShape);
    const index = new Array<number>(rank).fill(0);
    let ai = 0, bi = 0;
    for (let o = 0; o < size; o++) {
      O[o] = code === 0 ? A[ai] * B[bi] : code === 1 ? A[ai] + B[bi] : A[ai] - B[bi];
      // Odometer over the output's axes, last fastest.
      for (let d = rank - 1; d >= 0; d--) {
        ai += aSteps[d];
        bi += bSteps[d];
        if (++index[d] < outShape[d]) break;
        ai -= aSteps[d] * outShape[d];
        bi -= bSteps[d] * outShape[d];
        index[d] = 0;
      }
    }
    return out;
  };
}
