/**
 * One run's training from its configuration and its data, on the engine
 * already started: what the plan runner (run.ts) does after starting the
 * engine and loading the data set, and what a report's "run it here"
 * section does in the reader's browser with the images it carries
 * (lib/run-here/). Nothing here touches the file system.
 */
import * as tf from '@tensorflow/tfjs';

import {costOf} from '../cost';
import {CostTotals} from '../cost/types';
import {ImageSet} from '../data/dataset';
import {buildModel} from '../models';
import {scheduleNamed} from '../train/optimizers';
import {TrainProgress} from '../train/options';
import {train} from '../train/trainer';
import {runAdditions} from './family-training';
import {ExperimentConfig, ExperimentResult} from './spec';

export interface TrainConfigOptions {
  onProgress?: (progress: TrainProgress) => void | Promise<void>;
  /** What ran, for the record. */
  engine: {backend: string; device: string};
  /**
   * Whether the record keeps its family's cost and extras (CondenseNet's
   * converted cost and conversion check). The browser's runs leave them out:
   * their costs come with their configuration.
   */
  familyRecord?: boolean;
}

export async function trainConfig(config: ExperimentConfig, data: {train: ImageSet; validation?: ImageSet; test: ImageSet},
                                  options: TrainConfigOptions): Promise<ExperimentResult> {
  const model = buildModel(config.model, config.options);
  try {
    // The memory check needs the network that trains; the record reports
    // what its family says runs at test time (family-training.ts).
    const trainingCost = costOf(model).totals;
    const additions = runAdditions(model, config);
    const familyRecord = options.familyRecord ?? true;
    const cost: CostTotals = (familyRecord ? additions?.reportedCost?.() : undefined) ?? trainingCost;
    const result = await train(model, data, {
      ...additions?.hooks,
      epochs: config.epochs, batchSize: config.batch, optimizer: config.optimizer, learningRate: config.lr,
      schedule: scheduleNamed(config.schedule),
      weightDecay: config.weightDecay, labelSmoothing: config.labelSmoothing, seed: config.seed,
      cost: trainingCost, onProgress: options.onProgress,
    });
    const extra = additions != null && familyRecord ? await additions.recordAfterTraining(data) : {};
    return {
      ...extra,
      backend: options.engine.backend, device: options.engine.device,
      params: cost.params, trainableParams: cost.trainableParams, macs: cost.macs,
      validationAccuracy: result.validationAccuracy, testAccuracy: result.testAccuracy,
      curves: result.curves as ExperimentResult['curves'],
      stepCurve: result.stepCurve as ExperimentResult['stepCurve'],
      timing: result.timing as ExperimentResult['timing'],
      seconds: result.seconds,
      versions: {node: typeof process !== 'undefined' ? process.versions?.node ?? 'none' : 'none (a browser)', tfjs: tf.version.tfjs},
    };
  } finally {
    model.dispose();
  }
}
