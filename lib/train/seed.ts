/**
 * Deterministic weights for a seed. TF.js has no global random seed, so
 * every kernel is re-drawn from its layer's default initialiser family
 * (Glorot uniform, as tf.layers uses) with a per-weight seed.
 */
import * as tf from '@tensorflow/tfjs';

const KERNEL_NAMES = /(^|\/)(kernel|depthwise_kernel|pointwise_kernel|embeddings)$/;

export function seedWeights(model: tf.LayersModel, seed: number): void {
  let index = 0;
  for (const layer of model.layers) {
    for (const weight of layer.trainableWeights) {
      index++;
      const baseName = weight.originalName ?? weight.name;
      if (!KERNEL_NAMES.test(baseName.replace(/_\d+$/, ''))) continue;
      const shape = weight.shape as number[];
      const value = tf.tidy(() => tf.initializers.glorotUniform({seed: seed * 100003 + index}).apply(shape) as tf.Tensor);
      weight.write(value);
      value.dispose();
    }
  }
}
