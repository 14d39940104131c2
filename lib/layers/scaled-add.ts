/**
 * The residual connection of Inception-ResNet (Szegedy et al. 2016, §3.3,
 * Fig. 20): shortcut + scale * residual. Scaling the residual by 0.1 - 0.3
 * before the addition is what kept very wide residual Inception networks
 * from "dying" early in training. Keras writes it as a Lambda layer, which
 * TF.js cannot serialise; this layer is the same arithmetic with a config.
 */
import * as tf from '@tensorflow/tfjs';


export class ScaledAdd extends tf.layers.Layer {
  static readonly className = 'ScaledAdd';
  readonly scale: number;

  constructor(args: {scale: number; name?: string}) {
    super({name: args.name});
    if (typeof args.scale !== 'number' || !Number.isFinite(args.scale)) {
      throw new Error(`ScaledAdd: scale must be a finite number, got ${args.scale}`);
    }
    this.scale = args.scale;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) {
      throw new Error(`ScaledAdd '${this.name}': expects [shortcut, residual], got ${Array.isArray(inputs) ? `${inputs.length} inputs` : 'one input'}`);
    }
    const [shortcut, residual] = inputs;
    return tf.tidy(() => this.scale === 1 ? shortcut.add(residual) : shortcut.add(residual.mul(this.scale)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), scale: this.scale};
  }
}

tf.serialization.registerClass(ScaledAdd);
