/**
 * Convolutions TF.js lacks: a grouped convolution (PyTorch's `groups`,
 * AlexNet's two towers, ResNeXt, CondenseNet's 3x3) and a channel shuffle
 * (ShuffleNet; CondenseNet's "permute" after a learned group conv).
 *
 * GroupConv2D holds one kernel [kh, kw, C_in / G, C_out]; output channels
 * [g * C_out/G, (g+1) * C_out/G) see only input channels
 * [g * C_in/G, (g+1) * C_in/G). G = 1 is a regular convolution and G = C_in
 * = C_out a depthwise one: the Xception paper's spectrum.
 *
 * TF.js's conv2d takes no groups, so the same function has three routes,
 * which compute the same outputs and gradients at different speeds:
 * - 'split': split x and the kernel into G parts, G convolutions, concat
 *   (G kernel calls: slow for many groups);
 * - 'depthwise': one depthwise convolution with multiplier C_out/G over the
 *   kernel rearranged, then a sum over each group's C_in/G inputs: exactly
 *   the grouped convolution's multiply-adds in one kernel call (plus a
 *   reduction of a tensor C_in/G times the output);
 * - 'masked': one regular convolution whose kernel is zero off the G
 *   diagonal blocks: one fast kernel call doing G times the multiply-adds;
 * - 'direct': the lab's grouped-convolution kernel
 *   (tfjs-backend-wasm-train's groupConv2d, wasm and cpu): every group
 *   in one pass, exactly the multiply-adds needed, no split or concat.
 * 'auto' takes a regular convolution for G = 1 and else the route
 * GROUP_ROUTE_RULE names (measured: bench/group-conv.ts, docs/engine.md).
 */
import * as tf from '@tensorflow/tfjs';

import {trainingKernels} from '../engine/backends/training-kernels';

export const GROUP_CONV_ROUTES = ['auto', 'split', 'depthwise', 'masked', 'direct'] as const;
export type GroupConvRoute = typeof GROUP_CONV_ROUTES[number];

/**
 * 'auto''s choice for G > 1, from the inputs (C_in / G) and outputs
 * (C_out / G) each group has: the depthwise route while its intermediate
 * (C_in/G times the output) stays small; the lab's direct kernel where it
 * runs as SIMD code (wasm; inputs a group a multiple of 4) and either each
 * group has few outputs, the shapes XNNPACK's kernels handle worst, or its
 * outputs fill one tile of the package's generated convolution (8, 12 or 16
 * a group: one call instead of G between a split and a concat); split
 * elsewhere. Groups of 32 outputs run on the generated tiles too, but lost
 * to split at two threads (the grouped filter gradient is the slower half
 * there: 35 against 24-28 ms a step at G = 2 on 64 channels, 2026-12-05).
 */
export const GROUP_ROUTE_RULE = {depthwiseUpToInputsPerGroup: 2, directUpToOutputsPerGroup: 4, directOnGeneratedTilesUpToOutputsPerGroup: 16} as const;

export function resolveRoute(route: GroupConvRoute, groups: number, inChannels: number,
                             outChannels = inChannels): Exclude<GroupConvRoute, 'auto'> | 'conv' {
  if (groups === 1) return 'conv';
  if (route !== 'auto') return route;
  if (inChannels / groups <= GROUP_ROUTE_RULE.depthwiseUpToInputsPerGroup) return 'depthwise';
  const kernels = trainingKernels();
  const perGroup = outChannels / groups;
  const direct = perGroup <= GROUP_ROUTE_RULE.directUpToOutputsPerGroup ? kernels.groupConvSimdHere(inChannels, outChannels, groups) :
      perGroup <= GROUP_ROUTE_RULE.directOnGeneratedTilesUpToOutputsPerGroup && kernels.groupConvOnGeneratedTiles(inChannels, outChannels, groups);
  return direct ? 'direct' : 'split';
}


export interface GroupConv2DArgs {
  filters: number;
  kernelSize: number | [number, number];
  groups: number;
  strides?: number;
  padding?: 'same' | 'valid';
  useBias?: boolean;
  /** How the grouped convolution is computed (same function each way); default 'auto'. */
  route?: GroupConvRoute;
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
  readonly route: GroupConvRoute;
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
    this.route = args.route ?? 'auto';
    if (!GROUP_CONV_ROUTES.includes(this.route)) {
      throw new Error(`GroupConv2D: route must be one of ${GROUP_CONV_ROUTES.join(', ')}, got '${String(this.route)}'`);
    }
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
      const y = groupedConv2d(x, this.kernel!.read() as tf.Tensor4D, this.groups, this.strides, this.padding,
                              resolveRoute(this.route, this.groups, x.shape[3], this.filters));
      return this.bias ? y.add(this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, groups: this.groups,
      strides: this.strides, padding: this.padding, useBias: this.useBias, route: this.route,
    };
  }
}

/**
 * x [N, H, W, C_in] convolved with a grouped kernel [kh, kw, C_in/G, C_out]
 * by one route (see the module comment); every route is the same function.
 */
export function groupedConv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, groups: number, strides: number, padding: 'same' | 'valid',
                              route: Exclude<GroupConvRoute, 'auto'> | 'conv'): tf.Tensor4D {
  const [kh, kw, perGroupIn, outChannels] = kernel.shape;
  const inChannels = x.shape[3];
  if (perGroupIn * groups !== inChannels) {
    throw new Error(`groupedConv2d: a kernel for ${perGroupIn} inputs per group x ${groups} groups does not fit ${inChannels} input channels`);
  }
  const perGroupOut = outChannels / groups;
  switch (route) {
    case 'conv':
      if (groups !== 1) throw new Error(`groupedConv2d: route 'conv' is for 1 group, got ${groups}`);
      return tf.conv2d(x, kernel, strides, padding);
    case 'split': {
      const xs = tf.split(x, groups, 3) as tf.Tensor4D[];
      const ks = tf.split(kernel, groups, 3) as tf.Tensor4D[];
      return tf.concat(xs.map((part, g) => tf.conv2d(part, ks[g], strides, padding)), 3);
    }
    case 'depthwise': {
      // Input channel c = g * n + i feeds outputs g * m + j: as a depthwise
      // filter [kh, kw, C_in, m], entry (c, j) is the kernel's (i, g * m + j).
      const n = perGroupIn, m = perGroupOut;
      const filter = kernel.reshape([kh, kw, n, groups, m]).transpose([0, 1, 3, 2, 4]).reshape([kh, kw, inChannels, m]) as tf.Tensor4D;
      const y = tf.depthwiseConv2d(x, filter, strides, padding);   // channel c * m + j
      if (n === 1) return y;
      const [batch, height, width] = y.shape;
      return y.reshape([batch, height, width, groups, n, m]).sum(4).reshape([batch, height, width, outChannels]) as tf.Tensor4D;
    }
    case 'direct':
      return trainingKernels().groupConv2d(x, kernel, groups, strides, padding);
    case 'masked': {
      // The kernel repeated for every group's inputs, kept only on its own block.
      const blocks = new Float32Array(inChannels * outChannels);
      for (let c = 0; c < inChannels; c++) {
        const g = Math.floor(c / perGroupIn);
        blocks.fill(1, c * outChannels + g * perGroupOut, c * outChannels + (g + 1) * perGroupOut);
      }
      const mask = tf.tensor2d(blocks, [inChannels, outChannels]);
      const full = tf.tile(kernel, [1, 1, groups, 1]).mul(mask) as tf.Tensor4D;
      return tf.conv2d(x, full, strides, padding);
    }
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
