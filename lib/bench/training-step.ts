/**
 * One training step of a benchmark net as the trainer takes it (batch 64,
 * synthetic images, Adam 2e-3, no gradient for the image), for the
 * benches that look inside a step: `npm run bench:profile` and
 * `npm run bench:kernel-ab`.
 */
import * as tf from '@tensorflow/tfjs';

import {syntheticImages} from '../data';
import {fuseBatchNormActivations} from '../layers/activation-fusion';
import {skipImageGradients} from '../layers/image-gradient';
import {makeOptimizer} from '../train/optimizers';
import {BENCH_NETS, BenchNet} from './nets';

export const STEP_BATCH = 64;

/**
 * Runs `measure` for both settings in each of `rounds` rounds, the first
 * setting first in even rounds and last in odd ones, so that neither
 * always runs on a warmer (or more loaded) machine: how the A/B benches
 * (kernel-ab, direct-conv-ab) compare two settings in one process.
 */
export async function inAlternatedRounds<S>(rounds: number, settings: readonly [S, S],
                                            measure: (setting: S) => Promise<void>): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (const setting of r % 2 === 0 ? settings : [settings[1], settings[0]]) await measure(setting);
  }
}

/** The benchmark net called `name`; an unknown name is an error naming the known ones. */
export function benchNetNamed(name: string, option = '--nets'): BenchNet {
  const net = BENCH_NETS.find(n => n.name === name);
  if (net == null) throw new Error(`${option}: unknown net '${name}'; known: ${BENCH_NETS.map(n => n.name).join(', ')}`);
  return net;
}

export interface TrainingStep {
  /** Runs one step and disposes what it returns (the loss). */
  run(): void;
  /** The tensors a step returns, for tf.profile. */
  runKeeping(): tf.Tensor[];
  dispose(): void;
}

/** Builds `net` and its optimizer; the first step (XNNPACK's operators, Adam's slots) runs here. */
export function trainingStep(net: BenchNet): TrainingStep {
  const [h, , c] = net.input;
  const data = syntheticImages({count: STEP_BATCH, size: h, channels: c, seed: 5});
  const model = net.build();
  skipImageGradients(model);  // as the trainer does
  fuseBatchNormActivations(model);
  const optimizer = makeOptimizer('adam', 2e-3);  // the trainer's Adam, as `npm run bench` trains
  const x = tf.tidy(() => tf.tensor4d(Float32Array.from(data.images), [STEP_BATCH, h, h, c]).div(255));
  const y = tf.oneHot(tf.tensor1d(Array.from(data.labels), 'int32'), 10);
  const runKeeping = () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, {training: true}) as tf.Tensor), false);
    return loss == null ? [] : [loss];
  };
  tf.dispose(runKeeping());
  return {
    run: () => tf.dispose(runKeeping()),
    runKeeping,
    dispose: () => {
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    },
  };
}
