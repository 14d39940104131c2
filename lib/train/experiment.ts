/**
 * One training run from a plain configuration: what `cnnlab train`, the
 * sweeps and the notebooks all call, so a run means the same everywhere
 * and its record can be cached by its configuration.
 */
import * as tf from '@tensorflow/tfjs';

import {modelCost, totals} from '../cost';
import {loadCifar10} from '../data/cifar10';
import {ImageSet, splitValidation, take} from '../data/dataset';
import {loadFashionMnist} from '../data/fashion-mnist';
import {syntheticImages} from '../data/synthetic';
import {BackendName, initEngine} from '../engine/backends';
import {buildModel} from '../models';
import {condensationHooks, learnedGroupConvsOf} from './condense';
import {Json} from '../results/store';
import {OptimizerName, Schedule} from './optimizers';
import {EpochRecord, Timing, train} from './trainer';

export const DATASETS = ['fashion-mnist', 'cifar10', 'synthetic'] as const;
export type DatasetName = typeof DATASETS[number];

export interface ExperimentConfig {
  [key: string]: Json;
  /** Registered variant or family name. */
  model: string;
  /** Builder options (width, resolution, channels, classes, family options). */
  options: {[key: string]: Json};
  dataset: DatasetName;
  /** Training images used (a seeded random subset); null = all. */
  limit: number | null;
  /** Test images used; null = all. */
  testLimit: number | null;
  /** Fraction of the training subset held out for validation (0 = none). */
  validation: number;
  epochs: number;
  batch: number;
  optimizer: OptimizerName;
  lr: number;
  schedule: Schedule['kind'];
  weightDecay: number;
  labelSmoothing: number;
  seed: number;
  /** Part of the key: timings and last digits differ between backends. */
  backend: BackendName;
}

export interface ExperimentResult {
  [key: string]: Json;
  backend: string;
  device: string;
  params: number;
  trainableParams: number;
  macs: number;
  validationAccuracy: number | null;
  testAccuracy: number | null;
  curves: Array<EpochRecord & {[key: string]: Json}>;
  timing: Timing & {[key: string]: Json};
  seconds: number;
  versions: {[key: string]: string};
}

export function datasetFor(config: Pick<ExperimentConfig, 'dataset' | 'limit' | 'testLimit' | 'seed' | 'validation'>):
    {train: ImageSet; validation?: ImageSet; test: ImageSet} {
  let sets: {train: ImageSet; test: ImageSet};
  switch (config.dataset) {
    case 'fashion-mnist':
      sets = loadFashionMnist();
      break;
    case 'cifar10':
      sets = loadCifar10();
      break;
    case 'synthetic':
      sets = {train: syntheticImages({count: config.limit ?? 2048, seed: 11}),
              test: syntheticImages({count: config.testLimit ?? 512, seed: 11})};
      break;
    default:
      throw new Error(`dataset must be one of ${DATASETS.join(', ')}, got '${config.dataset as string}'`);
  }
  let trainSet = config.limit ? take(sets.train, config.limit, config.seed) : sets.train;
  const test = config.testLimit ? take(sets.test, config.testLimit, 7) : sets.test;
  let validation: ImageSet | undefined;
  if (config.validation > 0) ({train: trainSet, validation} = splitValidation(trainSet, config.validation, config.seed));
  return {train: trainSet, validation, test};
}

export async function runExperiment(config: ExperimentConfig,
                                    options: {progress?: 'notebook' | 'terminal' | 'silent'; label?: string} = {}):
    Promise<ExperimentResult> {
  const engine = await initEngine(config.backend);
  const data = datasetFor(config);
  const model = buildModel(config.model, config.options);
  // A CondenseNet trains through its condensing stages; its cost is its
  // test-time network's (what condensation buys), counted in plain MACs.
  const condenses = learnedGroupConvsOf(model).length > 0;
  try {
    const cost = condenses ? testTimeCost(config) : totals(modelCost(model));
    const hooks = condenses ? condensationHooks(model) : {};
    const result = await train(model, data, {
      ...hooks,
      epochs: config.epochs, batchSize: config.batch, optimizer: config.optimizer, learningRate: config.lr,
      schedule: config.schedule === 'step' ? {kind: 'step', factor: 0.94, everyEpochs: 2} : {kind: config.schedule},
      weightDecay: config.weightDecay, labelSmoothing: config.labelSmoothing, seed: config.seed,
      progress: options.progress, progressLabel: options.label,
    });
    return {
      backend: engine.backend, device: engine.device,
      params: cost.params, trainableParams: cost.trainableParams, macs: cost.macs,
      validationAccuracy: result.validationAccuracy, testAccuracy: result.testAccuracy,
      curves: result.curves as ExperimentResult['curves'],
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
    return totals(modelCost(converted));
  } finally {
    converted.dispose();
  }
}

/** A config with the lab's defaults for anything not given. */
export function experimentConfig(partial: Partial<ExperimentConfig> & Pick<ExperimentConfig, 'model'>,
                                 backend: BackendName): ExperimentConfig {
  return {
    options: {}, dataset: 'fashion-mnist', limit: 2048, testLimit: 1000, validation: 0, epochs: 2, batch: 64,
    optimizer: 'adam', lr: 2e-3, schedule: 'constant', weightDecay: 0, labelSmoothing: 0, seed: 1,
    ...partial, backend,
  };
}
