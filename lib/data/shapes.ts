/**
 * The data sets the lab trains on, by name, with the shape of their images:
 * what a network built for one must take in and put out. The loaders check
 * the files they read against these.
 */
export const DATASETS = ['fashion-mnist', 'cifar10', 'synthetic'] as const;
export type DatasetName = typeof DATASETS[number];

export interface DatasetShape {
  /** Image side in pixels (square images). */
  side: number;
  channels: number;
  classes: number;
}

export const DATASET_SHAPES: Readonly<Record<DatasetName, DatasetShape>> = {
  'fashion-mnist': {side: 28, channels: 1, classes: 10},
  'cifar10': {side: 32, channels: 3, classes: 10},
  // lib/data/synthetic.ts's defaults: 28 x 28 grey images of 10 classes.
  'synthetic': {side: 28, channels: 1, classes: 10},
};
