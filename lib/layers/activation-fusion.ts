/**
 * Batch norm and the ReLU after it as one pair of kernels in training.
 * A ReLU pass forward and its gradient's pass backward each read and write
 * the whole tensor; inside batch norm's kernels the clamp is one more
 * instruction as the output is stored, and the gradient's mask is computed
 * from x, which those kernels read anyway. The results are the same bits
 * (test/engine/kernels/batch-norm-activation.test.ts).
 *
 * The model keeps its layers: `LabReLU` is TF.js's ReLU (class name 'ReLU')
 * that passes on a tensor its batch norm has already activated and
 * computes the ReLU otherwise. `fuseBatchNormActivations` pairs the layers
 * of a model where that is safe; the trainer calls it, as it calls
 * skipImageGradients.
 */
import * as tf from '@tensorflow/tfjs';

import {LabBatchNormalization, activatedByBatchNorm} from './batch-norm';

type ReLUArgs = NonNullable<Parameters<typeof tf.layers.reLU>[0]>;

/** TF.js does not export the class itself; its instances know it. */
const TfjsReLU = Object.getPrototypeOf(tf.layers.reLU({})).constructor as new (args?: ReLUArgs) => tf.layers.Layer;

export class LabReLU extends TfjsReLU {
  /** TF.js's ReLU keeps its cap here (null: none). */
  declare maxValue: number | null;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    // Layer.apply hands the same tensor on as a new one (a clone sharing its memory).
    if (activatedByBatchNorm(x)) return x;
    return super.call(inputs, kwargs);
  }
}

/** A ReLU (capped at `maxValue` where given) that batch norm before it can apply. */
export function labReLU(args: ReLUArgs = {}): LabReLU {
  return new LabReLU(args);
}

/**
 * Pairs each LabBatchNormalization of `model` with the LabReLU after it
 * where the batch norm is applied once, its output goes to that ReLU only
 * (no other layer, not a model output) and the ReLU is applied once; returns
 * how many pairs. A pair computes the same values either way; calling it
 * again changes nothing more.
 */
export function fuseBatchNormActivations(model: tf.LayersModel): number {
  let paired = 0;
  for (const layer of model.layers) {
    if (!(layer instanceof LabBatchNormalization) || layer.inboundNodes.length !== 1 || layer.outboundNodes.length !== 1) continue;
    const consumer = layer.outboundNodes[0].outboundLayer;
    if (!(consumer instanceof LabReLU) || consumer.inboundNodes.length !== 1) continue;
    if (model.outputs.some(output => output.sourceLayer === layer)) continue;
    layer.fusedActivation = {low: 0, high: consumer.maxValue ?? Infinity};
    paired++;
  }
  return paired;
}
