/**
 * Deterministic weights for a seed. TF.js has no global random seed, so
 * every kernel is re-drawn from its layer's default initialiser family
 * (Glorot uniform, as tf.layers uses) with a seed made from the run's seed
 * and the weight's name. By name, not by position: two networks compared
 * at one seed (a 5x5 branch against two 3x3) start their shared layers
 * (same name, same shape) from the same weights, so the comparison is
 * paired and what they share cancels in the difference.
 */
import * as tf from '@tensorflow/tfjs';

const KERNEL_NAMES = /(^|\/)(kernel|depthwise_kernel|pointwise_kernel|embeddings)$/;

/** FNV-1a, 32 bits: a stable number for a name (the same in every process and engine). */
export function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The initialiser seed of the weight named `weightName` (a second build of a
 * model in one process gets `_1` suffixes, which are dropped) at `seed`.
 */
export function weightSeed(seed: number, weightName: string): number {
  return (seed * 1_000_003 + nameHash(weightName.replace(/_\d+$/, ''))) % 2 ** 31;
}

export function seedWeights(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    for (const weight of layer.trainableWeights) {
      const baseName = (weight.originalName ?? weight.name).replace(/_\d+$/, '');
      if (!KERNEL_NAMES.test(baseName)) continue;
      const shape = weight.shape as number[];
      const value = tf.tidy(() => tf.initializers.glorotUniform({seed: weightSeed(seed, baseName)}).apply(shape) as tf.Tensor);
      weight.write(value);
      value.dispose();
    }
  }
}
