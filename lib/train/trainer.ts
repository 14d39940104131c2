/**
 * The lab's training loop: seeded, streamed batches, the papers' optimisers
 * and schedules, weight decay, label smoothing, progress, early stopping,
 * a per-step hook for schedules that change the model (CondenseNet's
 * condensation), evaluation and timing.
 */
import * as os from 'node:os';

import * as tf from '@tensorflow/tfjs';

import {modelCost, totals} from '../cost';
import {ImageSet, Normalisation, batchCount, batches, pixelStats} from '../data/dataset';
import {yieldToEventLoop} from '../notebook/mime';
import {createProgress} from '../notebook/progress';
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
  /** Where to draw progress; default notebook in a kernel, else terminal. */
  progress?: 'notebook' | 'terminal' | 'silent';
  progressLabel?: string;
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
  /** Milliseconds per image, forward pass only, median of several runs. */
  latencyMsBatch1: number;
  latencyMsBatch64: number;
  /** Most bytes held in tensors at any step. */
  peakTensorBytes: number;
}

export interface TrainResult {
  curves: EpochRecord[];
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
export function estimateTrainingBytes(model: tf.LayersModel, batchSize: number): number {
  const cost = totals(modelCost(model));
  return 3 * cost.activationBytes * batchSize + 4 * cost.weightBytes;
}

export function checkFitsInMemory(model: tf.LayersModel, batchSize: number, budgetBytes = os.totalmem() / 2): void {
  const needed = estimateTrainingBytes(model, batchSize);
  if (needed > budgetBytes) {
    const gib = (b: number) => (b / 2 ** 30).toFixed(1);
    throw new Error(`training ${model.name} with batch ${batchSize} needs about ${gib(needed)} GiB, ` +
        `more than the ${gib(budgetBytes)} GiB allowed (half of this machine's memory): use a smaller --batch or resolution`);
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

/** Median forward-pass time per image at a batch size, in ms. */
export async function measureLatency(model: tf.LayersModel, batchSize: number, repeats = 5): Promise<number> {
  const shape = model.inputs[0].shape.slice(1) as number[];
  const x = tf.randomNormal([batchSize, ...shape], 0, 1, 'float32', 7);
  const times: number[] = [];
  for (let i = 0; i < repeats + 1; i++) {
    const started = performance.now();
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
    if (i > 0) times.push(performance.now() - started);  // the first run warms up
  }
  x.dispose();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] / batchSize;
}

export async function train(model: tf.LayersModel, data: TrainData, options: TrainOptions): Promise<TrainResult> {
  const {epochs, batchSize, seed, labelSmoothing = 0, weightDecay = 0} = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs must be a whole number >= 1, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a whole number >= 1, got ${batchSize}`);
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new Error(`label smoothing must be in [0, 1), got ${labelSmoothing}`);
  const spec = inputSpecFor(model, data.train);
  checkFitsInMemory(model, batchSize);
  const normalisation = pixelStats(data.train);
  const schedule = options.schedule ?? {kind: 'constant'};
  const optimizer = makeOptimizer(options.optimizer, options.learningRate);
  const kernels = kernelsOf(model);
  seedWeights(model, seed);

  const stepsPerEpoch = batchCount(data.train, batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  await yieldToEventLoop();
  const progress = createProgress({total: totalSteps, label: options.progressLabel ?? model.name, target: options.progress});
  await yieldToEventLoop();
  const curves: EpochRecord[] = [];
  let step = 0;
  let peakTensorBytes = tf.memory().numBytes;
  let trainSeconds = 0;
  let best = -Infinity;
  let sinceBest = 0;
  let stoppedEarly = false;
  const started = performance.now();

  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const epochStarted = performance.now();
      let lossSum = 0;
      let correct = 0;
      let learningRate = options.learningRate;
      for (const batch of batches(data.train, {batchSize, normalisation, shuffleSeed: seed * 1000 + epoch, ...spec})) {
        learningRate = learningRateAt(schedule, options.learningRate, step, totalSteps, stepsPerEpoch);
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
        peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
        const lossValue = (await loss!.data())[0];
        correct += (await hits!.data())[0];
        tf.dispose([loss!, hits!, batch.x, batch.y]);
        if (!Number.isFinite(lossValue)) {
          throw new Error(`training diverged: loss is ${lossValue} at step ${step + 1} (epoch ${epoch + 1}), ` +
              `learning rate ${learningRate}; try a smaller --lr`);
        }
        lossSum += lossValue * batch.labels.length;
        step++;
        progress.update(step, `epoch ${epoch + 1}/${epochs} loss ${lossValue.toFixed(3)}`);
        // Lets a progress message finish sending before the next step (mime.ts).
        await yieldToEventLoop();
        await options.onStep?.({step, totalSteps, epoch, loss: lossValue, learningRate}, model);
      }
      trainSeconds += (performance.now() - epochStarted) / 1000;
      const validationAccuracy = data.validation ? await evaluate(model, data.validation, normalisation) : null;
      const record: EpochRecord = {
        epoch: epoch + 1, trainLoss: lossSum / data.train.count, trainAccuracy: correct / data.train.count,
        validationAccuracy, learningRate, seconds: (performance.now() - epochStarted) / 1000,
      };
      curves.push(record);
      await options.onEpochEnd?.(record, model);
      if (options.earlyStopPatience != null && validationAccuracy != null) {
        if (validationAccuracy > best) {
          best = validationAccuracy;
          sinceBest = 0;
        } else if (++sinceBest >= options.earlyStopPatience) {
          stoppedEarly = true;
          break;
        }
      }
    }
  } catch (error) {
    progress.finish('stopped');
    throw error;
  } finally {
    optimizer.dispose();
  }
  recalibrateBatchNorm(model, data.train, normalisation, options.preciseBatchNormImages ?? 1024, batchSize);
  await yieldToEventLoop();
  progress.finish('done');
  await yieldToEventLoop();
  const testAccuracy = data.test ? await evaluate(model, data.test, normalisation) : null;
  return {
    curves,
    validationAccuracy: curves.at(-1)?.validationAccuracy ?? null,
    testAccuracy,
    stoppedEarly,
    seconds: (performance.now() - started) / 1000,
    timing: {
      trainImagesPerSecond: (curves.length * data.train.count) / trainSeconds,
      latencyMsBatch1: await measureLatency(model, 1),
      latencyMsBatch64: await measureLatency(model, 64),
      peakTensorBytes,
    },
  };
}
