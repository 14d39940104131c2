/**
 * Image sets kept as uint8 (60,000 Fashion-MNIST images are 47 MB) and
 * turned into float batches only as they are consumed: resized, normalised
 * and replicated to the channels a model wants, one batch at a time, so that
 * memory stays bounded whatever the resolution (60,000 images at 96x96x3 in
 * float32 would be 6.6 GB).
 */
import * as tf from '@tensorflow/tfjs';

import {permutation} from './random';

export interface ImageSet {
  name: string;
  /** count x height x width x channels, row-major, 0..255. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  classNames: readonly string[];
}

export interface Normalisation {
  mean: number;
  std: number;
}

export function checkImageSet(set: ImageSet): void {
  const expected = set.count * set.height * set.width * set.channels;
  if (set.images.length !== expected) {
    throw new Error(`${set.name}: ${set.images.length} pixel values for ${set.count} images of ` +
        `${set.height}x${set.width}x${set.channels} (expected ${expected})`);
  }
  if (set.labels.length !== set.count) {
    throw new Error(`${set.name}: ${set.labels.length} labels for ${set.count} images`);
  }
  const classes = set.classNames.length;
  const bad = set.labels.findIndex(l => l >= classes);
  if (bad >= 0) throw new Error(`${set.name}: label ${set.labels[bad]} at index ${bad} is not below ${classes} classes`);
}

/** The images and labels at `indices`, in that order (a copy). */
export function subset(set: ImageSet, indices: ArrayLike<number>, name = set.name): ImageSet {
  const pixels = set.height * set.width * set.channels;
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i];
    if (!(from >= 0 && from < set.count)) throw new Error(`${set.name}: index ${from} out of range 0..${set.count - 1}`);
    images.set(set.images.subarray(from * pixels, (from + 1) * pixels), i * pixels);
    labels[i] = set.labels[from];
  }
  return {...set, name, images, labels, count: indices.length};
}

/** The first `limit` images after a seeded shuffle (a stratification-free random subset). */
export function take(set: ImageSet, limit: number, seed: number): ImageSet {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a whole number >= 1, got ${limit}`);
  if (limit >= set.count) return set;
  return subset(set, permutation(set.count, seed).subarray(0, limit), `${set.name}[${limit}]`);
}

/** Splits off a seeded validation set of `fraction` of the images. */
export function splitValidation(set: ImageSet, fraction: number, seed: number): {train: ImageSet; validation: ImageSet} {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`validation fraction must be in (0, 1), got ${fraction}`);
  const order = permutation(set.count, seed);
  const cut = Math.max(1, Math.round(set.count * fraction));
  return {
    validation: subset(set, order.subarray(0, cut), `${set.name}/validation`),
    train: subset(set, order.subarray(cut), `${set.name}/train`),
  };
}

/**
 * One run's images from the sets it draws on: `limit` training images after
 * a shuffle by the run's seed (so two arms at one seed train on the same
 * images), `testLimit` test images after a fixed shuffle, and a seeded
 * validation split where `validation` > 0. What every run does, from the
 * whole data set in Node and from the images a report carries in a browser.
 */
export function runSubsets(sets: {train: ImageSet; test: ImageSet},
                           config: {limit?: number | null; testLimit?: number | null; seed: number; validation: number}):
    {train: ImageSet; validation?: ImageSet; test: ImageSet} {
  let train = config.limit ? take(sets.train, config.limit, config.seed) : sets.train;
  const test = config.testLimit ? take(sets.test, config.testLimit, 7) : sets.test;
  let validation: ImageSet | undefined;
  if (config.validation > 0) ({train, validation} = splitValidation(train, config.validation, config.seed));
  return {train, validation, test};
}

/** Mean and standard deviation of all pixels, on the 0..1 scale. */
export function pixelStats(set: ImageSet): Normalisation {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < set.images.length; i++) {
    const v = set.images[i] / 255;
    sum += v;
    sumSq += v * v;
  }
  const n = set.images.length;
  const mean = sum / n;
  return {mean, std: Math.sqrt(Math.max(sumSq / n - mean * mean, 1e-12))};
}

export interface BatchOptions {
  batchSize: number;
  /** Square input side the model wants; default: the images' own. */
  resolution?: number;
  /** Channels the model wants: 1, or 3 (grey images are replicated). */
  channels?: number;
  normalisation: Normalisation;
  /** Shuffle with this seed (a new order per epoch: pass seed + epoch). */
  shuffleSeed?: number;
}

export interface Batch {
  x: tf.Tensor4D;
  /** One-hot labels, float32. */
  y: tf.Tensor2D;
  labels: Uint8Array;
}

export function batchCount(set: ImageSet, batchSize: number): number {
  return Math.ceil(set.count / batchSize);
}

/** Float batches made on demand; the caller disposes each batch's tensors. */
export function* batches(set: ImageSet, options: BatchOptions): Generator<Batch> {
  const {batchSize, normalisation: {mean, std}} = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a whole number >= 1, got ${batchSize}`);
  const resolution = options.resolution ?? set.height;
  const channels = options.channels ?? set.channels;
  if (channels !== set.channels && !(set.channels === 1 && channels === 3)) {
    throw new Error(`${set.name} has ${set.channels} channel${set.channels === 1 ? '' : 's'}; a model wanting ${channels} cannot be fed ` +
        '(only 1 -> 3 replication is supported)');
  }
  const order = options.shuffleSeed == null ? null : permutation(set.count, options.shuffleSeed);
  const pixels = set.height * set.width * set.channels;
  const classes = set.classNames.length;
  for (let start = 0; start < set.count; start += batchSize) {
    const size = Math.min(batchSize, set.count - start);
    const raw = new Float32Array(size * pixels);
    const labels = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      const index = order ? order[start + i] : start + i;
      const src = set.images.subarray(index * pixels, (index + 1) * pixels);
      for (let p = 0; p < pixels; p++) raw[i * pixels + p] = (src[p] / 255 - mean) / std;
      labels[i] = set.labels[index];
    }
    const {x, y} = tf.tidy(() => {
      let x = tf.tensor4d(raw, [size, set.height, set.width, set.channels]);
      if (resolution !== set.height || resolution !== set.width) {
        x = tf.image.resizeBilinear(x, [resolution, resolution], true);
      }
      if (channels !== set.channels) x = tf.tile(x, [1, 1, 1, channels]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() as tf.Tensor2D;
      return {x, y};
    });
    yield {x, y, labels};
  }
}
