/**
 * What a training run is given and what it returns: the options, the
 * progress a display is shown after each step, and the result with its
 * curves and timing.
 */
import * as tf from '@tensorflow/tfjs';

import {CostTotals} from '../cost';
import {ImageSet} from '../data/dataset';
import {OptimizerName, Schedule} from './optimizers';

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
  /** Called after each step with where the run stands (progress displays hook in here). */
  onProgress?: (progress: TrainProgress) => void | Promise<void>;
  /** The model's cost, when the caller has it already (the memory check needs it). */
  cost?: CostTotals;
  /** Called after each step (CondenseNet's condensing stages hook in here). */
  onStep?: (info: StepInfo, model: tf.LayersModel) => void | Promise<void>;
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
  /** Seconds spent evaluating the test set: what its size costs (absent in records made before 2026-12-02). */
  testSeconds?: number;
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
  seconds: number;
  timing: Timing;
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

/** Refuses options no run can train with, naming the option and the value. */
export function checkTrainOptions(options: TrainOptions): void {
  const {epochs, batchSize, labelSmoothing = 0} = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs must be a whole number >= 1, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a whole number >= 1, got ${batchSize}`);
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new Error(`label smoothing must be in [0, 1), got ${labelSmoothing}`);
}
