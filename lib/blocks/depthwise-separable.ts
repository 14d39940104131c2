import * as tf from '@tensorflow/tfjs';

import {applyTo} from '../layers/apply';
import {Act, activation, batchNorm, convBnAct} from './conv-bn-act';

export interface DepthwiseSeparableArgs {
  /** Output channels of the pointwise (1x1) step. */
  filters: number;
  /** Stride of the depthwise step. Default 1. */
  strides?: number;
  /** Depthwise kernel side. Default 3. */
  kernelSize?: number;
  /** Activation after each step. Default 'relu' (MobileNet v1, Fig. 3 right). */
  act?: Act;
  name: string;
}

/**
 * MobileNet v1's depthwise separable layer (Howard et al. 2017, Fig. 3):
 * 3x3 depthwise -> BN -> act -> 1x1 pointwise -> BN -> act.
 */
export function depthwiseSeparable(x: tf.SymbolicTensor, args: DepthwiseSeparableArgs): tf.SymbolicTensor {
  const {filters, strides = 1, kernelSize = 3, act = 'relu', name} = args;
  let y = applyTo(tf.layers.depthwiseConv2d({
    kernelSize, strides, padding: 'same', useBias: false, name: `${name}_dw_conv`,
  }), x);
  y = activation(batchNorm(y, `${name}_dw_bn`), act, `${name}_dw_act`);
  return convBnAct(y, {filters, kernelSize: 1, act, name: `${name}_pw`});
}
