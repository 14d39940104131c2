/**
 * TF.js's BatchNormalization with the lab's fused training kernels
 * (tfjs-backend-wasm-train's batchNormTrain) on the backends that have them;
 * everywhere else, and at inference, it is TF.js's layer unchanged. The class name stays
 * 'BatchNormalization', so cost rules and parameter counts see no difference.
 *
 * Where `fuseBatchNormActivations` (activation-fusion.ts) has found that the
 * layer's only consumer is a ReLU, training also applies that ReLU in the
 * same kernels, and the ReLU layer passes the result on (`LabReLU`).
 */
import * as tf from '@tensorflow/tfjs';
import type {FusedActivation} from 'tfjs-backend-wasm-train';

import {trainingKernels} from '../engine/backends/training-kernels';

type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;

/** TF.js does not export the class itself; its instances know it. */
const TfjsBatchNormalization = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as
    new (args?: BatchNormArgs) => tf.layers.Layer;

/** The fields of TF.js's layer this subclass reads (private in its typings). */
interface BatchNormFields {
  axis: number | number[];
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/** Training outputs of batch-norm layers that applied their ReLU already: `LabReLU` passes these on unchanged. */
const activatedOutputs = new WeakSet<tf.Tensor>();

/** Whether `x` is a batch-norm layer's output with its ReLU applied (see the module comment). */
export function activatedByBatchNorm(x: tf.Tensor): boolean {
  return activatedOutputs.has(x);
}

let pairsSeparate = false;

/** Runs `body` with every paired ReLU computed by its own layer again: how benchmarks compare the two in one process. */
export async function withSeparateActivations<T>(body: () => Promise<T> | T): Promise<T> {
  const before = pairsSeparate;
  pairsSeparate = true;
  try {
    return await body();
  } finally {
    pairsSeparate = before;
  }
}

export class LabBatchNormalization extends TfjsBatchNormalization {
  /** The ReLU after this layer, applied in its training kernels; set by `fuseBatchNormActivations`, not saved. */
  fusedActivation: FusedActivation | null = null;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormFields;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const axis = Array.isArray(self.axis) ? self.axis[0] : self.axis;
    const lastAxis = axis === -1 || axis === x.rank - 1;
    if (kwargs['training'] !== true || !lastAxis || !self.center || !self.scale || !trainingKernels().batchNormTrainSupported()) {
      return super.call(inputs, kwargs);
    }
    const activation = pairsSeparate ? undefined : this.fusedActivation ?? undefined;
    return tf.tidy(() => {
      // The kernel also returns the moving averages updated as TF.js's layer updates them.
      const {y, mean, variance, movingMean, movingVariance} = trainingKernels().batchNormTrain(
          x, self.gamma.read() as tf.Tensor1D, self.beta.read() as tf.Tensor1D, self.epsilon,
          {mean: self.movingMean.read() as tf.Tensor1D, variance: self.movingVariance.read() as tf.Tensor1D, momentum: self.momentum},
          activation);
      if (activation != null) activatedOutputs.add(y);
      self.movingMean.write(movingMean!);
      self.movingVariance.write(movingVariance!);
      // The variables now hold their own references; these were kept out of the tidy.
      tf.dispose([mean, variance, movingMean!, movingVariance!]);
      return y;
    });
  }
}

export function labBatchNormalization(args: BatchNormArgs): tf.layers.Layer {
  return new LabBatchNormalization(args);
}
