/**
 * Identity that shares the tensor's memory, as the cpu and webgl backends
 * do, instead of copying it (tfjs-backend-wasm 4.22). tf.customGrad clones
 * every tensor it saves for the backward pass through Identity, so on wasm
 * each fused convolution and batch-norm layer copied its input and output on
 * every training step (12 ms of a 270 ms MobileNet v1 step). Sharing is
 * safe for the same reason Reshape already shares there: kernels never write
 * into their inputs, and the backend frees memory by reference count.
 *
 * The saved tensors' clones themselves, on wasm, skip the kernel call
 * (`shareSavedTensors`): TF.js's engine (tfjs-core 4.22, Engine.clone)
 * saves every tensor a gradient needs, of every kernel and every
 * tf.customGrad, by running Identity and recording a tape node for it; in
 * a training step a third or more of the kernel calls were these clones
 * (chapter 01's network: 357 of 915 a step), each paying the engine's
 * bookkeeping for a kernel call.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {WasmKernel, input} from '../wasm/heap';
import {OffSwitch} from '../wasm/off-switch';

export function sharingIdentity(stock: WasmKernel): WasmKernel {
  return args => {
    const x = input(args.inputs, 'x');
    // Strings live outside the heap; the stock kernel handles them.
    if (x.dtype === 'string') return stock(args);
    args.backend.incRef(x.dataId);
    return {dataId: x.dataId, shape: x.shape, dtype: x.dtype};
  };
}

/**
 * Cast to the dtype the tensor has already shares it too, as cpu's Cast
 * does; the stock kernel copies. TF.js's gradients cast to float32 what is
 * float32 already: Identity's casts dy (and tfjs-layers' add layer starts
 * its sum from a clone of its first input, so each residual connection
 * copied its gradient), Multiply's casts the other operand.
 */
export function sharingCast(stock: WasmKernel): WasmKernel {
  const share = sharingIdentity(stock);
  return args => {
    const x = input(args.inputs, 'x');
    const dtype = args.attrs['dtype'] as tf.DataType;
    if (x.dtype === dtype) return share(args);
    if (dtype === 'bool' && x.dtype !== 'string') return castToBool(args.backend, x);
    return stock(args);
  };
}

/** Any non-zero as 1: the stock kernel stores the number's low byte (-2 became 254, 256 became 0), unlike cpu. */
function castToBool(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  const out = backend.makeOutput(x.shape, 'bool');
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  for (let i = 0; i < from.length; i++) to[i] = from[i] !== 0 ? 1 : 0;
  return out;
}

/** What `shareSavedTensors` needs of tfjs-core's engine (4.22): public members its JavaScript has, not in its typings. */
interface EngineInternals {
  clone(x: tf.Tensor): tf.Tensor;
  state: {gradientDepth: number; tensorInfo: {get(dataId: tf.DataId): {backend: tf.KernelBackend} | undefined}};
  makeTensorFromDataId(dataId: tf.DataId, shape: number[], dtype: tf.DataType, backend: tf.KernelBackend): tf.Tensor;
  /** The initialised backends by name (tf.findBackend would initialise one that is not). */
  registry: Record<string, tf.KernelBackend | undefined>;
}

/** Off: every clone through the stock Engine.clone (`withStockClones`). */
const sharedClones = new OffSwitch();

/** Runs `body` with TF.js's own clones of saved tensors: how tests and benchmarks compare the two. */
export function withStockClones<T>(body: () => Promise<T> | T): Promise<T> {
  return sharedClones.offWhile(body);
}

let installed = false;

/**
 * Makes the engine's clones of saved tensors on wasm what the package's
 * Identity would return, a second reference to the same memory, without
 * the kernel call and without the clone's tape node. That node only carries
 * a gradient into the saved tensor, which a backward pass reads but never
 * differentiates unless it is itself being recorded (a gradient of a
 * gradient): there, where gradients nest (gradientDepth above 1), and on
 * every other backend, the stock clone runs. Idempotent.
 */
export function shareSavedTensors(): void {
  if (installed) return;
  installed = true;
  const engine = tf.engine() as unknown as EngineInternals;
  const stockClone = engine.clone;
  engine.clone = function (this: EngineInternals, x: tf.Tensor): tf.Tensor {
    const backend = this.state.tensorInfo.get(x.dataId)?.backend;
    if (sharedClones.isOff || this.state.gradientDepth > 1 || x.dtype === 'string' || backend == null ||
        backend !== this.registry['wasm']) {
      return stockClone.call(this, x);
    }
    backend.incRef(x.dataId);
    return this.makeTensorFromDataId(x.dataId, x.shape, x.dtype, backend);
  };
}
