/** Optimisers and learning-rate schedules the papers trained with. */
import * as tf from '@tensorflow/tfjs';

import {trainingKernels} from '../engine/backends/training-kernels';

export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam'] as const;
export type OptimizerName = typeof OPTIMIZERS[number];

export type Schedule =
  | {kind: 'constant'}
  /** Cosine from the base rate to 0 over all steps (CondenseNet, per iteration). */
  | {kind: 'cosine'}
  /** Multiply by `factor` every `everyEpochs` epochs (Inception v3: 0.94 every 2). */
  | {kind: 'step'; factor: number; everyEpochs: number};

/** Inception v3's step decay (Szegedy et al. 2015, §8): the rate times 0.94 every two epochs. */
export const INCEPTION_STEP_DECAY: Schedule = {kind: 'step', factor: 0.94, everyEpochs: 2};

/** A schedule by the name a run's configuration stores: 'step' is Inception v3's decay, the only one the lab trains with. */
export function scheduleNamed(kind: Schedule['kind']): Schedule {
  switch (kind) {
    case 'constant':
    case 'cosine':
      return {kind};
    case 'step':
      return INCEPTION_STEP_DECAY;
    default:
      throw new Error(`schedule must be one of constant, cosine, step, got '${kind as string}'`);
  }
}

export function makeOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  if (!(learningRate > 0 && learningRate < 100)) throw new Error(`learning rate must be in (0, 100), got ${learningRate}`);
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, 0.9);
    case 'nesterov':
      return tf.train.momentum(learningRate, 0.9, true);
    case 'rmsprop':
      // Inception v3 / MobileNet: decay 0.9, epsilon 1.0 (Szegedy et al. 2015, §8).
      return tf.train.rmsprop(learningRate, 0.9, 0.9, 1.0);
    case 'adam':
      // tf.train.adam's update as one kernel per variable on wasm and cpu (tfjs-backend-wasm-train's FusedAdamOptimizer).
      return new (trainingKernels().FusedAdamOptimizer)(learningRate);
    default:
      throw new Error(`optimizer must be one of ${OPTIMIZERS.join(', ')}, got '${name as string}'`);
  }
}

/** Learning rate at `step` of `totalSteps` (`stepsPerEpoch` for step decay). */
export function learningRateAt(schedule: Schedule, base: number, step: number, totalSteps: number, stepsPerEpoch: number): number {
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'cosine':
      return 0.5 * base * (1 + Math.cos(Math.PI * Math.min(step, totalSteps) / Math.max(totalSteps, 1)));
    case 'step':
      return base * schedule.factor ** Math.floor(step / stepsPerEpoch / schedule.everyEpochs);
  }
}

/** Sets the rate on any TF.js optimiser (each keeps it in `learningRate`). */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  (optimizer as unknown as {learningRate: number}).learningRate = rate;
}
