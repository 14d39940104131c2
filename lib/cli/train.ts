/** `cnnlab train`: one training run of any configuration the atlas can build. */
import {BackendName} from '../engine';
import {configKey, Json, ResultsStore} from '../results/store';
import {OPTIMIZERS, OptimizerName} from '../train/optimizers';
import {runPlanned} from '../experiments/runner';
import {DATASET_SHAPES} from '../data/shapes';
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

/** Largest input at which a family trains at lab scale rather than as its paper built it. */
const LAB_SCALE_MAX_SIDE = 64;

/**
 * A family trained on a dataset's small images, the way the chapters train
 * it: at the images' own size and, where the family defines one, at lab
 * scale (the paper's ImageNet network would shrink 28 px to nothing). A
 * registered variant, or anything the user set, stays as asked. Returns the
 * options and a note saying what was chosen and how to get the paper's network.
 */
export function labScaled(choice: ModelChoice, side: number): {options: Record<string, unknown>; note: string | null} {
  if (choice.isVariant) return {options: choice.options, note: null};
  const options = {...choice.options};
  if (!choice.setByUser.includes('resolution')) options['resolution'] = side;
  const lab = choice.family.labScale;
  const resolution = options['resolution'] as number;
  if (lab == null || resolution > LAB_SCALE_MAX_SIDE || Object.keys(lab).some(k => choice.setByUser.includes(k))) {
    return {options, note: null};
  }
  Object.assign(options, lab);
  const defaults = new Map<string, unknown>(Object.entries(choice.family.defaults));
  const paper = Object.keys(lab).map(k => `--set ${k}=${defaults.get(k)}`).join(' ');
  return {
    options,
    note: `${choice.name} at lab scale, as the chapters train it on ${resolution} px images: ` +
        `${Object.entries(lab).map(([k, v]) => `${k}=${v}`).join(', ')} (the paper's network: ${paper}).`,
  };
}

export function trainConfig(choice: ModelChoice, values: Record<string, unknown>, backend: BackendName): ExperimentConfig {
  const dataset = (values['dataset'] as string | undefined) ?? DEFAULT_TRAINING.dataset;
  if (!(DATASETS as readonly string[]).includes(dataset)) {
    throw new UsageError(`--dataset must be one of ${DATASETS.join(', ')}, got '${dataset}'`);
  }
  const {classes, side} = DATASET_SHAPES[dataset as DatasetName];
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
    options: {...labScaled(choice, side).options, classes} as {[key: string]: Json},
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
  const dataset = (values['dataset'] as DatasetName | undefined) ?? DEFAULT_TRAINING.dataset;
  const {note} = labScaled(choice, DATASET_SHAPES[dataset].side);
  if (note) process.stderr.write(`note: ${note}\n`);
  const store = new ResultsStore();
  const key = configKey(config);
  const outcome = await runPlanned([{index: 0, key, config, groups: ['train']}],
      {store, fresh: values['fresh'] === true, progress: 'terminal', label: choice.name});
  for (const problem of outcome.problems) process.stderr.write(`warning: ${problem}\n`);
  return {config, result: outcome.runs.get(key)!.result, reused: outcome.ran === 0, file: store.fileFor(config)};
}
