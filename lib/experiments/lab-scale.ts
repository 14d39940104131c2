/**
 * The networks the chapters train, built for the lab's data: a data set's
 * images give the input and output (lib/data/shapes.ts), and a family that
 * would shrink 28 px images to nothing carries its own lab-scale settings
 * (`labScale` in its models/ file: MobileNet's first stride removed, fewer
 * layers). One definition each, which the chapters and `cnnlab train` share.
 */
import {DATASET_SHAPES, DatasetName} from '../data/shapes';
import {getFamily} from '../models';

/** The options that fit a network to a data set's images: resolution, channels and classes. */
export function inputFor(dataset: DatasetName = 'fashion-mnist'): {resolution: number; channels: number; classes: number} {
  const {side, channels, classes} = DATASET_SHAPES[dataset];
  return {resolution: side, channels, classes};
}

/** A family at lab scale on a data set's images: its `labScale` settings with the data set's input and classes. */
export function labScaleOptions(family: string, dataset: DatasetName = 'fashion-mnist'): Record<string, number | string | boolean> {
  const settings: Record<string, number | string | boolean> = {};
  for (const [key, value] of Object.entries(getFamily(family).labScale ?? {})) {
    if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
      throw new Error(`${family}'s lab-scale setting '${key}' must be a number, text or true/false, got ${JSON.stringify(value)}`);
    }
    settings[key] = value;
  }
  return {...settings, ...inputFor(dataset)};
}
