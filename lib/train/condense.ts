/**
 * CondenseNet's training schedule as trainer hooks: condensing stages
 * during the first half of training (1/(C-1) of it each, official
 * `_check_drop`), and an optional group-lasso term (official
 * `--group-lasso-lambda`, 1e-5 on ImageNet) that stops once the last stage
 * is reached. The hooks keep a log of every stage as it happens (when,
 * what share of the 1x1 connections survives, and which input channels
 * each group keeps), so that a run's record can show condensation itself.
 */
import * as tf from '@tensorflow/tfjs';

import {LearnedGroupConv2D, condensingStage} from '../layers';
import {TrainOptions} from './options';

export interface CondensationOptions {
  /** Weight of the group lasso; 0 (the official default) leaves it out. */
  groupLassoLambda?: number;
}

/** One condensing stage as it happened (stage 0: the dense start). */
export interface CondensingEvent {
  /** Training steps done when the stage was cut. */
  step: number;
  /** step / total steps. */
  progress: number;
  /** Stages done in every learned group convolution. */
  stage: number;
  /** Share of the learned group convolutions' connections still alive, over all of them. */
  keptFraction: number;
  /** Per learned group convolution: the input channels each group keeps, ascending. */
  masks: Array<{layer: string; inputs: number; groups: number[][]}>;
}

export function learnedGroupConvsOf(model: tf.LayersModel): LearnedGroupConv2D[] {
  return model.layers.filter((l): l is LearnedGroupConv2D => l instanceof LearnedGroupConv2D);
}

/** The state of every learned group convolution of `model` now, as an event at `step` of `totalSteps`. */
export function condensingEvent(layers: readonly LearnedGroupConv2D[], step: number, totalSteps: number): CondensingEvent {
  let alive = 0;
  let total = 0;
  const masks = layers.map(layer => {
    const mask = layer.mask();
    const groups = Array.from({length: layer.groups}, (_, g) => mask.map((row, i) => row[g] === 1 ? i : -1).filter(i => i >= 0));
    for (const row of mask) for (const m of row) { alive += m; total++; }
    return {layer: layer.name, inputs: mask.length, groups};
  });
  return {step, progress: totalSteps > 0 ? step / totalSteps : 0, stage: Math.min(...layers.map(l => l.stagesDone())),
          keptFraction: total > 0 ? alive / total : 1, masks};
}

/** `onStep` and `extraLoss` for `train()` that condense `model` on schedule, and the log of the stages they cut. */
export function condensationHooks(model: tf.LayersModel, options: CondensationOptions = {}):
    Required<Pick<TrainOptions, 'onStep' | 'extraLoss'>> & {events: CondensingEvent[]} {
  const layers = learnedGroupConvsOf(model);
  if (layers.length === 0) throw new Error(`condensationHooks: model '${model.name}' has no LearnedGroupConv2D layers`);
  const lambda = options.groupLassoLambda ?? 0;
  if (!(lambda >= 0)) throw new Error(`groupLassoLambda must be >= 0, got ${lambda}`);
  let finished = false;
  const events: CondensingEvent[] = [];
  return {
    events,
    onStep: ({step, totalSteps}) => {
      if (events.length === 0) events.push(condensingEvent(layers, 0, totalSteps));
      const before = events[events.length - 1].stage;
      for (const layer of layers) layer.condenseTo(condensingStage(step / totalSteps, layer.condenseFactor));
      // One mask read-back per layer per step: this runs on every training step.
      const stages = layers.map(l => l.stagesDone());
      finished = layers.every((l, i) => stages[i] >= l.condenseFactor - 1);
      if (Math.min(...stages) > before) events.push(condensingEvent(layers, step, totalSteps));
    },
    extraLoss: () => lambda === 0 || finished ? null : tf.addN(layers.map(l => l.groupLasso())).mul(lambda) as tf.Scalar,
  };
}
