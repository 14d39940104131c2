/**
 * What one training run is: a typed spec (model, options, seed) plus the
 * training settings of its chapter's budget, resolved into the plain
 * `ExperimentConfig` that is stored and hashed. `cnnlab train`, the plan
 * runner and the notebooks all build configs here, so a run means the same
 * everywhere and its record is found again by its configuration.
 */
import {loadCifar10} from '../data/cifar10';
import {ImageSet, runSubsets} from '../data/dataset';
import {loadFashionMnist} from '../data/fashion-mnist';
import {syntheticImages} from '../data/synthetic';
import {DATASETS, DatasetName} from '../data/shapes';
import {BackendName} from '../engine';
import {Json, canonicalJson} from '../results/store';
import {EpochRecord, StepCurvePoint, Timing} from '../train/options';
import type {CondensationRecord} from './condensation';
import {OptimizerName, Schedule} from '../train/optimizers';

export {DATASETS, DatasetName} from '../data/shapes';

/** Builder options as stored: plain JSON (each family validates its own). */
export type ModelOptions = {[key: string]: Json};

/** How a run trains, apart from the model and the seed. */
export interface TrainingSettings {
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
  /**
   * How the seed draws the initial weights: 'by-name', each kernel from its
   * layer's name (lib/train/seed.ts), so arms compared at one seed share
   * the start of the layers they have in common. It is part of a record's
   * key so that records drawn the older way (by position, without this
   * field) are not reused as if they were paired.
   */
  initialisation: 'by-name';
}

/** One run a chapter asks for: which network, and the seed; training comes from the budget. */
export interface ExperimentSpec {
  /** Registered variant or family name. */
  model: string;
  options: ModelOptions;
  seed: number;
  /** Settings that differ from the budget's recipe for this run alone. */
  training?: Partial<TrainingSettings>;
}

/** A spec resolved for one engine: the record's key is a hash of exactly this. */
export interface ExperimentConfig extends TrainingSettings {
  [key: string]: Json;
  model: string;
  options: ModelOptions;
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
  /** Mean training loss and accuracy per window of steps (empty for records made before it was kept). */
  stepCurve: Array<StepCurvePoint & {[key: string]: Json}>;
  timing: Timing & {[key: string]: Json};
  seconds: number;
  versions: {[key: string]: string};
}

/** A CondenseNet run's result: also its condensing stages and conversion check (lib/experiments/condensation.ts). */
export type CondenseNetResult = ExperimentResult & {condensation: CondensationRecord};

/** The condensation record of a run, or null for a network that does not condense (or a record made before 2026-11-30). */
export function condensationOf(result: ExperimentResult): CondensationRecord | null {
  return (result as Partial<CondenseNetResult>).condensation ?? null;
}

/** A stored run as chapters read it: its configuration, its result and its record key. */
export interface Run {
  key: string;
  config: ExperimentConfig;
  result: ExperimentResult;
}

/** The lab's training defaults: what a setting is when neither the budget nor the spec says. */
export const DEFAULT_TRAINING: Readonly<TrainingSettings> = {
  dataset: 'fashion-mnist', limit: 2048, testLimit: 1000, validation: 0, epochs: 2, batch: 64,
  optimizer: 'adam', lr: 2e-3, schedule: 'constant', weightDecay: 0, labelSmoothing: 0,
  initialisation: 'by-name',
};

/** A config with the lab's defaults for anything not given. */
export function experimentConfig(partial: Partial<ExperimentConfig> & Pick<ExperimentConfig, 'model'>,
                                 backend: BackendName): ExperimentConfig {
  return {options: {}, seed: 1, ...DEFAULT_TRAINING, ...partial, backend};
}

/** The config of `spec` trained with `training` (the budget's recipe) on `backend`. */
export function configOf(spec: ExperimentSpec, training: Partial<TrainingSettings>, backend: BackendName): ExperimentConfig {
  return experimentConfig({...training, ...spec.training, model: spec.model, options: spec.options, seed: spec.seed}, backend);
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
  return runSubsets(sets, config);
}

/** Images one run trains on in all its epochs (what its time is proportional to). */
export function trainingImagesOf(config: ExperimentConfig): number {
  return datasetFor(config).train.count * config.epochs;
}

/**
 * What decides a run's training speed: the network, the engine and the
 * batch. Runs that differ only in seed, subset size or epochs share it, so
 * one measured speed predicts the others' times.
 */
export function speedKey(config: Pick<ExperimentConfig, 'model' | 'options' | 'backend' | 'batch'>): string {
  return canonicalJson({model: config.model, options: config.options, backend: config.backend, batch: config.batch});
}
