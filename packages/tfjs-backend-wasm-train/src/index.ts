/**
 * tfjs-backend-wasm-train: one import makes TF.js's WebAssembly backend
 * train convolutional networks.
 *
 *   import * as tf from '@tensorflow/tfjs';
 *   import 'tfjs-backend-wasm-train';
 *   await tf.setBackend('wasm');
 *
 * Importing it imports @tensorflow/tfjs-backend-wasm (which registers the
 * 'wasm' backend) and registers, on that backend, the kernels a training
 * step needs that 4.22 lacks or gets wrong, and faster ones for kernels it
 * runs slowly (WASM_KERNELS says which and why). The kernels run as
 * WebAssembly SIMD inside the backend's own memory, with JavaScript loops
 * where SIMD kernels cannot load. Also registered, on wasm and cpu:
 * fused kernels behind `batchNormTrain`, `groupConv2d` and
 * `FusedAdamOptimizer`, the gradients of Relu, Relu6 and ClipByValue as
 * one kernel, and Mean's gradient as one kernel. On wasm the engine's
 * clones of the tensors a gradient saves share their memory without a
 * kernel call (kernels/identity.ts).
 */
import '@tensorflow/tfjs-backend-wasm';

import {registerActivationGradients} from './kernels/activation-grads';
import {registerAdamKernel} from './kernels/adam';
import {registerBatchNormKernels} from './kernels/batch-norm';
import {registerGroupConvKernels} from './kernels/grouped-conv-kernel';
import {registerMeanGradient} from './kernels/mean-grad';
import {shareSavedTensors} from './kernels/identity';
import {registerLabWasmKernels} from './kernels/wasm-replacements';

export {WASM_KERNELS} from './kernels/wasm-replacements';
export {withStockClones} from './kernels/identity';
export {FusedAdamOptimizer} from './kernels/adam';
export {batchNormTrain, batchNormTrainSupported, type BatchNormTrainResult, type FusedActivation} from './kernels/batch-norm';
export {GROUP_CONV, groupConv2dKernel as groupConv2d, groupConvKernelHere, groupConvOnGeneratedTiles, groupConvSimdHere} from './kernels/grouped-conv-kernel';
export {kernelBinary, kernelBuild, memoryOf as wasmMemoryOf, prepareSimdKernels, usingFusedKernels, useWabt} from './wasm/simd-kernels';
export {POOL_KERNELS, useKernelPool, type KernelPool, type PoolKernel, type PoolTask} from './wasm/kernel-pool';
export {relaxedSimdSupported} from './wasm/fused-multiply-add';
export type {WabtModule} from './wasm/wat-assembly';

/**
 * Registers every kernel the package has (idempotent; importing the
 * package has already done it). Needs @tensorflow/tfjs-backend-wasm's
 * own kernels registered first, which importing it does.
 */
export function registerTrainingKernels(): void {
  registerLabWasmKernels();
  registerActivationGradients();
  registerAdamKernel();
  registerBatchNormKernels();
  registerGroupConvKernels();
  registerMeanGradient();
  shareSavedTensors();
}

registerTrainingKernels();
