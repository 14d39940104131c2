/**
 * How long runs will take, from speeds the lab has measured: a run's
 * training time is its images over the images per second that a measured
 * run of the same network, engine and batch reached. Where no such run was
 * measured, the engine's median multiply-add rate over the measured runs
 * stands in (when the caller can cost the network). This is how a chapter
 * states its full budget's time from its quick run's own speeds.
 */
import {Run, ExperimentConfig, speedKey} from './spec';

export {formatDuration} from '../display/format';

export interface TimeEstimate {
  /** Estimated training seconds of every run that could be estimated. */
  seconds: number;
  /** Runs timed from a measured run of the same network. */
  fromSameNetwork: number;
  /** Runs timed from the engine's multiply-add rate. */
  fromMacRate: number;
  /** Runs nothing could time (no measured run on that engine). */
  unknown: number;
}

export interface EstimateInputs {
  /** Training images of a run over all its epochs. */
  trainingImages: (config: ExperimentConfig) => number;
  /** Multiply-adds per image of a run's network, when it can be costed. */
  macsOf?: (config: ExperimentConfig) => number;
}

/** Images per second of each measured network (mean over its runs). */
export function measuredSpeeds(measured: readonly Run[]): Map<string, number> {
  const sums = new Map<string, {total: number; n: number}>();
  for (const run of measured) {
    const speed = run.result.timing.trainImagesPerSecond;
    if (!(speed > 0)) continue;
    const key = speedKey(run.config);
    const entry = sums.get(key) ?? {total: 0, n: 0};
    entry.total += speed;
    entry.n++;
    sums.set(key, entry);
  }
  return new Map([...sums].map(([key, {total, n}]) => [key, total / n]));
}

/** Median multiply-adds per second of training, per backend, over measured runs. */
export function macRates(measured: readonly Run[]): Map<string, number> {
  const rates = new Map<string, number[]>();
  for (const run of measured) {
    const rate = run.result.macs * run.result.timing.trainImagesPerSecond;
    if (!(rate > 0)) continue;
    rates.set(run.config.backend, [...(rates.get(run.config.backend) ?? []), rate]);
  }
  return new Map([...rates].map(([backend, values]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return [backend, sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2];
  }));
}

/** Seconds one run would train for, or null when nothing measured can time it. */
export function estimateRunSeconds(config: ExperimentConfig, speeds: ReadonlyMap<string, number>,
                                   rates: ReadonlyMap<string, number>, inputs: EstimateInputs):
    {seconds: number; source: 'same network' | 'MAC rate'} | null {
  const speed = speeds.get(speedKey(config));
  if (speed != null) return {seconds: inputs.trainingImages(config) / speed, source: 'same network'};
  const rate = rates.get(config.backend);
  if (rate == null || inputs.macsOf == null) return null;
  return {seconds: inputs.trainingImages(config) * inputs.macsOf(config) / rate, source: 'MAC rate'};
}

export function estimateSeconds(configs: readonly ExperimentConfig[], measured: readonly Run[],
                                inputs: EstimateInputs): TimeEstimate {
  const speeds = measuredSpeeds(measured);
  const rates = macRates(measured);
  const estimate: TimeEstimate = {seconds: 0, fromSameNetwork: 0, fromMacRate: 0, unknown: 0};
  for (const config of configs) {
    const one = estimateRunSeconds(config, speeds, rates, inputs);
    if (one == null) {
      estimate.unknown++;
      continue;
    }
    estimate.seconds += one.seconds;
    if (one.source === 'same network') estimate.fromSameNetwork++;
    else estimate.fromMacRate++;
  }
  return estimate;
}

