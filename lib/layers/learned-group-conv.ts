/**
 * CondenseNet's learned group convolution (Huang et al. 2018, §3.1; the
 * official `layers.LearnedGroupConv`): a dense 1x1 convolution whose kernel
 * is multiplied by a binary mask. Output channel o belongs to group o mod G
 * (groups interleave, as `_mask[i::groups]` sets them). Training runs C - 1
 * condensing stages; each removes, in every group, the C_in / C input
 * channels whose weights into that group have the smallest L1 norm, so that
 * 1/C of the connections survive. A group-lasso term pushes whole
 * (input channel, group) columns towards zero before they are cut.
 *
 * The mask is a non-trainable weight so it is saved with the model; its size
 * is bookkeeping, not parameters (PyTorch keeps it as a buffer), and the
 * cost rule leaves it out.
 */
import * as tf from '@tensorflow/tfjs';


export interface LearnedGroupConv2DArgs {
  filters: number;
  /** G: groups of output channels (interleaved). */
  groups: number;
  /** C: 1/C of the input channels survive per group. Defaults to G, as in the official code. */
  condenseFactor?: number;
  name?: string;
}

/** The condensing stage training has reached at `progress` in [0, 1] (official `_check_drop`): C - 1 stages fill the first half. */
export function condensingStage(progress: number, condenseFactor: number): number {
  if (condenseFactor <= 1) return 0;
  return Math.min(condenseFactor - 1, Math.floor(Math.max(0, progress) * 2 * (condenseFactor - 1)));
}

export class LearnedGroupConv2D extends tf.layers.Layer {
  static readonly className = 'LearnedGroupConv2D';
  readonly filters: number;
  readonly groups: number;
  readonly condenseFactor: number;
  private kernel: tf.LayerVariable | null = null;
  private maskWeight: tf.LayerVariable | null = null;
  private inChannels = 0;

  constructor(args: LearnedGroupConv2DArgs) {
    super({name: args.name});
    const condenseFactor = args.condenseFactor ?? args.groups;
    for (const [key, value] of [['groups', args.groups], ['condenseFactor', condenseFactor]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`LearnedGroupConv2D: ${key} must be a whole number >= 1, got ${value}`);
    }
    if (args.filters % args.groups !== 0) {
      throw new Error(`LearnedGroupConv2D${args.name ? ` '${args.name}'` : ''}: ${args.filters} output channels do not divide into ${args.groups} groups`);
    }
    this.filters = args.filters;
    this.groups = args.groups;
    this.condenseFactor = condenseFactor;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    for (const [what, divisor] of [['groups (G)', this.groups], ['condensation factor (C)', this.condenseFactor]] as const) {
      if (channels == null || channels % divisor !== 0) {
        throw new Error(`LearnedGroupConv2D '${this.name}': ${channels} input channels are not divisible by the ${what} ${divisor}`);
      }
    }
    this.inChannels = channels as number;
    this.kernel = this.addWeight('kernel', [1, 1, this.inChannels, this.filters], 'float32', tf.initializers.glorotUniform({}));
    this.maskWeight = this.addWeight('mask', [this.inChannels, this.filters], 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      return tf.conv2d(x, this.maskedKernel(), 1, 'same');
    });
  }

  /** kernel * mask, [1, 1, C_in, C_out]. */
  maskedKernel(): tf.Tensor4D {
    return tf.tidy(() => this.kernel!.read().mul(this.maskWeight!.read().reshape([1, 1, this.inChannels, this.filters])) as tf.Tensor4D);
  }

  /** The mask as rows of input channels, [C_in][C_out] of 0/1. */
  mask(): number[][] {
    return this.maskWeight!.read().arraySync() as number[][];
  }

  /** Input channels that still feed group g, ascending. */
  survivingInputs(group: number): number[] {
    const mask = this.mask();
    return mask.map((row, i) => (row[group] === 1 ? i : -1)).filter(i => i >= 0);
  }

  /**
   * Sets the mask from the input channels each group keeps (every group the
   * same count, a whole number of stages' worth): how a worked example, or
   * a mask logged during training, is put back into a layer.
   */
  setKeptInputs(groups: readonly (readonly number[])[]): void {
    if (groups.length !== this.groups) throw new Error(`LearnedGroupConv2D '${this.name}': ${groups.length} groups of inputs given, the layer has ${this.groups}`);
    const keep = groups[0].length;
    const cut = this.inChannels - keep;
    if (groups.some(g => g.length !== keep) || cut % (this.inChannels / this.condenseFactor) !== 0) {
      throw new Error(`LearnedGroupConv2D '${this.name}': every group must keep the same number of its ${this.inChannels} inputs, ` +
          `a multiple of ${this.inChannels / this.condenseFactor} fewer (one condensing stage), got ${groups.map(g => g.length).join(', ')}`);
    }
    const bad = groups.flat().find(i => !(Number.isInteger(i) && i >= 0 && i < this.inChannels));
    if (bad != null) throw new Error(`LearnedGroupConv2D '${this.name}': input channel ${bad} is not in 0..${this.inChannels - 1}`);
    const mask = Array.from({length: this.inChannels}, () => new Array<number>(this.filters).fill(0));
    groups.forEach((inputs, g) => { for (const i of inputs) for (let o = g; o < this.filters; o += this.groups) mask[i][o] = 1; });
    const next = tf.tensor2d(mask);
    this.maskWeight!.write(next);
    next.dispose();
  }

  /**
   * Condensing stages done so far, read from the mask (so it survives saving).
   * Every group loses the same number of inputs per stage, so group 0's
   * column tells: one small read-back, as this runs on every training step.
   */
  stagesDone(): number {
    const alive = tf.tidy(() => this.maskWeight!.read().slice([0, 0], [this.inChannels, 1]).sum().dataSync()[0]);
    return (this.inChannels - alive) / (this.inChannels / this.condenseFactor);
  }

  /**
   * Runs condensing stages until `stage` are done: in each group, cut the
   * C_in / C surviving input channels with the smallest L1 norm of their
   * weights into the group (official `_dropping`).
   */
  condenseTo(stage: number): void {
    const target = Math.min(stage, this.condenseFactor - 1);
    const delta = this.inChannels / this.condenseFactor;
    while (this.stagesDone() < target) {
      const weights = tf.tidy(() => this.maskedKernel().abs().reshape([this.inChannels, this.filters]).arraySync() as number[][]);
      const mask = this.mask();
      for (let g = 0; g < this.groups; g++) {
        const importance = (i: number) => {
          let sum = 0;
          for (let o = g; o < this.filters; o += this.groups) sum += weights[i][o];
          return sum;
        };
        const alive = mask.map((row, i) => i).filter(i => mask[i][g] === 1);
        alive.sort((a, b) => importance(a) - importance(b) || a - b);
        for (const i of alive.slice(0, delta)) for (let o = g; o < this.filters; o += this.groups) mask[i][o] = 0;
      }
      const next = tf.tensor2d(mask);
      this.maskWeight!.write(next);
      next.dispose();
    }
  }

  /**
   * Group lasso (official `lasso_loss`): sum over groups g and input
   * channels i of sqrt(sum over g's outputs of w[i, o]^2). Zero once the
   * last stage is reached, as in the official code.
   */
  groupLasso(): tf.Scalar {
    if (this.stagesDone() >= this.condenseFactor - 1) return tf.scalar(0);
    return tf.tidy(() => {
      const w = this.maskedKernel().reshape([this.inChannels, this.filters / this.groups, this.groups]);
      return w.square().sum(1).clipByValue(1e-12, Infinity).sqrt().sum() as tf.Scalar;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), filters: this.filters, groups: this.groups, condenseFactor: this.condenseFactor};
  }
}

/**
 * The index layer of a converted CondenseNet (`torch.index_select` along
 * channels): gathers the listed input channels, repeats allowed. Moves
 * memory, computes nothing.
 */
export class ChannelGather extends tf.layers.Layer {
  static readonly className = 'ChannelGather';
  readonly indices: readonly number[];

  constructor(args: {indices: readonly number[]; name?: string}) {
    super({name: args.name});
    if (args.indices.length === 0 || args.indices.some(i => !Number.isInteger(i) || i < 0)) {
      throw new Error(`ChannelGather: indices must be a non-empty list of channel numbers >= 0, got [${args.indices.slice(0, 8)}]`);
    }
    this.indices = [...args.indices];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1] as number;
    const bad = this.indices.find(i => i >= channels);
    if (bad != null) throw new Error(`ChannelGather '${this.name}': index ${bad} is out of range for ${channels} channels`);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.indices.length];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.gather(x, tf.tensor1d(this.indices as number[], 'int32'), x.rank - 1));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), indices: [...this.indices]};
  }
}

tf.serialization.registerClass(LearnedGroupConv2D);
tf.serialization.registerClass(ChannelGather);
