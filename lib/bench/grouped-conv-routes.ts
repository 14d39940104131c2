/**
 * The grouped convolution's routes (lib/layers/group-conv.ts) measured on
 * the engine in use: one training step's forward and backward pass for
 * each route and number of groups, beside the multiply-adds the grouped
 * convolution needs. Chapter 02 shows where multiply-adds do not predict
 * time; docs/engine.md has the figures behind 'auto''s rule.
 */
import * as tf from '@tensorflow/tfjs';

import {GroupConvRoute, groupedConv2d, resolveRoute} from '../layers/group-conv';
import {wave} from './gradients';

export type MeasuredRoute = Exclude<GroupConvRoute, 'auto'>;
export const MEASURED_ROUTES: readonly MeasuredRoute[] = ['split', 'depthwise', 'masked', 'direct'];

export interface RouteTiming {
  groups: number;
  /** Input channels each group sees. */
  inputsPerGroup: number;
  /** Multiply-adds of the grouped convolution, forward, per batch. */
  macs: number;
  /** Median milliseconds of one forward + backward step, by route (G = 1: the regular convolution under every name). */
  ms: Record<MeasuredRoute, number>;
  /** What 'auto' takes for this shape. */
  auto: MeasuredRoute | 'conv';
}

export interface RouteShape {
  batch: number;
  size: number;
  channels: number;
  kernel: number;
}

/** One training step's gradients (input and kernel) through a grouped convolution, read back. */
function step(x: tf.Tensor4D, kernel: tf.Tensor4D, groups: number, route: MeasuredRoute | 'conv'): void {
  tf.tidy(() => {
    const grads = tf.grads((a: tf.Tensor, k: tf.Tensor) =>
        groupedConv2d(a as tf.Tensor4D, k as tf.Tensor4D, groups, 1, 'same', route).square().mean() as tf.Scalar)([x, kernel]);
    for (const g of grads) g.dataSync();
  });
}

/** Median of `repeats` timed steps after two untimed ones. */
function medianMs(run: () => void, repeats: number): number {
  run();
  run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Times every route for each number of groups on `shape` (channels in = channels out). */
export function timeGroupConvRoutes(shape: RouteShape, groupsList: readonly number[], repeats = 5): RouteTiming[] {
  const {batch, size, channels, kernel: k} = shape;
  return groupsList.map(groups => {
    if (channels % groups !== 0) throw new Error(`timeGroupConvRoutes: ${channels} channels do not divide into ${groups} groups`);
    const x = wave([batch, size, size, channels], 1) as tf.Tensor4D;
    const kernel = wave([k, k, channels / groups, channels], 2) as tf.Tensor4D;
    try {
      const ms = Object.fromEntries(MEASURED_ROUTES.map(route =>
          [route, medianMs(() => step(x, kernel, groups, groups === 1 ? 'conv' : route), repeats)])) as Record<MeasuredRoute, number>;
      return {groups, inputsPerGroup: channels / groups, macs: batch * size * size * channels * k * k * (channels / groups), ms,
              auto: resolveRoute('auto', groups, channels) as MeasuredRoute | 'conv'};
    } finally {
      tf.dispose([x, kernel]);
    }
  });
}

/**
 * The largest relative difference of each route's output and gradients
 * from the split route's, for one shape: the routes compute one function.
 */
export function routeAgreement(shape: RouteShape, groups: number): Record<MeasuredRoute, number> {
  const {batch, size, channels, kernel: k} = shape;
  return tf.tidy(() => {
    const x = wave([batch, size, size, channels], 3) as tf.Tensor4D;
    const kernel = wave([k, k, channels / groups, channels], 4) as tf.Tensor4D;
    const outputs = (route: MeasuredRoute) => {
      const f = (a: tf.Tensor, w: tf.Tensor) => groupedConv2d(a as tf.Tensor4D, w as tf.Tensor4D, groups, 1, 'same', route);
      const grads = tf.grads((a: tf.Tensor, w: tf.Tensor) => f(a, w).square().mean() as tf.Scalar)([x, kernel]);
      return [f(x, kernel), ...grads];
    };
    const reference = outputs('split');
    return Object.fromEntries(MEASURED_ROUTES.map(route => {
      const mine = outputs(route);
      const worst = Math.max(...mine.map((t, i) =>
          t.sub(reference[i]).abs().max().dataSync()[0] / Math.max(reference[i].abs().max().dataSync()[0], 1e-30)));
      return [route, worst];
    })) as Record<MeasuredRoute, number>;
  });
}
