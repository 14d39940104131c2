/**
 * One training run from its stored configuration. Only the plan runner
 * (runner.ts) calls this: everything else goes through it, so that a run
 * is trained at most once and its record is always written.
 */
import * as tf from '@tensorflow/tfjs';

import {costOf} from '../cost';
import {initEngine} from '../engine';
import {buildModel} from '../models';
import {pixelStats} from '../data/dataset';
import {CondenseNetOptions} from '../models/condensenet';
import {condensationHooks, learnedGroupConvsOf} from '../train/condense';
import {CondensationRecord, checkConversion, featureReuse} from './condensation';
import {TrainProgress} from '../train/options';
import {train} from '../train/trainer';
import {ExperimentConfig, ExperimentResult, datasetFor} from './spec';

export async function runExperiment(config: ExperimentConfig,
                                    options: {onProgress?: (progress: TrainProgress) => void | Promise<void>} = {}):
    Promise<ExperimentResult> {
  const engine = await initEngine(config.backend);
  const data = datasetFor(config);
  const model = buildModel(config.model, config.options);
  try {
    // What the memory check needs is the network that trains; what the
    // record reports is what runs at test time: for a CondenseNet its
    // converted network (what condensation buys), in plain MACs.
    const trainingCost = costOf(model).totals;
    const condenses = learnedGroupConvsOf(model).length > 0;
    const cost = condenses ? testTimeCost(config) : trainingCost;
    const condensation = condenses ?
        condensationHooks(model, {groupLassoLambda: (config.options as Partial<CondenseNetOptions>).groupLasso ?? 0}) : null;
    const result = await train(model, data, {
      ...(condensation ? {onStep: condensation.onStep, extraLoss: condensation.extraLoss} : {}),
      epochs: config.epochs, batchSize: config.batch, optimizer: config.optimizer, learningRate: config.lr,
      schedule: config.schedule === 'step' ? {kind: 'step', factor: 0.94, everyEpochs: 2} : {kind: config.schedule},
      weightDecay: config.weightDecay, labelSmoothing: config.labelSmoothing, seed: config.seed,
      cost: trainingCost, onProgress: options.onProgress,
    });
    // A CondenseNet's record shows condensation happening and proves its test-time network (lib/experiments/condensation.ts).
    const condensed: CondensationRecord | null = condensation && data.test ? {
      events: condensation.events as CondensationRecord['events'],
      conversion: await checkConversion(model, config.options as Partial<CondenseNetOptions>, data.test, pixelStats(data.train)),
      featureReuse: featureReuse(model, config.options as Partial<CondenseNetOptions>),
    } : null;
    return {
      ...(condensed ? {condensation: condensed} : {}),
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

function testTimeCost(config: ExperimentConfig) {
  const converted = buildModel(config.model, {...config.options, converted: true, classifierKeep: 1});
  try {
    return costOf(converted).totals;
  } finally {
    converted.dispose();
  }
}
