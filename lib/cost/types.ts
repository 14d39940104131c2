/**
 * What the cost calculator sees of a layer and what it reports.
 * docs/conventions.md explains each count and which published tables use it.
 */

/** A layer as plain data: shapes without the batch axis, and its config. */
export interface LayerView {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Per-input shapes without the batch axis, e.g. [[56, 56, 24]]. */
  inputShapes: number[][];
  /** Output shape without the batch axis. */
  outputShape: number[];
  /**
   * Shapes of the layer's weights by name (e.g. `depthwise_kernel`), for what
   * the config does not say: TF.js's SeparableConv2D leaves `depthMultiplier`
   * out of getConfig().
   */
  weightShapes: Record<string, number[]>;
}

/**
 * Counting conventions:
 * - `macs`: multiply-accumulates of convolutions and dense layers only, one
 *   per weight per output position, no bias adds (MobileNet, Inception and
 *   Xception papers, torchvision, fvcore). Every class's rule is written
 *   for this convention (lib/cost/rules/).
 * - `condensenet`: CondenseNet's `utils.measure_model`: MACs plus one op per
 *   ReLU output element and per pooling-window element, dense layers' bias
 *   adds, learned group convolutions at 1/C of their dense cost. Its
 *   overrides are lib/cost/rules/condensenet.ts.
 */
export const CONVENTIONS = ['macs', 'condensenet'] as const;
export type Convention = typeof CONVENTIONS[number];

export interface OpCost {
  /** Multiply-accumulates under the convention asked for. */
  macs: number;
  /**
   * Parameters under the convention, when they are not simply the layer's
   * weights (CondenseNet counts a learned group conv at 1/C and never its
   * mask). Replaces all three parameter counts of the layer.
   */
  params?: number;
}

export type CostRule = (layer: LayerView) => OpCost;

/** Layer kinds for grouping, as in MobileNet's Table 2. */
export type LayerKind = 'conv1x1' | 'depthwise' | 'conv3x3' | 'conv' | 'group' | 'separable' | 'dense' | 'other';

export interface LayerCost {
  name: string;
  className: string;
  kind: LayerKind;
  outputShape: number[];
  /** Every weight, batch-norm moving statistics included (TF.js countParams, Keras "Total params"). */
  params: number;
  /** Trainable weights (torchvision's num_params). */
  trainableParams: number;
  /** Weights and biases of convolutions and dense layers only (papers' "parameters"). */
  weightParams: number;
  macs: number;
  /** Bytes of this layer's float32 output for one example. */
  activationBytes: number;
}

export interface CostTotals {
  params: number;
  trainableParams: number;
  weightParams: number;
  macs: number;
  /** Always 2 x macs: a multiply and an add. */
  flops: number;
  /** Sum of every layer's output bytes for one example (float32). */
  activationBytes: number;
  /** Bytes of all weights in float32. */
  weightBytes: number;
}

export interface KindShare {
  kind: LayerKind;
  macs: number;
  weightParams: number;
  macsShare: number;
  weightParamsShare: number;
}
