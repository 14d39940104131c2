/**
 * Training computes no gradient for the image. Keras's Conv2D applies
 * `tf.fused.conv2d`, and while a gradient is being taken TF.js keeps a
 * convolution fused only when its activation is linear (the stems before
 * batch norm). The fused op's custom gradient computes every input's
 * gradient, the image's too, which nothing reads: a few milliseconds a step
 * on a 1- or 3-channel stem, the convolution shape XNNPACK is worst at. An
 * unfused `tf.conv2d` (plus `tf.add` for a bias) has the registered Conv2D
 * gradient instead, and TF.js's tape calls only the gradients of inputs that
 * lead back to a trainable weight, so the image's is never computed.
 *
 * `skipImageGradients` gives each such convolution of a model (linear, and
 * fed only by layers without trainable weights: the model's input, possibly
 * rescaled or padded) that unfused form while a gradient is taken, and
 * leaves it fused otherwise (inference). The values are the same operations
 * in the same order; the saved model and its config do not change.
 */
import * as tf from '@tensorflow/tfjs';

const UNFUSED = Symbol('lab: conv applied unfused under gradients');

type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Whether anything upstream of `layer`'s inputs has trainable weights (a gradient would flow into them). */
function inputDependsOnWeights(layer: tf.layers.Layer, seen = new Map<tf.layers.Layer, boolean>()): boolean {
  const known = seen.get(layer);
  if (known != null) return known;
  let depends = false;
  for (const node of layer.inboundNodes) {
    for (const upstream of node.inboundLayers) {
      if (upstream.trainableWeights.length > 0 || inputDependsOnWeights(upstream, seen)) depends = true;
    }
  }
  seen.set(layer, depends);
  return depends;
}

interface ConvConfig {
  strides: number | number[];
  padding: string;
  dilationRate: number | number[];
  activation: string;
  useBias: boolean;
  dataFormat: string;
}

function pair(value: number | number[]): [number, number] {
  return Array.isArray(value) ? [value[0], value[1] ?? value[0]] : [value, value];
}

/** True for a Conv2D whose gradient TF.js would take fused: linear activation, channels last, 'same' or 'valid'. */
function fusedUnderGradients(layer: tf.layers.Layer): boolean {
  if (layer.getClassName() !== 'Conv2D') return false;
  const config = layer.getConfig() as unknown as ConvConfig;
  return config.activation === 'linear' && config.dataFormat === 'channelsLast' &&
      (config.padding === 'same' || config.padding === 'valid');
}

/**
 * Makes every linear Conv2D of `model` whose input carries no gradient
 * (see the module comment) skip the image's gradient in training; returns
 * how many it changed. Calling it again changes nothing more.
 */
export function skipImageGradients(model: tf.LayersModel): number {
  let changed = 0;
  for (const layer of model.layers) {
    const target = layer as tf.layers.Layer & {[UNFUSED]?: true; call: LayerCall};
    if (target[UNFUSED] || !fusedUnderGradients(layer) || layer.inboundNodes.length !== 1) continue;
    if (inputDependsOnWeights(layer)) continue;
    const config = layer.getConfig() as unknown as ConvConfig;
    const strides = pair(config.strides);
    const dilations = pair(config.dilationRate);
    const padding = config.padding as 'same' | 'valid';
    const fused = target.call.bind(target);
    target.call = (inputs, kwargs) => {
      if (tf.engine().state.gradientDepth === 0) return fused(inputs, kwargs);
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [kernel, bias] = layer.weights.map(w => w.read());
      return tf.tidy(() => {
        const y = tf.conv2d(x, kernel as tf.Tensor4D, strides, padding, 'NHWC', dilations);
        return config.useBias ? tf.add(y, bias) : y;
      });
    };
    target[UNFUSED] = true;
    changed++;
  }
  return changed;
}
