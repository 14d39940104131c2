/** `cnnlab train`: one training run of any configuration the atlas can build. */
import {BackendName} from '../engine/backends';
import {configKey, Json, ResultsStore} from '../results/store';
import {OPTIMIZERS, OptimizerName} from '../train/optimizers';
import {runPlanned} from '../experiments/runner';
import {DATASETS, DEFAULT_TRAINING, DatasetName, ExperimentConfig, ExperimentResult, experimentConfig} from '../experiments/spec';
import {ENGINE_OPTIONS, startEngine} from './engine-choice';
import {UsageError} from './errors';
import {ModelChoice} from './model-options';

export const TRAIN_OPTIONS = {
  'dataset': {type: 'string'},
  'limit': {type: 'string'},
  'test-limit': {type: 'string'},
  'epochs': {type: 'string'},
  'batch': {type: 'string'},
  'optimizer': {type: 'string'},
  'lr': {type: 'string'},
  'seed': {type: 'string'},
  ...ENGINE_OPTIONS,
  'json': {type: 'boolean'},
  'fresh': {type: 'boolean'},
} as const;

function wholeNumber(name: string, raw: unknown, fallback: number | null, min = 1): number | null {
  if (raw == null) return fallback;
  if (raw === 'all') return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got '${raw}'`);
  return n;
}

const DATASET_CLASSES: Record<DatasetName, number> = {'fashion-mnist': 10, 'cifar10': 10, 'synthetic': 10};

export function trainConfig(choice: ModelChoice, values: Record<string, unknown>, backend: BackendName): ExperimentConfig {
  const dataset = (values['dataset'] as string | undefined) ?? DEFAULT_TRAINING.dataset;
  if (!(DATASETS as readonly string[]).includes(dataset)) {
    throw new UsageError(`--dataset must be one of ${DATASETS.join(', ')}, got '${dataset}'`);
  }
  const classes = DATASET_CLASSES[dataset as DatasetName];
  if (choice.options['classes'] != null && choice.options['classes'] !== classes && values['classes'] != null) {
    throw new UsageError(`--classes ${choice.options['classes']} does not match ${dataset}, which has ${classes} classes`);
  }
  const optimizer = (values['optimizer'] as string | undefined) ?? DEFAULT_TRAINING.optimizer;
  if (!(OPTIMIZERS as readonly string[]).includes(optimizer)) {
    throw new UsageError(`--optimizer must be one of ${OPTIMIZERS.join(', ')}, got '${optimizer}'`);
  }
  const lr = values['lr'] == null ? DEFAULT_TRAINING.lr : Number(values['lr']);
  if (!(lr > 0 && lr < 100)) throw new UsageError(`--lr must be a number in (0, 100), got '${values['lr']}'`);
  return experimentConfig({
    model: choice.name,
    options: {...choice.options, classes} as {[key: string]: Json},
    dataset: dataset as DatasetName,
    limit: wholeNumber('limit', values['limit'], DEFAULT_TRAINING.limit),
    testLimit: wholeNumber('test-limit', values['test-limit'], DEFAULT_TRAINING.testLimit),
    epochs: wholeNumber('epochs', values['epochs'], DEFAULT_TRAINING.epochs)!,
    batch: wholeNumber('batch', values['batch'], DEFAULT_TRAINING.batch)!,
    optimizer: optimizer as OptimizerName,
    lr,
    seed: wholeNumber('seed', values['seed'], 1, 0)!,
  }, backend);
}

export async function commandTrainWith(choice: ModelChoice, values: Record<string, unknown>):
    Promise<{config: ExperimentConfig; result: ExperimentResult; reused: boolean; file: string}> {
  const engine = await startEngine(values);
  const config = trainConfig(choice, values, engine.backend);
  const store = new ResultsStore();
  const key = configKey(config);
  const outcome = await runPlanned([{index: 0, key, config, groups: ['train']}],
      {store, fresh: values['fresh'] === true, progress: 'terminal', label: choice.name});
  for (const problem of outcome.problems) process.stderr.write(`warning: ${problem}\n`);
  return {config, result: outcome.runs.get(key)!.result, reused: outcome.ran === 0, file: store.fileFor(config)};
}
