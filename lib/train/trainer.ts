/**
 * The lab's training loop: seeded, streamed batches, the papers' optimisers
 * and schedules, weight decay, label smoothing, progress, early stopping,
 * a per-step hook for schedules that change the model (CondenseNet's
 * condensation), evaluation and timing.
 */
import * as os from 'node:os';

import * as tf from '@tensorflow/tfjs';

import {CostTotals, modelCost, totals} from '../cost';
import {ImageSet, Normalisation, batchCount, batches, pixelStats} from '../data/dataset';
import {OptimizerName, Schedule, learningRateAt, makeOptimizer, setLearningRate} from './optimizers';
import {seedWeights} from './seed';

export interface TrainData {
  train: ImageSet;
  validation?: ImageSet;
  test?: ImageSet;
}

export interface StepInfo {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  learningRate: number;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  schedule?: Schedule;
  /** L2 penalty on conv and dense kernels (added to the loss). Default 0. */
  weightDecay?: number;
  /** Label smoothing epsilon (Inception v3: 0.1). Default 0. */
  labelSmoothing?: number;
  seed: number;
  /** Stop when validation accuracy has not improved for this many epochs. */
  earlyStopPatience?: number;
  /** Called after each step with where the run stands (progress displays hook in here). */
  onProgress?: (progress: TrainProgress) => void | Promise<void>;
  /** The model's cost, when the caller has it already (the memory check needs it). */
  cost?: CostTotals;
  /** Called after each step (CondenseNet's condensing stages hook in here). */
  onStep?: (info: StepInfo, model: tf.LayersModel) => void | Promise<void>;
  onEpochEnd?: (epoch: EpochRecord, model: tf.LayersModel) => void | Promise<void>;
  /** Extra loss terms (e.g. a group-lasso), computed inside the gradient tape. */
  extraLoss?: (model: tf.LayersModel) => tf.Scalar | null;
  /**
   * Images over which batch-norm statistics are re-estimated after training
   * ("precise BN"); 0 keeps the moving averages. Default 1024.
   */
  preciseBatchNormImages?: number;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationAccuracy: number | null;
  learningRate: number;
  seconds: number;
}

export interface Timing {
  trainImagesPerSecond: number;
  /** Milliseconds per image, forward pass only, median of repeated runs (LATENCY_METHOD). */
  latencyMsBatch1: number;
  /** Interquartile range of the batch-1 runs over their median (absent in records made before it was measured). */
  latencySpreadBatch1?: number;
  latencyMsBatch64: number;
  /** Most bytes held in tensors at any step. */
  peakTensorBytes: number;
}

/**
 * The learning curve within training: the mean training loss and accuracy
 * over each of about STEP_CURVE_POINTS equal windows of steps, so that a
 * one-epoch run still shows how fast it learned.
 */
export interface StepCurvePoint {
  /** Images seen when the window closed. */
  images: number;
  trainLoss: number;
  trainAccuracy: number;
}

export const STEP_CURVE_POINTS = 16;

export interface TrainResult {
  curves: EpochRecord[];
  stepCurve: StepCurvePoint[];
  validationAccuracy: number | null;
  testAccuracy: number | null;
  stoppedEarly: boolean;
  seconds: number;
  timing: Timing;
}

interface InputSpec {resolution: number; channels: number}

/** Checks that the model can be fed from the data before anything trains. */
export function inputSpecFor(model: tf.LayersModel, data: ImageSet): InputSpec {
  const [, h, w, c] = model.inputs[0].shape;
  if (h == null || w == null || c == null || h !== w) {
    throw new Error(`model '${model.name}' wants input [${h}, ${w}, ${c}]; the lab feeds square images ` +
        'with a known size and channel count');
  }
  if (c !== data.channels && !(data.channels === 1 && c === 3)) {
    throw new Error(`model '${model.name}' wants ${c} input channels but ${data.name} has ${data.channels} ` +
        '(only grey -> RGB replication is supported)');
  }
  return {resolution: h, channels: c};
}

/**
 * Rough peak memory of training: activations kept for the backward pass
 * (x3 for their gradients and temporaries) plus weights, gradients and two
 * optimiser slots.
 */
export function estimateTrainingBytes(cost: Pick<CostTotals, 'activationBytes' | 'weightBytes'>, batchSize: number): number {
  return 3 * cost.activationBytes * batchSize + 4 * cost.weightBytes;
}

export function checkFitsInMemory(model: tf.LayersModel, batchSize: number,
                                  options: {cost?: CostTotals; budgetBytes?: number} = {}): void {
  const budgetBytes = options.budgetBytes ?? os.totalmem() / 2;
  const needed = estimateTrainingBytes(options.cost ?? totals(modelCost(model)), batchSize);
  if (needed > budgetBytes) {
    const gib = (b: number) => (b / 2 ** 30).toFixed(1);
    throw new Error(`training ${model.name} with batch ${batchSize} needs about ${gib(needed)} GiB, ` +
        `more than the ${gib(budgetBytes)} GiB allowed (half of this machine's memory): use a smaller batch size or resolution`);
  }
}

function kernelsOf(model: tf.LayersModel): tf.LayerVariable[] {
  return model.trainableWeights.filter(w => /kernel$/.test(w.originalName ?? w.name));
}

function lossOf(logits: tf.Tensor, y: tf.Tensor, smoothing: number): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(y, logits, undefined, smoothing) as tf.Scalar;
}

/**
 * Re-estimates every batch-norm layer's moving mean and variance as the plain
 * average over training batches with the final weights ("precise BN", as in
 * pycls). A run of a few hundred steps otherwise tests with moving averages
 * that lag weights which moved fast, and test accuracy can collapse while
 * training accuracy looks fine.
 */
export function recalibrateBatchNorm(model: tf.LayersModel, set: ImageSet, normalisation: Normalisation,
                                     images: number, batchSize: number): void {
  const layers = model.layers.filter(l => l.getClassName() === 'BatchNormalization') as unknown as
      Array<{momentum: number; getWeights(): tf.Tensor[]; setWeights(w: tf.Tensor[]): void}>;
  if (layers.length === 0 || images <= 0) return;
  const saved = layers.map(l => l.momentum);
  const spec = inputSpecFor(model, set);
  let seen = 0;
  try {
    for (const batch of batches(set, {batchSize, normalisation, shuffleSeed: 99, ...spec})) {
      seen++;
      // Momentum (k-1)/k makes the k-th update a running mean of batch stats.
      for (const layer of layers) layer.momentum = (seen - 1) / seen;
      tf.tidy(() => { model.apply(batch.x, {training: true}); });
      tf.dispose([batch.x, batch.y]);
      if (seen * batchSize >= images) break;
    }
  } finally {
    layers.forEach((l, i) => { l.momentum = saved[i]; });
  }
}

/** Top-1 accuracy over a whole set, in inference mode, batch by batch. */
export async function evaluate(model: tf.LayersModel, set: ImageSet, normalisation: Normalisation,
                               batchSize = 128): Promise<number> {
  const spec = inputSpecFor(model, set);
  let correct = 0;
  for (const batch of batches(set, {batchSize, normalisation, ...spec})) {
    const hits = tf.tidy(() => {
      const logits = model.predict(batch.x) as tf.Tensor;
      return logits.argMax(-1).equal(batch.y.argMax(-1)).sum();
    });
    correct += (await hits.data())[0];
    tf.dispose([hits, batch.x, batch.y]);
  }
  return correct / set.count;
}

/** How latency is measured: warm-up runs first, then at least `repeats` timed runs and at least `seconds` of them. */
export interface LatencyMethod {
  warmup: number;
  repeats: number;
  seconds: number;
  maxRepeats: number;
}

/** Batch 1, what the chapters plot: enough repeats for a stable median of a millisecond-long run. */
export const LATENCY_METHOD: LatencyMethod = {warmup: 3, repeats: 15, seconds: 0.3, maxRepeats: 200};
/** Batch 64 runs are long: a few repeats are enough, and more would cost seconds a run. */
const BATCH_LATENCY_METHOD: LatencyMethod = {warmup: 1, repeats: 5, seconds: 0, maxRepeats: 5};

/**
 * Forward-pass time per image at a batch size, in ms, as benchmarks
 * measure it: a few untimed warm-up runs (the first compiles and allocates),
 * then repeated timed runs, reporting the median and the spread (the
 * middle half's width relative to the median). Nothing else runs meanwhile:
 * each run waits for its result.
 */
export async function measureLatency(model: tf.LayersModel, batchSize: number, method: LatencyMethod = LATENCY_METHOD):
    Promise<{median: number; spread: number; repeats: number}> {
  const shape = model.inputs[0].shape.slice(1) as number[];
  const x = tf.randomNormal([batchSize, ...shape], 0, 1, 'float32', 7);
  const once = async () => {
    const started = performance.now();
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
    return performance.now() - started;
  };
  for (let i = 0; i < method.warmup; i++) await once();
  const times: number[] = [];
  const began = performance.now();
  while (times.length < method.maxRepeats && (times.length < method.repeats || performance.now() - began < 1000 * method.seconds)) {
    times.push(await once());
  }
  x.dispose();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  const median = at(0.5);
  return {median: median / batchSize, spread: (at(0.75) - at(0.25)) / median, repeats: times.length};
}

/** Where a run stands, after each step: what a progress display shows. */
export interface TrainProgress {
  step: number;
  totalSteps: number;
  /** 0-based epoch of this step. */
  epoch: number;
  epochs: number;
  loss: number;
  /** Training images consumed so far, and in all epochs. */
  images: number;
  totalImages: number;
  /** Seconds spent in training steps so far. */
  seconds: number;
}

/** Everything one run's epochs share: built once by `train`, read by `trainEpoch` and `finishTraining`. */
interface RunState {
  model: tf.LayersModel;
  data: TrainData;
  options: TrainOptions;
  spec: InputSpec;
  normalisation: Normalisation;
  schedule: Schedule;
  optimizer: tf.Optimizer;
  kernels: tf.LayerVariable[];
  stepsPerEpoch: number;
  totalSteps: number;
  step: number;
  images: number;
  /** Seconds in training steps (validation excluded): what images/s is measured over. */
  trainSeconds: number;
  peakTensorBytes: number;
  /** Steps per window of the step curve, and the window being filled. */
  curveWindow: number;
  window: {steps: number; images: number; lossSum: number; correct: number};
  stepCurve: StepCurvePoint[];
}

/** Adds one step to the step curve's window; closes the window when full or at the last step. */
function recordStep(state: RunState, images: number, loss: number, hits: number): void {
  const w = state.window;
  w.steps++;
  w.images += images;
  w.lossSum += loss * images;
  w.correct += hits;
  if (w.steps === state.curveWindow || state.step === state.totalSteps) {
    state.stepCurve.push({images: state.images, trainLoss: w.lossSum / w.images, trainAccuracy: w.correct / w.images});
    state.window = {steps: 0, images: 0, lossSum: 0, correct: 0};
  }
}

function checkTrainOptions(options: TrainOptions): void {
  const {epochs, batchSize, labelSmoothing = 0} = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs must be a whole number >= 1, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a whole number >= 1, got ${batchSize}`);
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new Error(`label smoothing must be in [0, 1), got ${labelSmoothing}`);
}

/** One pass over the training set: the steps, then validation. */
async function trainEpoch(state: RunState, epoch: number): Promise<EpochRecord> {
  const {model, data, options, optimizer, kernels} = state;
  const {batchSize, seed, labelSmoothing = 0, weightDecay = 0} = options;
  const epochStarted = performance.now();
  let lossSum = 0;
  let correct = 0;
  let learningRate = options.learningRate;
  for (const batch of batches(data.train, {batchSize, normalisation: state.normalisation, shuffleSeed: seed * 1000 + epoch, ...state.spec})) {
    learningRate = learningRateAt(state.schedule, options.learningRate, state.step, state.totalSteps, state.stepsPerEpoch);
    setLearningRate(optimizer, learningRate);
    let hits: tf.Tensor | null = null;
    const loss = optimizer.minimize(() => {
      const logits = model.apply(batch.x, {training: true}) as tf.Tensor;
      hits = tf.keep(logits.argMax(-1).equal(batch.y.argMax(-1)).sum());
      let total = lossOf(logits, batch.y, labelSmoothing);
      if (weightDecay > 0) total = total.add(tf.addN(kernels.map(k => k.read().square().sum())).mul(weightDecay / 2));
      const extra = options.extraLoss?.(model);
      if (extra != null) total = total.add(extra);
      return total as tf.Scalar;
    }, true);
    state.peakTensorBytes = Math.max(state.peakTensorBytes, tf.memory().numBytes);
    const lossValue = (await loss!.data())[0];
    const hitCount = (await hits!.data())[0];
    correct += hitCount;
    tf.dispose([loss!, hits!, batch.x, batch.y]);
    if (!Number.isFinite(lossValue)) {
      throw new Error(`training diverged: loss is ${lossValue} at step ${state.step + 1} (epoch ${epoch + 1}), ` +
          `learning rate ${learningRate}; try a smaller learning rate`);
    }
    lossSum += lossValue * batch.labels.length;
    state.step++;
    state.images += batch.labels.length;
    recordStep(state, batch.labels.length, lossValue, hitCount);
    await options.onStep?.({step: state.step, totalSteps: state.totalSteps, epoch, loss: lossValue, learningRate}, model);
    await options.onProgress?.({
      step: state.step, totalSteps: state.totalSteps, epoch, epochs: options.epochs, loss: lossValue,
      images: state.images, totalImages: options.epochs * data.train.count,
      seconds: state.trainSeconds + (performance.now() - epochStarted) / 1000,
    });
  }
  state.trainSeconds += (performance.now() - epochStarted) / 1000;
  const validationAccuracy = data.validation ? await evaluate(model, data.validation, state.normalisation) : null;
  const record: EpochRecord = {
    epoch: epoch + 1, trainLoss: lossSum / data.train.count, trainAccuracy: correct / data.train.count,
    validationAccuracy, learningRate, seconds: (performance.now() - epochStarted) / 1000,
  };
  await options.onEpochEnd?.(record, model);
  return record;
}

/** After the last epoch: batch-norm recalibration, test accuracy and timing. */
async function finishTraining(state: RunState, curves: EpochRecord[], stoppedEarly: boolean, started: number): Promise<TrainResult> {
  const {model, data, options} = state;
  recalibrateBatchNorm(model, data.train, state.normalisation, options.preciseBatchNormImages ?? 1024, options.batchSize);
  const testAccuracy = data.test ? await evaluate(model, data.test, state.normalisation) : null;
  return {
    curves,
    stepCurve: state.stepCurve,
    validationAccuracy: curves.at(-1)?.validationAccuracy ?? null,
    testAccuracy,
    stoppedEarly,
    seconds: (performance.now() - started) / 1000,
    timing: {
      trainImagesPerSecond: (curves.length * data.train.count) / state.trainSeconds,
      ...await latencyTiming(model),
      peakTensorBytes: state.peakTensorBytes,
    },
  };
}

async function latencyTiming(model: tf.LayersModel): Promise<Pick<Timing, 'latencyMsBatch1' | 'latencySpreadBatch1' | 'latencyMsBatch64'>> {
  const one = await measureLatency(model, 1);
  const many = await measureLatency(model, 64, BATCH_LATENCY_METHOD);
  return {latencyMsBatch1: one.median, latencySpreadBatch1: one.spread, latencyMsBatch64: many.median};
}

/** Stops early when validation accuracy has not improved for `patience` epochs. */
function earlyStopper(patience: number | undefined): (record: EpochRecord) => boolean {
  let best = -Infinity;
  let sinceBest = 0;
  return record => {
    if (patience == null || record.validationAccuracy == null) return false;
    if (record.validationAccuracy > best) {
      best = record.validationAccuracy;
      sinceBest = 0;
      return false;
    }
    return ++sinceBest >= patience;
  };
}

export async function train(model: tf.LayersModel, data: TrainData, options: TrainOptions): Promise<TrainResult> {
  checkTrainOptions(options);
  const spec = inputSpecFor(model, data.train);
  checkFitsInMemory(model, options.batchSize, {cost: options.cost});
  const optimizer = makeOptimizer(options.optimizer, options.learningRate);
  seedWeights(model, options.seed);
  const stepsPerEpoch = batchCount(data.train, options.batchSize);
  const state: RunState = {
    model, data, options, spec, optimizer, stepsPerEpoch,
    normalisation: pixelStats(data.train),
    schedule: options.schedule ?? {kind: 'constant'},
    kernels: kernelsOf(model),
    totalSteps: options.epochs * stepsPerEpoch,
    step: 0, images: 0, trainSeconds: 0, peakTensorBytes: tf.memory().numBytes,
    curveWindow: Math.max(1, Math.ceil(options.epochs * stepsPerEpoch / STEP_CURVE_POINTS)),
    window: {steps: 0, images: 0, lossSum: 0, correct: 0}, stepCurve: [],
  };
  const started = performance.now();
  const shouldStop = earlyStopper(options.earlyStopPatience);
  const curves: EpochRecord[] = [];
  let stoppedEarly = false;
  try {
    for (let epoch = 0; epoch < options.epochs && !stoppedEarly; epoch++) {
      const record = await trainEpoch(state, epoch);
      curves.push(record);
      stoppedEarly = shouldStop(record);
    }
  } finally {
    optimizer.dispose();
  }
  return finishTraining(state, curves, stoppedEarly, started);
}
