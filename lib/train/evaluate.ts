/** A trained model measured on a set: input checks, batch-norm statistics re-estimated, top-1 accuracy. */
import * as tf from '@tensorflow/tfjs';

import {ImageSet, Normalisation, batches} from '../data/dataset';

export interface InputSpec {resolution: number; channels: number}

/** Checks that the model can be fed from the data before anything trains. */
export function inputSpecFor(model: tf.LayersModel, data: ImageSet): InputSpec {
  const [, h, w, c] = model.inputs[0].shape;
  if (h == null || w == null || c == null || h !== w) {
    throw new Error(`model '${model.name}' wants input [${h}, ${w}, ${c}]; the lab feeds square images ` +
        'with a known size and channel count');
  }
  if (c !== data.channels && !(data.channels === 1 && c === 3)) {
    throw new Error(`model '${model.name}' wants ${c} input channels but ${data.name} has ${data.channels} ` +
        '(only grey -> RGB replication is supported)');
  }
  return {resolution: h, channels: c};
}

/**
 * Re-estimates every batch-norm layer's moving mean and variance as the plain
 * average over training batches with the final weights ("precise BN", as in
 * pycls). A run of a few hundred steps otherwise tests with moving averages
 * that lag weights which moved fast, and test accuracy can collapse while
 * training accuracy looks fine.
 */
export function recalibrateBatchNorm(model: tf.LayersModel, set: ImageSet, normalisation: Normalisation,
                                     images: number, batchSize: number): void {
  const layers = model.layers.filter(l => l.getClassName() === 'BatchNormalization') as unknown as
      Array<{momentum: number; getWeights(): tf.Tensor[]; setWeights(w: tf.Tensor[]): void}>;
  if (layers.length === 0 || images <= 0) return;
  const saved = layers.map(l => l.momentum);
  const spec = inputSpecFor(model, set);
  let seen = 0;
  try {
    for (const batch of batches(set, {batchSize, normalisation, shuffleSeed: 99, ...spec})) {
      seen++;
      // Momentum (k-1)/k makes the k-th update a running mean of batch stats.
      for (const layer of layers) layer.momentum = (seen - 1) / seen;
      tf.tidy(() => { model.apply(batch.x, {training: true}); });
      tf.dispose([batch.x, batch.y]);
      if (seen * batchSize >= images) break;
    }
  } finally {
    layers.forEach((l, i) => { l.momentum = saved[i]; });
  }
}

/** Top-1 accuracy over a whole set, in inference mode, batch by batch. */
export async function evaluate(model: tf.LayersModel, set: ImageSet, normalisation: Normalisation,
                               batchSize = 128): Promise<number> {
  const spec = inputSpecFor(model, set);
  let correct = 0;
  for (const batch of batches(set, {batchSize, normalisation, ...spec})) {
    const hits = tf.tidy(() => {
      const logits = model.predict(batch.x) as tf.Tensor;
      return logits.argMax(-1).equal(batch.y.argMax(-1)).sum();
    });
    correct += (await hits.data())[0];
    tf.dispose([hits, batch.x, batch.y]);
  }
  return correct / set.count;
}
