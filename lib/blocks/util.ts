import * as tf from '@tensorflow/tfjs';

import {applyTo} from '../layers/apply';

/** Number of channels of an NHWC symbolic tensor. */
export function channelsOf(x: tf.SymbolicTensor): number {
  const c = x.shape[x.shape.length - 1];
  if (c == null) throw new Error(`channel dimension of ${x.name} is unknown`);
  return c;
}

/** A global-average-pool + dense classifier head. */
export function classifierHead(x: tf.SymbolicTensor, classes: number, options: {dropout?: number} = {}): tf.SymbolicTensor {
  let y = applyTo(tf.layers.globalAveragePooling2d({name: 'pool'}), x);
  if (options.dropout) y = applyTo(tf.layers.dropout({rate: options.dropout, name: 'dropout'}), y);
  return applyTo(tf.layers.dense({units: classes, name: 'logits'}), y);
}
