/**
 * The lab's training loop: seeded, streamed batches, the papers' optimisers
 * and schedules, weight decay, label smoothing, progress, a per-step hook
 * for schedules that change the model (CondenseNet's condensation), then
 * evaluation and timing. Options and results: options.ts; memory check:
 * memory.ts; evaluation: evaluate.ts; latency: latency.ts.
 */
import * as tf from '@tensorflow/tfjs';

import {Normalisation, batchCount, batches, pixelStats} from '../data/dataset';
import {fuseBatchNormActivations} from '../layers/activation-fusion';
import {skipImageGradients} from '../layers/image-gradient';
import {InputSpec, evaluate, inputSpecFor, recalibrateBatchNorm} from './evaluate';
import {latencyTiming} from './latency';
import {checkFitsInMemory} from './memory';
import {Schedule, learningRateAt, makeOptimizer, setLearningRate} from './optimizers';
import {EpochRecord, STEP_CURVE_POINTS, StepCurvePoint, TrainData, TrainOptions, TrainResult, checkTrainOptions} from './options';
import {seedWeights} from './seed';

function kernelsOf(model: tf.LayersModel): tf.LayerVariable[] {
  return model.trainableWeights.filter(w => /kernel$/.test(w.originalName ?? w.name));
}

function lossOf(logits: tf.Tensor, y: tf.Tensor, smoothing: number): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(y, logits, undefined, smoothing) as tf.Scalar;
}

/** Everything one run's epochs share: built once by `train`, read by `trainEpoch` and `finishTraining`. */
interface TrainingState {
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
function recordStep(state: TrainingState, images: number, loss: number, hits: number): void {
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

/** One pass over the training set: the steps, then validation. */
async function trainEpoch(state: TrainingState, epoch: number): Promise<EpochRecord> {
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
  return record;
}

/** After the last epoch: batch-norm recalibration, test accuracy and timing. */
async function finishTraining(state: TrainingState, curves: EpochRecord[], started: number): Promise<TrainResult> {
  const {model, data, options} = state;
  recalibrateBatchNorm(model, data.train, state.normalisation, options.preciseBatchNormImages ?? 1024, options.batchSize);
  const testStarted = performance.now();
  const testAccuracy = data.test ? await evaluate(model, data.test, state.normalisation) : null;
  const testSeconds = (performance.now() - testStarted) / 1000;
  return {
    curves,
    stepCurve: state.stepCurve,
    validationAccuracy: curves.at(-1)?.validationAccuracy ?? null,
    testAccuracy,
    seconds: (performance.now() - started) / 1000,
    timing: {
      trainImagesPerSecond: (curves.length * data.train.count) / state.trainSeconds,
      ...await latencyTiming(model),
      peakTensorBytes: state.peakTensorBytes,
      testSeconds,
    },
  };
}

export async function train(model: tf.LayersModel, data: TrainData, options: TrainOptions): Promise<TrainResult> {
  checkTrainOptions(options);
  const spec = inputSpecFor(model, data.train);
  checkFitsInMemory(model, options.batchSize, {cost: options.cost});
  const optimizer = makeOptimizer(options.optimizer, options.learningRate);
  seedWeights(model, options.seed);
  // The image needs no gradient; the stem's fused convolution would compute it (same values either way).
  skipImageGradients(model);
  // Batch norm applies the ReLU after it in its own kernels (same values, two passes fewer each way).
  fuseBatchNormActivations(model);
  const stepsPerEpoch = batchCount(data.train, options.batchSize);
  const state: TrainingState = {
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
  const curves: EpochRecord[] = [];
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) curves.push(await trainEpoch(state, epoch));
  } finally {
    optimizer.dispose();
  }
  return finishTraining(state, curves, started);
}
