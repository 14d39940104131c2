import * as tf from '@tensorflow/tfjs';

import {applyTo} from '../layers/apply';
import {HardSigmoid} from '../layers/hard-activations';
import {channelsOf} from './util';

export interface SqueezeExciteArgs {
  /** Width of the bottleneck (MobileNetV3: make_divisible(channels / 4, 8)). */
  squeezeChannels: number;
  name: string;
}

/**
 * Squeeze-and-excite (Hu et al. 2018) as MobileNetV3 uses it: global average
 * pool -> dense (ReLU) -> dense (hard sigmoid) -> channel-wise scale. The two
 * dense layers have biases, like torchvision's 1x1 convs.
 */
export function squeezeExcite(x: tf.SymbolicTensor, args: SqueezeExciteArgs): tf.SymbolicTensor {
  const {squeezeChannels, name} = args;
  const channels = channelsOf(x);
  let s = applyTo(tf.layers.globalAveragePooling2d({name: `${name}_pool`}), x);
  s = applyTo(tf.layers.dense({units: squeezeChannels, activation: 'relu', name: `${name}_reduce`}), s);
  s = applyTo(tf.layers.dense({units: channels, name: `${name}_expand`}), s);
  s = applyTo(new HardSigmoid({name: `${name}_gate`}), s);
  s = applyTo(tf.layers.reshape({targetShape: [1, 1, channels], name: `${name}_reshape`}), s);
  return applyTo(tf.layers.multiply({name: `${name}_scale`}), [x, s]);
}
