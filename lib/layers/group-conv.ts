/**
 * Convolutions TF.js lacks: a grouped convolution (PyTorch's `groups`,
 * AlexNet's two towers, ResNeXt, CondenseNet's 3x3) and a channel shuffle
 * (ShuffleNet; CondenseNet's "permute" after a learned group conv).
 *
 * GroupConv2D holds one kernel [kh, kw, C_in / G, C_out]; output channels
 * [g * C_out/G, (g+1) * C_out/G) see only input channels
 * [g * C_in/G, (g+1) * C_in/G). G = 1 is a regular convolution and G = C_in
 * = C_out a depthwise one: the Xception paper's spectrum.
 */
import * as tf from '@tensorflow/tfjs';


export interface GroupConv2DArgs {
  filters: number;
  kernelSize: number | [number, number];
  groups: number;
  strides?: number;
  padding?: 'same' | 'valid';
  useBias?: boolean;
  name?: string;
}

function pair(v: number | [number, number]): [number, number] {
  return Array.isArray(v) ? v : [v, v];
}

export class GroupConv2D extends tf.layers.Layer {
  static readonly className = 'GroupConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly groups: number;
  readonly strides: number;
  readonly padding: 'same' | 'valid';
  readonly useBias: boolean;
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(args: GroupConv2DArgs) {
    super({name: args.name});
    if (!Number.isInteger(args.groups) || args.groups < 1) {
      throw new Error(`GroupConv2D: groups must be a whole number >= 1, got ${args.groups}`);
    }
    if (args.filters % args.groups !== 0) {
      throw new Error(`GroupConv2D: ${args.filters} output channels do not divide into ${args.groups} groups`);
    }
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize);
    this.groups = args.groups;
    this.strides = args.strides ?? 1;
    this.padding = args.padding ?? 'same';
    this.useBias = args.useBias ?? false;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (channels == null || channels % this.groups !== 0) {
      throw new Error(`GroupConv2D '${this.name}': ${channels} input channels do not divide into ${this.groups} groups`);
    }
    this.kernel = this.addWeight('kernel', [...this.kernelSize, channels / this.groups, this.filters], 'float32',
                                 tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const out = (size: number | null, k: number) => size == null ? null :
        this.padding === 'same' ? Math.ceil(size / this.strides) : Math.ceil((size - k + 1) / this.strides);
    return [n, out(h, this.kernelSize[0]), out(w, this.kernelSize[1]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const kernel = this.kernel!.read() as tf.Tensor4D;
      let y: tf.Tensor4D;
      if (this.groups === 1) {
        y = tf.conv2d(x, kernel, this.strides, this.padding);
      } else {
        const xs = tf.split(x, this.groups, 3) as tf.Tensor4D[];
        const ks = tf.split(kernel, this.groups, 3) as tf.Tensor4D[];
        y = tf.concat(xs.map((part, g) => tf.conv2d(part, ks[g], this.strides, this.padding)), 3);
      }
      return this.bias ? y.add(this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, groups: this.groups,
      strides: this.strides, padding: this.padding, useBias: this.useBias,
    };
  }
}

/**
 * Channel shuffle (Zhang et al. 2018, ShuffleNet §3.1): view C channels as
 * [G, C/G], transpose to [C/G, G], flatten, so the next group conv sees
 * channels from every group.
 */
export class ChannelShuffle extends tf.layers.Layer {
  static readonly className = 'ChannelShuffle';
  readonly groups: number;

  constructor(args: {groups: number; name?: string}) {
    super({name: args.name});
    if (!Number.isInteger(args.groups) || args.groups < 1) {
      throw new Error(`ChannelShuffle: groups must be a whole number >= 1, got ${args.groups}`);
    }
    this.groups = args.groups;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [n, h, w, c] = x.shape;
      if (c % this.groups !== 0) throw new Error(`ChannelShuffle '${this.name}': ${c} channels do not divide into ${this.groups} groups`);
      return x.reshape([n, h, w, this.groups, c / this.groups]).transpose([0, 1, 2, 4, 3]).reshape([n, h, w, c]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), groups: this.groups};
  }
}

tf.serialization.registerClass(GroupConv2D);
tf.serialization.registerClass(ChannelShuffle);
