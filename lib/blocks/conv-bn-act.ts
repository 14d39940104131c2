import * as tf from '@tensorflow/tfjs';

import {applyTo} from '../layers/apply';
import {labReLU} from '../layers/activation-fusion';
import {labBatchNormalization} from '../layers/batch-norm';
import {HardSwish} from '../layers/hard-activations';

/** Activations used by the model families in this lab. */
export type Act = 'relu' | 'relu6' | 'linear' | 'hardSwish' | 'elu';

export interface ConvBnActArgs {
  filters: number;
  /** Square kernel side, or [height, width] for factorised n x 1 / 1 x n. */
  kernelSize: number | [number, number];
  /** Default 1. */
  strides?: number;
  /** Default 'same'. */
  padding?: 'same' | 'valid';
  /** Default 'relu'; 'linear' leaves the output un-activated (a "linear bottleneck"). */
  act?: Act;
  /** Batch norm after the conv. Default true. */
  batchNorm?: boolean;
  /** Batch norm learns a scale (gamma). Default true; Keras's Inception models use false. */
  bnScale?: boolean;
  /** Prefix for the layers: `${name}_conv`, `_bn`, `_act`. */
  name: string;
}

/**
 * Batch-norm settings. Epsilon is Keras' 1e-3. Momentum is PyTorch's (0.1 in
 * its convention, 0.9 in Keras'), not Keras' 0.99: lab runs are a few
 * hundred steps, and with 0.99 the moving statistics used at test time are
 * still near their initial 0/1 after that, which ruins test accuracy.
 */
export const BN_EPSILON = 1e-3;
export const BN_MOMENTUM = 0.9;

/** Conv2D (no bias when followed by BN) -> BatchNorm -> activation. */
export function convBnAct(x: tf.SymbolicTensor, args: ConvBnActArgs): tf.SymbolicTensor {
  const {filters, kernelSize, strides = 1, padding = 'same', act = 'relu', batchNorm: withBn = true, bnScale = true, name} = args;
  let y = applyTo(tf.layers.conv2d({
    filters, kernelSize, strides, padding, useBias: !withBn, name: `${name}_conv`,
  }), x);
  if (withBn) y = batchNorm(y, `${name}_bn`, bnScale);
  return activation(y, act, `${name}_act`);
}

/** Batch norm with the lab's fused training kernels where the backend has them. */
export function batchNorm(x: tf.SymbolicTensor, name: string, scale = true): tf.SymbolicTensor {
  return applyTo(labBatchNormalization({epsilon: BN_EPSILON, momentum: BN_MOMENTUM, scale, name}), x);
}

export function activation(x: tf.SymbolicTensor, act: Act, name: string): tf.SymbolicTensor {
  switch (act) {
    case 'linear':
      return x;
    case 'relu':
      return applyTo(labReLU({name}), x);
    case 'relu6':
      return applyTo(labReLU({maxValue: 6, name}), x);
    case 'elu':
      return applyTo(tf.layers.elu({name}), x);
    case 'hardSwish':
      return applyTo(new HardSwish({name}), x);
  }
}
