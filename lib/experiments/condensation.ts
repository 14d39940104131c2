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

import {ImageSet, Normalisation, batches} from '../data/dataset';
import {Json} from '../results/store';
import {CondenseNetOptions, DEFAULTS as CONDENSENET_DEFAULTS} from '../models/condensenet';
import {convertCondenseNet} from '../models/condensenet-convert';
import {CondensingEvent} from '../train/condense';
import {inputSpecFor} from '../train/trainer';

/** Two networks' outputs on one set. */
export interface OutputComparison {
  [key: string]: Json;
  /** Largest |logit difference| over every image and class. */
  maxAbsLogitDifference: number;
  /** Share of images both networks classify alike. */
  samePrediction: number;
  accuracyTrained: number;
  accuracyConverted: number;
}

export interface ConversionCheck {
  [key: string]: Json;
  /** Every classifier input kept: index layer + group convolutions + shuffles only. */
  exact: OutputComparison;
  /** The classifier's inputs cut to `classifierKeep` of them, as the official conversion does. */
  classifierCut: OutputComparison & {classifierKeep: number};
}

export interface CondensationRecord {
  [key: string]: Json;
  events: Array<CondensingEvent & {[key: string]: Json}>;
  conversion: ConversionCheck;
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
          accuracyConverted: rightConverted / set.count};
}

/** Converts a trained CondenseNet both ways and compares each with it on `set`. */
export async function checkConversion(trained: tf.LayersModel, options: Partial<CondenseNetOptions>, set: ImageSet,
                                      normalisation: Normalisation): Promise<ConversionCheck> {
  const classifierKeep = options.classifierKeep ?? CONDENSENET_DEFAULTS.classifierKeep;
  const exact = convertCondenseNet(trained, {...options, classifierKeep: 1});
  const cut = convertCondenseNet(trained, {...options, classifierKeep});
  try {
    return {exact: await compareOutputs(trained, exact, set, normalisation),
            classifierCut: {...await compareOutputs(trained, cut, set, normalisation), classifierKeep}};
  } finally {
    exact.dispose();
    cut.dispose();
  }
}
