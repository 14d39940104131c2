/**
 * One training run from its stored configuration. Only the plan runner
 * (runner.ts) calls this: everything else goes through it, so that a run
 * is trained at most once and its record is always written.
 */
import * as tf from '@tensorflow/tfjs';

import {costOf} from '../cost';
import {initEngine} from '../engine';
import {buildModel} from '../models';
import {scheduleNamed} from '../train/optimizers';
import {TrainProgress} from '../train/options';
import {train} from '../train/trainer';
import {runAdditions} from './family-training';
import {ExperimentConfig, ExperimentResult, datasetFor} from './spec';

export async function runExperiment(config: ExperimentConfig,
                                    options: {onProgress?: (progress: TrainProgress) => void | Promise<void>} = {}):
    Promise<ExperimentResult> {
  const engine = await initEngine(config.backend);
  const data = datasetFor(config);
  const model = buildModel(config.model, config.options);
  try {
    // The memory check needs the network that trains; the record reports
    // what its family says runs at test time (family-training.ts).
    const trainingCost = costOf(model).totals;
    const additions = runAdditions(model, config);
    const cost = additions?.reportedCost ?? trainingCost;
    const result = await train(model, data, {
      ...additions?.hooks,
      epochs: config.epochs, batchSize: config.batch, optimizer: config.optimizer, learningRate: config.lr,
      schedule: scheduleNamed(config.schedule),
      weightDecay: config.weightDecay, labelSmoothing: config.labelSmoothing, seed: config.seed,
      cost: trainingCost, onProgress: options.onProgress,
    });
    const extra = additions ? await additions.recordAfterTraining(data) : {};
    return {
      ...extra,
      backend: engine.backend, device: engine.device,
      params: cost.params, trainableParams: cost.trainableParams, macs: cost.macs,
      validationAccuracy: result.validationAccuracy, testAccuracy: result.testAccuracy,
      curves: result.curves as ExperimentResult['curves'],
      stepCurve: result.stepCurve as ExperimentResult['stepCurve'],
      timing: result.timing as ExperimentResult['timing'],
      seconds: result.seconds,
      versions: {node: process.versions.node, tfjs: tf.version.tfjs},
    };
  } finally {
    model.dispose();
  }
}
