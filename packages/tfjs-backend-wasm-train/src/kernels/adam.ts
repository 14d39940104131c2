/**
 * Adam's update of a variable as one kernel, and the optimizer that uses it.
 *
 * TF.js's AdamOptimizer updates each variable with about a dozen kernels
 * (mul, add, square, div, sqrt, ...), each allocating a full-size
 * temporary. On wasm and cpu every kernel call costs tens of microseconds
 * of TF.js's bookkeeping besides its arithmetic: 5-8 ms of a 60-80 ms
 * training step on the chapters' small networks (measured 2026-12-03, one
 * thread). `LabAdamUpdate` computes the same float32 operations, in the
 * same order, in one pass: the package's SIMD kernel on wasm once loaded, a
 * JavaScript loop otherwise. On other backends (webgpu, tensorflow) the
 * optimizer is TF.js's own.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {expectShape} from '../wasm/heap';
import {simdKernels} from '../wasm/simd-kernels';
import {KernelAccess, registerAccessKernel} from './kernel-access';

export const ADAM_UPDATE = 'LabAdamUpdate';

/** The step's constants; correctionK is 1 - betaK^t at step t (from 1). */
export interface AdamStep {
  rate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  correction1: number;
  correction2: number;
}

/** [value', m', v'] from value, m, v and the gradient g, all float32 of one shape. */
function adamUpdate(access: KernelAccess, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap,
                    wasm: BackendWasm | null): tf.TensorInfo[] {
  const {value, m, v, g} = inputs;
  if (value == null || m == null || v == null || g == null) throw new Error(`${ADAM_UPDATE}: needs inputs 'value', 'm', 'v' and 'g'`);
  for (const [name, info] of Object.entries({m, v, g})) expectShape(ADAM_UPDATE, name, info, value.shape, ' (the variable\'s shape)');
  for (const [name, info] of Object.entries({value, m, v, g})) {
    if (info.dtype !== 'float32') throw new Error(`Error in ${ADAM_UPDATE}: ${name} must be float32, got ${info.dtype}`);
  }
  const step = attrs as unknown as AdamStep;
  const n = tf.util.sizeFromShape(value.shape);
  const outputs = [access.output(value.shape), access.output(value.shape), access.output(value.shape)];
  const kernels = wasm == null ? null : simdKernels(wasm);
  if (kernels != null) {
    const at = (info: tf.TensorInfo) => wasm!.getMemoryOffset(info.dataId);
    kernels.adamUpdate(at(value), at(m), at(v), at(g), at(outputs[0].info), at(outputs[1].info), at(outputs[2].info), n,
        step.beta1, step.beta2, 1 - step.beta1, 1 - step.beta2, step.correction1, step.correction2, step.epsilon, -step.rate);
    return outputs.map(o => o.info);
  }
  // Math.fround after every operation: float32 arithmetic, as TF.js's kernels and the SIMD kernel do it.
  const f = Math.fround;
  const beta1 = f(step.beta1), beta2 = f(step.beta2), oneMinus1 = f(1 - step.beta1), oneMinus2 = f(1 - step.beta2);
  const c1 = f(step.correction1), c2 = f(step.correction2), eps = f(step.epsilon), negativeRate = f(-step.rate);
  const [valueOut, mOut, vOut] = outputs.map(o => o.values);
  const V = access.read(value), M = access.read(m), S = access.read(v), G = access.read(g);
  for (let i = 0; i < n; i++) {
    const gi = G[i];
    const mi = f(f(M[i] * beta1) + f(gi * oneMinus1));
    const vi = f(f(S[i] * beta2) + f(f(gi * gi) * oneMinus2));
    mOut[i] = mi;
    vOut[i] = vi;
    valueOut[i] = f(f(f(f(mi / c1) / f(f(Math.sqrt(f(vi / c2))) + eps)) * negativeRate) + V[i]);
  }
  return outputs.map(o => o.info);
}

let registered = false;

/** Registers LabAdamUpdate for wasm and cpu (idempotent). */
export function registerAdamKernel(): void {
  if (registered) return;
  registerAccessKernel(ADAM_UPDATE, adamUpdate);
  registered = true;
}

/**
 * tf.train.adam with each variable's update as one LabAdamUpdate kernel
 * where the backend has it. Its state (the moments, the step count) and its
 * saved weights are AdamOptimizer's, so a checkpoint written by one loads
 * into the other.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    super(learningRate, beta1, beta2, epsilon ?? undefined);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (tf.getKernel(ADAM_UPDATE, tf.getBackend()) == null) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as {
      accumulatedFirstMoment: Array<{originalName: string; variable: tf.Variable}>;
      accumulatedSecondMoment: Array<{originalName: string; variable: tf.Variable}>;
      accBeta1: tf.Variable; accBeta2: tf.Variable;
    };
    const pairs: Array<readonly [string, tf.Tensor | undefined]> = Array.isArray(variableGradients) ?
        variableGradients.map(({name, tensor}) => [name, tensor] as const) : Object.entries(variableGradients);
    // Step t = iterations + 1; AdamOptimizer keeps beta^t in accBeta (float32), here it is computed.
    const t = this.iterations + 1;
    const step: AdamStep = {
      rate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon,
      correction1: 1 - this.beta1 ** t, correction2: 1 - this.beta2 ** t,
    };
    tf.tidy(() => {
      pairs.forEach(([name, gradient], i) => {
        const value = tf.engine().registeredVariables[name];
        self.accumulatedFirstMoment[i] ??= {originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false))};
        self.accumulatedSecondMoment[i] ??= {originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false))};
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i].variable, v = self.accumulatedSecondMoment[i].variable;
        const [newValue, newM, newV] = tf.engine().runKernel(
            ADAM_UPDATE, {value, m, v, g: gradient}, step as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      // Unused here, but kept as AdamOptimizer keeps them: a step on a backend without the kernel falls back to it.
      self.accBeta1.assign(tf.mul(self.accBeta1, this.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
