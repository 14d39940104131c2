/**
 * Fused gradients of the clipped activations: ReLU6 (Keras's
 * `reLU({maxValue: 6})` is relu followed by ClipByValue(0, 6)), hard
 * swish's `relu6`, and ReLU itself (the band (0, +inf]).
 *
 * TF.js differentiates ClipByValue as where(x >= lo && x <= hi, dy, 0):
 * four kernels and three full-size temporaries (two bool masks and a zeros
 * tensor). On wasm those element-wise kernels are scalar C++; profiling the
 * lab MobileNetV2 showed them at 280 ms of a 1.2 s training step. Here the
 * mask and the select are one pass over the tensor, on wasm (the package's SIMD
 * kernel once loaded, else a JavaScript loop) and cpu; other
 * backends keep TF.js's own formula (they have fast element-wise kernels).
 * ReLU's own gradient, dy * cast(step(x)), is three kernels and two
 * temporaries the same way: Step, Cast and Multiply took 9 ms of chapter
 * 04's 90 ms training step on wasm.
 *
 * One difference from TF.js's formulas: where x is NaN the gradient is 0,
 * not NaN. The forward pass keeps the NaN (kernels/clamp.ts), so it still
 * reaches the loss, where the trainer stops.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {expectShape} from '../wasm/heap';
import {simdKernels} from '../wasm/simd-kernels';
import {KernelAccess, kernelAccessHere, registerAccessKernel} from './kernel-access';

const BAND_GRAD = 'LabBandGrad';

/**
 * dy where x lies in the band, 0 elsewhere (and where x is NaN). `wasm` is
 * the wasm backend, whose SIMD kernel runs the loop once loaded; null on cpu.
 */
function bandGrad(access: KernelAccess, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap,
                  wasm: BackendWasm | null): tf.TensorInfo {
  const {dy, x} = inputs;
  if (dy == null || x == null) throw new Error(`${BAND_GRAD}: needs inputs 'dy' and 'x'`);
  // Checked before the heap is touched: the SIMD loop reads dy as x-shaped float32.
  expectShape(BAND_GRAD, 'dy', dy, x.shape, ' (the shape of x)');
  if (dy.dtype !== 'float32' || x.dtype !== 'float32') throw new Error(`Error in ${BAND_GRAD}: dy and x must be float32, got ${dy.dtype} and ${x.dtype}`);
  const low = attrs['low'] as number, high = attrs['high'] as number;
  const lowInclusive = attrs['lowInclusive'] as boolean;
  const out = access.output(x.shape);
  const kernels = wasm == null ? null : simdKernels(wasm);
  if (kernels != null) {
    const at = (info: tf.TensorInfo) => wasm!.getMemoryOffset(info.dataId);
    kernels.bandGrad(at(dy), at(x), at(out.info), tf.util.sizeFromShape(x.shape), low, high, lowInclusive ? 1 : 0);
    return out.info;
  }
  const DX = out.values, DY = access.read(dy), X = access.read(x);
  // Branch-free: with a ternary, V8 emits a branch that real activations
  // mispredict about half the time (5.5 against 1.1 ns an element). Outside
  // the band this writes 0 * dy, i.e. -0 for a negative dy.
  if (lowInclusive) {
    for (let i = 0; i < X.length; i++) {
      const v = X[i];
      DX[i] = (Number(v >= low) & Number(v <= high)) * DY[i];
    }
  } else {
    for (let i = 0; i < X.length; i++) {
      const v = X[i];
      DX[i] = (Number(v > low) & Number(v <= high)) * DY[i];
    }
  }
  return out.info;
}

function fusedAvailable(x: tf.Tensor): boolean {
  return x.dtype === 'float32' && kernelAccessHere();
}

let registered = false;

interface Band {
  low: number;
  high: number;
  lowInclusive: boolean;
}

/**
 * Registers the gradient of `kernelName` (one input, x) as dy inside `band`
 * of x: the fused kernel where it runs, else `formula` (TF.js's own).
 */
function bandGradient(kernelName: string, band: (attrs: tf.NamedAttrMap) => Band,
                      formula: (x: tf.Tensor, dy: tf.Tensor, band: Band) => tf.Tensor): void {
  tf.registerGradient({
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const grad = dy as tf.Tensor, edges = band(attrs);
      return {x: () => fusedAvailable(x) ?
          tf.engine().runKernel(BAND_GRAD, {dy: grad, x}, {...edges}) as tf.Tensor : formula(x, grad, edges)};
    },
  });
}

/**
 * Registers the fused kernel for wasm and cpu and routes the gradients of
 * ClipByValue, Relu6 and Relu through it there (idempotent). Gradients are global
 * in TF.js, so on other backends the replacement computes TF.js's own
 * formula.
 */
export function registerActivationGradients(): void {
  if (registered) return;
  registerAccessKernel(BAND_GRAD, bandGrad);
  bandGradient('ClipByValue', attrs => ({low: attrs['clipValueMin'] as number, high: attrs['clipValueMax'] as number, lowInclusive: true}),
      (x, dy, {low, high}) => tf.where(tf.logicalAnd(tf.greaterEqual(x, low), tf.lessEqual(x, high)), dy, tf.zerosLike(dy)));
  bandGradient('Relu', () => ({low: 0, high: Infinity, lowInclusive: false}),
      (x, dy) => tf.mul(dy, tf.cast(tf.step(x), 'float32')));
  bandGradient('Relu6', () => ({low: 0, high: 6, lowInclusive: false}),
      (x, dy) => tf.mul(dy, tf.cast(tf.mul(tf.lessEqual(x, 6), tf.step(x)), 'float32')));
  registered = true;
}
