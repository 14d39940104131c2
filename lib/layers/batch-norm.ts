/**
 * TF.js's BatchNormalization with the lab's fused training kernels
 * (tfjs-backend-wasm-train's batchNormTrain) on the backends that have them;
 * everywhere else, and at inference, it is TF.js's layer unchanged. The class name stays
 * 'BatchNormalization', so cost rules and parameter counts see no difference.
 */
import * as tf from '@tensorflow/tfjs';

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

export class LabBatchNormalization extends TfjsBatchNormalization {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormFields;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const axis = Array.isArray(self.axis) ? self.axis[0] : self.axis;
    const lastAxis = axis === -1 || axis === x.rank - 1;
    if (kwargs['training'] !== true || !lastAxis || !self.center || !self.scale || !trainingKernels().batchNormTrainSupported()) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const {y, mean, variance} = trainingKernels().batchNormTrain(x, self.gamma.read() as tf.Tensor1D, self.beta.read() as tf.Tensor1D, self.epsilon);
      // The same moving-average update as TF.js's layer.
      const decay = 1 - self.momentum;
      for (const [moving, value] of [[self.movingMean, mean], [self.movingVariance, variance]] as const) {
        const old = moving.read();
        moving.write(old.sub(old.sub(value).mul(decay)));
      }
      tf.dispose([mean, variance]);
      return y;
    });
  }
}

export function labBatchNormalization(args: BatchNormArgs): tf.layers.Layer {
  return new LabBatchNormalization(args);
}
