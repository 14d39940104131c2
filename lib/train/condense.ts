/**
 * CondenseNet's training schedule as trainer hooks: condensing stages
 * during the first half of training (1/(C-1) of it each, official
 * `_check_drop`), and an optional group-lasso term (official
 * `--group-lasso-lambda`, 1e-5 on ImageNet) that stops once the last stage
 * is reached.
 */
import * as tf from '@tensorflow/tfjs';

import {LearnedGroupConv2D, condensingStage} from '../layers';
import {TrainOptions} from './trainer';

export interface CondensationOptions {
  /** Weight of the group lasso; 0 (the official default) leaves it out. */
  groupLassoLambda?: number;
}

export function learnedGroupConvsOf(model: tf.LayersModel): LearnedGroupConv2D[] {
  return model.layers.filter((l): l is LearnedGroupConv2D => l instanceof LearnedGroupConv2D);
}

/** `onStep` and `extraLoss` for `train()` that condense `model` on schedule. */
export function condensationHooks(model: tf.LayersModel, options: CondensationOptions = {}):
    Required<Pick<TrainOptions, 'onStep' | 'extraLoss'>> {
  const layers = learnedGroupConvsOf(model);
  if (layers.length === 0) throw new Error(`condensationHooks: model '${model.name}' has no LearnedGroupConv2D layers`);
  const lambda = options.groupLassoLambda ?? 0;
  if (!(lambda >= 0)) throw new Error(`groupLassoLambda must be >= 0, got ${lambda}`);
  let finished = false;
  return {
    onStep: ({step, totalSteps}) => {
      for (const layer of layers) layer.condenseTo(condensingStage(step / totalSteps, layer.condenseFactor));
      finished = layers.every(l => l.stagesDone() >= l.condenseFactor - 1);
    },
    extraLoss: () => lambda === 0 || finished ? null : tf.addN(layers.map(l => l.groupLasso())).mul(lambda) as tf.Scalar,
  };
}
