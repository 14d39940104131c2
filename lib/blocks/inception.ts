import * as tf from '@tensorflow/tfjs';

import {convBnAct} from './conv-bn-act';

/** Output widths of the four branches of an Inception v1 module (GoogLeNet Table 1). */
export interface InceptionWidths {
  /** 1x1 branch. */
  readonly b1: number;
  /** 3x3 branch: 1x1 reduction, then 3x3. */
  readonly b3Reduce: number;
  readonly b3: number;
  /** "5x5" branch: 1x1 reduction, then `wideKernel` x `wideKernel`. */
  readonly b5Reduce: number;
  readonly b5: number;
  /** 3x3 max-pool, then 1x1 projection. */
  readonly poolProj: number;
}

export interface InceptionArgs {
  widths: InceptionWidths;
  /**
   * Kernel of the widest branch. The paper (Szegedy et al. 2015, Fig. 2b)
   * uses 5; torchvision's GoogLeNet uses 3 (a bug kept for its weights,
   * pytorch/vision#906), which changes the parameter count.
   */
  wideKernel?: 3 | 5;
  name: string;
}

/** Inception module with dimension reductions (Szegedy et al. 2015, Fig. 2b). */
export function inceptionV1Module(x: tf.SymbolicTensor, args: InceptionArgs): tf.SymbolicTensor {
  const {widths: w, wideKernel = 5, name} = args;
  const conv = (input: tf.SymbolicTensor, filters: number, kernelSize: number, part: string) =>
      convBnAct(input, {filters, kernelSize, name: `${name}_${part}`});
  const b1 = conv(x, w.b1, 1, 'b1');
  const b3 = conv(conv(x, w.b3Reduce, 1, 'b3_reduce'), w.b3, 3, 'b3');
  const b5 = conv(conv(x, w.b5Reduce, 1, 'b5_reduce'), w.b5, wideKernel, 'b5');
  const pooled = tf.layers.maxPooling2d({poolSize: 3, strides: 1, padding: 'same', name: `${name}_pool`}).apply(x) as tf.SymbolicTensor;
  const bPool = conv(pooled, w.poolProj, 1, 'pool_proj');
  return tf.layers.concatenate({name: `${name}_concat`}).apply([b1, b3, b5, bPool]) as tf.SymbolicTensor;
}
