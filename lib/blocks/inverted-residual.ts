import * as tf from '@tensorflow/tfjs';

import {applyTo} from '../layers/apply';
import {Act, activation, batchNorm, convBnAct} from './conv-bn-act';
import {squeezeExcite} from './squeeze-excite';
import {channelsOf} from './util';

export interface InvertedResidualArgs {
  /** Output channels (already rounded by the caller's width rule). */
  outChannels: number;
  /** Hidden width of the expansion: t * input channels in V2, a table entry in V3. */
  expandedChannels: number;
  /** Depthwise stride. */
  strides: number;
  /** Depthwise kernel side. Default 3. */
  kernelSize?: number;
  /** Activation of the expansion and depthwise steps. Default 'relu6'. */
  act?: Act;
  /**
   * Activation after the 1x1 projection: 'linear' is the paper's linear
   * bottleneck; 'relu6' is the non-linear ablation of Sandler et al. Fig. 6.
   */
  projectionAct?: Act;
  /** Squeeze-and-excite channels after the depthwise step (V3); 0 = none. */
  squeezeChannels?: number;
  name: string;
}

/**
 * Inverted residual block (Sandler et al. 2018, §3.3, Fig. 3b; MobileNetV3
 * adds squeeze-and-excite and hard-swish):
 *
 *   1x1 expand (act) -> kxk depthwise (stride s, act) [-> SE]
 *     -> 1x1 project (linear) [+ identity if s == 1 and c_in == c_out]
 *
 * The expand conv is skipped when the expansion equals the input width, as in
 * the first stage of the V2 paper's Table 2 (torchvision and Keras agree).
 */
export function invertedResidual(x: tf.SymbolicTensor, args: InvertedResidualArgs): tf.SymbolicTensor {
  const {outChannels, expandedChannels, strides, kernelSize = 3, act = 'relu6', projectionAct = 'linear',
         squeezeChannels = 0, name} = args;
  const inChannels = channelsOf(x);
  let y = x;
  if (expandedChannels !== inChannels) {
    y = convBnAct(y, {filters: expandedChannels, kernelSize: 1, act, name: `${name}_expand`});
  }
  y = applyTo(tf.layers.depthwiseConv2d({
    kernelSize, strides, padding: 'same', useBias: false, name: `${name}_dw_conv`,
  }), y);
  y = activation(batchNorm(y, `${name}_dw_bn`), act, `${name}_dw_act`);
  if (squeezeChannels > 0) y = squeezeExcite(y, {squeezeChannels, name: `${name}_se`});
  y = convBnAct(y, {filters: outChannels, kernelSize: 1, act: projectionAct, name: `${name}_project`});
  const hasSkip = strides === 1 && inChannels === outChannels;
  return hasSkip ? applyTo(tf.layers.add({name: `${name}_add`}), [x, y]) : y;
}
