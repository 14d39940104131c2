/**
 * The package's kernels for tfjs-backend-wasm 4.22: what it lacks for training
 * (conv filter gradient, depthwise gradients), what it gets wrong
 * (MaxPoolGrad), and what it does slowly (transposed matmul, conv input
 * gradient, batch-norm reductions and broadcasts). docs/kernels.md keeps the
 * table of kernels x backends.
 */
import * as tf from '@tensorflow/tfjs-core';

import {WasmKernel, registerWasmKernel, stockKernel} from '../wasm/heap';
import {clampKernel} from './clamp';
import {concatKernel, splitVKernel} from './concat-split';
import {captureStockBackpropInput, captureStockConv, conv2DBackpropFilter, conv2DBackpropInput} from './conv-grads';
import {directConvKernels} from './direct-conv';
import {captureStockDepthwise, depthwiseBackpropFilter, depthwiseBackpropInput} from './depthwise-grads';
import {sharingCast, sharingIdentity} from './identity';
import {depthwiseConvKernels} from './depthwise-conv';
import {batchMatMulKernel, captureStockMatMul, fusedMatMulKernel} from './matmul';
import {avgPoolGradKernel, maxPoolGrad, maxPoolKernel} from './pooling';
import {contiguousAxesReduce, rowTile} from './reductions';
import {smallBinary} from './small-binary';

/** Kernel name -> why the package replaces or adds it. */
export const WASM_KERNELS: Readonly<Record<string, string>> = {
  Conv2DBackpropFilter: 'missing in tfjs-backend-wasm 4.22',
  DepthwiseConv2dNativeBackpropFilter: 'missing in tfjs-backend-wasm 4.22',
  DepthwiseConv2dNativeBackpropInput: 'missing in tfjs-backend-wasm 4.22 (lab: SIMD taps into dx, or a wasm depthwise conv of the spread dy)',
  MaxPool: 'gives -Infinity in tfjs-backend-wasm 4.22 for a window whose first value is NaN (cpu takes the largest of the others), and reads outside the input where explicit padding gives a fractional output size (lab: cpu\'s rule, SIMD)',
  MaxPoolGrad: 'wrong gradients in tfjs-backend-wasm 4.22',
  AvgPoolGrad: 'stock kernel is scalar (lab: SIMD)',
  BatchMatMul: 'transposed operands take a ~20x slower scalar path; small products wait for XNNPACK\'s pool thread at two threads (lab: up to 2^17 multiply-adds on the calling thread)',
  _FusedMatMul: 'as BatchMatMul\'s small products (a dense layer\'s forward pass; lab: without activation or with ReLU)',
  Conv2DBackpropInput: 'stock kernel is a direct scalar loop',
  Sum: 'reductions over leading or middle axes (batch norm\'s [0, 1, 2], a global average pool\'s [1, 2]) transpose first',
  Mean: 'as Sum',
  Tile: 'per-element tiling of [1,1,1,C] rows',
  Concat: 'a typed-array object allocated per row: slow for channel concatenations',
  SplitV: 'a typed-array object allocated per row: slow for channel splits',
  Identity: 'copies the tensor (cpu and webgl share it); tf.customGrad clones everything it saves',
  Cast: 'copies the tensor even to the dtype it has (cpu shares it); TF.js\'s gradients of Identity and Multiply cast float32 to float32',
  Relu: 'an XNNPACK operator on the thread pool: at two threads each call waits for the pool thread (lab: SIMD on the calling thread)',
  Relu6: 'as Relu',
  ClipByValue: 'as Relu',
  Multiply: 'an XNNPACK operator on the thread pool: at two threads a small product waits for the pool thread (lab: small outputs on the calling thread)',
  Add: 'as Multiply',
  Sub: 'as Multiply',
  Conv2D: 'XNNPACK\'s 3x3 convolutions run at about half the package\'s generated kernel (2 pixels x 16 channels in registers, fused multiply-add) where it covers the shape',
  FusedConv2D: 'as Conv2D (bias and ReLU applied as it stores)',
  DepthwiseConv2dNative: 'XNNPACK\'s 3x3 depthwise convolution took 0.67 ms at [64, 14, 14, 32], stride 1, inside training steps; the package\'s, generated per image size without a padded copy, 0.33 alone (one thread)',
};

let registered = false;
const stockKernels = new Map<string, WasmKernel | null>();

/**
 * Runs `body` with the stock tfjs-backend-wasm kernel `kernelName` in place
 * of the package's (tests use it to show why a replacement is still needed).
 */
export async function withStockWasmKernel<T>(kernelName: string, body: () => Promise<T> | T): Promise<T> {
  const stock = stockKernels.get(kernelName);
  if (stock == null) throw new Error(`tfjs-backend-wasm has no stock '${kernelName}' kernel`);
  const ours = tf.getKernel(kernelName, 'wasm')!.kernelFunc as unknown as WasmKernel;
  registerWasmKernel(kernelName, stock);
  try {
    return await body();
  } finally {
    registerWasmKernel(kernelName, ours);
  }
}

/** Registers the package's wasm kernels once per process (before setBackend). */
export function registerLabWasmKernels(): void {
  if (registered) return;
  if (tf.getKernel('BatchMatMul', 'wasm') == null) {
    throw new Error("import @tensorflow/tfjs-backend-wasm before registering tfjs-backend-wasm-train's kernels");
  }
  // Wrappers capture the stock kernels now, before ours replace them.
  captureStockMatMul();
  captureStockDepthwise();
  captureStockConv();
  captureStockBackpropInput();
  const direct = directConvKernels();
  const depthwise = depthwiseConvKernels();
  const kernels: Record<keyof typeof WASM_KERNELS, WasmKernel> = {
    Conv2DBackpropFilter: conv2DBackpropFilter,
    DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
    DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
    MaxPool: maxPoolKernel(),
    MaxPoolGrad: maxPoolGrad,
    AvgPoolGrad: avgPoolGradKernel(),
    BatchMatMul: batchMatMulKernel,
    _FusedMatMul: fusedMatMulKernel(stockKernel('_FusedMatMul')),
    Conv2DBackpropInput: conv2DBackpropInput,
    Sum: contiguousAxesReduce('Sum'),
    Mean: contiguousAxesReduce('Mean'),
    Tile: rowTile(),
    Concat: concatKernel(),
    SplitV: splitVKernel(),
    Identity: sharingIdentity(stockKernel('Identity')),
    Cast: sharingCast(stockKernel('Cast')),
    Relu: clampKernel('Relu'),
    Relu6: clampKernel('Relu6'),
    ClipByValue: clampKernel('ClipByValue'),
    Multiply: smallBinary('Multiply'),
    Add: smallBinary('Add'),
    Sub: smallBinary('Sub'),
    Conv2D: direct.Conv2D,
    FusedConv2D: direct.FusedConv2D,
    DepthwiseConv2dNative: depthwise.DepthwiseConv2dNative,
  };
  for (const [name, kernel] of Object.entries(kernels)) {
    stockKernels.set(name, (tf.getKernel(name, 'wasm')?.kernelFunc as unknown as WasmKernel | undefined) ?? null);
    registerWasmKernel(name, kernel);
  }
  registered = true;
}
