/**
 * What a CondenseNet run records beyond accuracy: its condensing stages as
 * they happened (lib/train/condense.ts) and the proof that its test-time
 * network computes what the trained one does. The conversion is checked
 * twice on the test set: with every classifier input kept (the index layer,
 * group convolutions and shuffles alone: exact up to float rounding), and
 * with the classifier's inputs cut as the official code cuts them (not
 * exact: its own accuracy change).
 */
import * as tf from '@tensorflow/tfjs';

import {ImageSet, Normalisation, batches, take} from '../data/dataset';
import {Json} from '../results/store';
import {LearnedGroupConv2D} from '../layers';
import {CondenseNetOptions, DEFAULTS as CONDENSENET_DEFAULTS, condenseNetPlan} from '../models/condensenet';
import {convertCondenseNet} from '../models/condensenet-convert';
import {CondensingEvent} from '../train/condense';
import {inputSpecFor} from '../train/evaluate';
import {measureLatency} from '../train/latency';

/** Two networks' outputs on one set. */
export interface OutputComparison {
  [key: string]: Json;
  /** Largest |logit difference| over every image and class. */
  maxAbsLogitDifference: number;
  /** Share of images both networks classify alike. */
  samePrediction: number;
  accuracyTrained: number;
  accuracyConverted: number;
  /** Images compared (0 in records made before 2026-12-02, which compared the whole test set they were given). */
  images: number;
}

/**
 * How many test images the conversion is checked on: enough to show that the
 * exact conversion changes no prediction and what cutting the classifier costs
 * (paired on the same images), without four more passes over a 10,000-image
 * test set (at the course budget those took longer than training itself).
 */
export const CONVERSION_CHECK_IMAGES = 2000;

export interface ConversionCheck {
  [key: string]: Json;
  /** Forward time per image at batch 1, ms: the trained (masked) network and the converted one, on the engine that trained. */
  latencyMsBatch1: {trained: number; converted: number};
  /** Every classifier input kept: index layer + group convolutions + shuffles only. */
  exact: OutputComparison;
  /** The classifier's inputs cut to `classifierKeep` of them, as the official conversion does. */
  classifierCut: OutputComparison & {classifierKeep: number};
}

/**
 * DenseNet's feature-reuse map for one dense block: row l (layer l + 1) gives,
 * for each source s <= l (0: the block's input, s: layer s's output), the mean
 * absolute weight of the layer's first (1x1) convolution on that source's
 * channels, after training (masked weights count as zero).
 */
export interface FeatureReuse {
  [key: string]: Json;
  block: number;
  /** rows[l][s], s = 0 ... l. */
  rows: number[][];
}

export interface CondensationRecord {
  [key: string]: Json;
  events: Array<CondensingEvent & {[key: string]: Json}>;
  conversion: ConversionCheck;
  featureReuse: FeatureReuse[];
}

/** The feature-reuse map of every dense block of a trained CondenseNet built with `options`. */
export function featureReuse(trained: tf.LayersModel, options: Partial<CondenseNetOptions>): FeatureReuse[] {
  const o = {...CONDENSENET_DEFAULTS, ...options};
  const {stages, growth} = condenseNetPlan(o);
  let blockInput = 2 * growth[0];
  return stages.map((count, b) => {
    const rows: number[][] = [];
    for (let l = 0; l < count; l++) {
      const layer = trained.getLayer(`block${b + 1}_layer${l + 1}_lgc`) as LearnedGroupConv2D;
      const weights = tf.tidy(() => layer.maskedKernel().abs().mean(3).reshape([-1]).arraySync() as number[]);
      const sources = [blockInput, ...new Array<number>(l).fill(growth[b])];
      let start = 0;
      rows.push(sources.map(size => {
        const part = weights.slice(start, start + size);
        start += size;
        return part.reduce((a, v) => a + v, 0) / size;
      }));
    }
    blockInput += count * growth[b];
    return {block: b + 1, rows};
  });
}

/** Logits of both networks on `set`, batch by batch, compared. */
export async function compareOutputs(trained: tf.LayersModel, converted: tf.LayersModel, set: ImageSet, normalisation: Normalisation,
                                     batchSize = 128): Promise<OutputComparison> {
  const spec = inputSpecFor(trained, set);
  let maxAbs = 0;
  let same = 0;
  let rightTrained = 0;
  let rightConverted = 0;
  for (const batch of batches(set, {batchSize, normalisation, ...spec})) {
    const stats = tf.tidy(() => {
      const a = trained.predict(batch.x) as tf.Tensor2D;
      const b = converted.predict(batch.x) as tf.Tensor2D;
      const truth = batch.y.argMax(-1);
      return tf.stack([a.sub(b).abs().max(), a.argMax(-1).equal(b.argMax(-1)).sum().toFloat(),
                       a.argMax(-1).equal(truth).sum().toFloat(), b.argMax(-1).equal(truth).sum().toFloat()]);
    });
    const [diff, agree, hitsA, hitsB] = await stats.data();
    maxAbs = Math.max(maxAbs, diff);
    same += agree;
    rightTrained += hitsA;
    rightConverted += hitsB;
    tf.dispose([stats, batch.x, batch.y]);
  }
  return {maxAbsLogitDifference: maxAbs, samePrediction: same / set.count, accuracyTrained: rightTrained / set.count,
          accuracyConverted: rightConverted / set.count, images: set.count};
}

/** Converts a trained CondenseNet both ways and compares each with it on `set` (its first CONVERSION_CHECK_IMAGES in a fixed order). */
export async function checkConversion(trained: tf.LayersModel, options: Partial<CondenseNetOptions>, fullSet: ImageSet,
                                      normalisation: Normalisation): Promise<ConversionCheck> {
  const set = take(fullSet, CONVERSION_CHECK_IMAGES, 7);
  const classifierKeep = options.classifierKeep ?? CONDENSENET_DEFAULTS.classifierKeep;
  const exact = convertCondenseNet(trained, {...options, classifierKeep: 1});
  const cut = convertCondenseNet(trained, {...options, classifierKeep});
  try {
    return {exact: await compareOutputs(trained, exact, set, normalisation),
            classifierCut: {...await compareOutputs(trained, cut, set, normalisation), classifierKeep},
            latencyMsBatch1: {trained: (await measureLatency(trained, 1)).median, converted: (await measureLatency(exact, 1)).median}};
  } finally {
    exact.dispose();
    cut.dispose();
  }
}
