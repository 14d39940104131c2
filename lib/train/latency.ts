/** Forward-pass latency as benchmarks measure it: warm-up, repeated timed runs, the median and the spread. */
import * as tf from '@tensorflow/tfjs';

import {Timing} from './options';

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
export const BATCH_LATENCY_METHOD: LatencyMethod = {warmup: 1, repeats: 5, seconds: 0, maxRepeats: 5};

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

/** A trained model's batch-1 and batch-64 latency, as a record's timing keeps them. */
export async function latencyTiming(model: tf.LayersModel): Promise<Pick<Timing, 'latencyMsBatch1' | 'latencySpreadBatch1' | 'latencyMsBatch64'>> {
  const one = await measureLatency(model, 1);
  const many = await measureLatency(model, 64, BATCH_LATENCY_METHOD);
  return {latencyMsBatch1: one.median, latencySpreadBatch1: one.spread, latencyMsBatch64: many.median};
}
