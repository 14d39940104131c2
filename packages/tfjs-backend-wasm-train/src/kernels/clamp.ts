/**
 * ReLU, ReLU6 and ClipByValue as one SIMD pass on the calling thread.
 *
 * tfjs-backend-wasm runs them as XNNPACK operators on its thread pool. At
 * two threads that hands every call's few microseconds of work to the pool
 * thread and waits for it: inside a training step ReLU took three to six
 * times its one-thread time (chapter 01's Inception 3.0 -> 12.4 ms a step,
 * Xception 1.8 -> 12.0 ms; docs/engine.md, "Threads"). A pass over memory
 * gains nothing from the second core, so it stays on the calling one.
 *
 * NaN passes through all three (as on the cpu backend); stock wasm gave 0
 * for ReLU6 and the lower bound for ClipByValue (TF.js's "propagates NaNs"
 * specs failed there). ReLU of -0 is -0 here, +0 on cpu: equal as numbers.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import {WasmKernel, heapF32, input, stockKernel} from '../wasm/heap';
import {simdKernels} from '../wasm/simd-kernels';

export type ClampKernelName = 'Relu' | 'Relu6' | 'ClipByValue';

function bounds(kernelName: ClampKernelName, attrs: tf.NamedAttrMap): [number, number] {
  if (kernelName === 'Relu') return [0, Infinity];
  if (kernelName === 'Relu6') return [0, 6];
  return [attrs['clipValueMin'] as number, attrs['clipValueMax'] as number];
}

/**
 * The kernel for `kernelName` on float32 tensors; the stock one serves other
 * dtypes. Until the SIMD kernels load, a JavaScript loop of the same selects.
 */
export function clampKernel(kernelName: ClampKernelName): WasmKernel {
  const stock = stockKernel(kernelName);
  return args => {
    const backend = args.backend as BackendWasm;
    const x = input(args.inputs, 'x');
    if (x.dtype !== 'float32') return stock(args);
    const [low, high] = bounds(kernelName, args.attrs);
    const out = backend.makeOutput(x.shape, 'float32');
    const size = tf.util.sizeFromShape(x.shape);
    if (size === 0) return out;
    const kernels = simdKernels(backend);
    if (kernels != null) {
      kernels.clamp(backend.getMemoryOffset(x.dataId), backend.getMemoryOffset(out.dataId), size, low, high);
      return out;
    }
    const X = heapF32(backend, x), O = heapF32(backend, out);
    for (let i = 0; i < size; i++) {
      const v = X[i] < low ? low : X[i];
      O[i] = high < v ? high : v;
    }
    return out;
  };
}
