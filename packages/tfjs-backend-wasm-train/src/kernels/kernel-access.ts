/**
 * How the kernels written once in JavaScript reach each backend's
 * memory: wasm tensors live in the wasm heap, cpu tensors in typed arrays.
 * Shared by the fused batch-norm, activation-gradient and grouped-convolution kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

export interface KernelAccess {
  /** The tensor's values, in place (a view; re-take it after allocating). */
  read(info: tf.TensorInfo): Float32Array;
  /** Allocates an output and a writable view of it. */
  output(shape: number[]): {info: tf.TensorInfo; values: Float32Array};
}

function wasmAccess(backend: unknown): KernelAccess {
  const b = backend as {makeOutput(s: number[], d: string): tf.TensorInfo; typedArrayFromHeap(i: tf.TensorInfo): Float32Array};
  return {
    read: info => b.typedArrayFromHeap(info),
    output: shape => {
      const info = b.makeOutput(shape, 'float32');
      // A getter: the heap may grow (and detach old views) between calls.
      return {info, get values() { return b.typedArrayFromHeap(info); }};
    },
  };
}

function cpuAccess(backend: unknown): KernelAccess {
  const b = backend as {data: {get(id: object): {values: Float32Array}}; makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo};
  return {
    read: info => b.data.get(info.dataId).values,
    output: shape => {
      const values = new Float32Array(shape.reduce((a, c) => a * c, 1));
      return {info: b.makeTensorInfo(shape, 'float32', values), values};
    },
  };
}

/** Backends the JavaScript kernels run on, by name. */
export const KERNEL_ACCESS: Readonly<Record<string, (backend: unknown) => KernelAccess>> = {wasm: wasmAccess, cpu: cpuAccess};

/** True when the current TF.js backend runs the package's JavaScript kernels. */
export function kernelAccessHere(): boolean {
  return tf.getBackend() in KERNEL_ACCESS;
}

/**
 * A kernel written once: its backend's memory, and on wasm the backend
 * itself (for the package's SIMD kernels; null on cpu).
 */
export type AccessKernel = (access: KernelAccess, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap,
                            wasm: BackendWasm | null) => tf.TensorInfo | tf.TensorInfo[];

/** Registers `kernel` as `kernelName` on every backend in KERNEL_ACCESS. */
export function registerAccessKernel(kernelName: string, kernel: AccessKernel): void {
  for (const [backendName, access] of Object.entries(KERNEL_ACCESS)) {
    tf.registerKernel({
      kernelName, backendName,
      kernelFunc: ({inputs, backend, attrs}) => kernel(access(backend), inputs, attrs ?? {},
          backendName === 'wasm' ? backend as BackendWasm : null),
    });
  }
}
