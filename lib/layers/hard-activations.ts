/**
 * MobileNetV3's piecewise-linear activations (Howard et al. 2019, §5.2):
 *   hard sigmoid  h-sigmoid(x) = ReLU6(x + 3) / 6
 *   hard swish    h-swish(x)   = x * ReLU6(x + 3) / 6
 * TF.js's built-in `hardSigmoid` is Keras 2's 0.2 x + 0.5, a different
 * function, hence these layers.
 */
import * as tf from '@tensorflow/tfjs';

// The cost rules load with the layers, so costing a model never depends on
// import order.


function hardSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.relu6(x.add(3)).div(6));
}

export class HardSigmoid extends tf.layers.Layer {
  static readonly className = 'HardSigmoid';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return hardSigmoid(Array.isArray(inputs) ? inputs[0] : inputs);
  }
}

export class HardSwish extends tf.layers.Layer {
  static readonly className = 'HardSwish';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => x.mul(hardSigmoid(x)));
  }
}

tf.serialization.registerClass(HardSigmoid);
tf.serialization.registerClass(HardSwish);
