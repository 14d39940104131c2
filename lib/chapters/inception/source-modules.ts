/**
 * The Inception modules as the Inception lecture chapter's PyTorch code
 * builds them, built the same way in TF.js and counted: every convolution
 * with a bias (PyTorch's nn.Conv2d default), the v2 module with batch norm
 * after each convolution, the branches concatenated. The chapter shows the
 * count as the code has it, beside the count without biases that the
 * papers' arithmetic uses, and the 1x1 reductions' effect.
 */
import * as tf from '@tensorflow/tfjs';

import {costOf} from '../../cost';
import {Item, markdownItem, tableItem} from '../../display/show';
import {applyTo} from '../../layers/apply';
import {chainCost} from './arithmetic';

/** One branch: its convolutions in order (1x1 or k x k, "same" padding), after a 3x3 stride-1 pool where it has one. */
export interface SourceBranch {
  label: string;
  pool?: 'max' | 'avg';
  convs: ReadonlyArray<{filters: number; kernel: number}>;
}

export interface SourceModule {
  /** What the source calls it. */
  name: string;
  /** The input the source feeds it: [height, width, channels]. */
  input: [number, number, number];
  /** Batch norm after every convolution (the v2 module's BasicConv2d). */
  batchNorm: boolean;
  branches: readonly SourceBranch[];
}

/** Inceptionv1(3, 64, 32, 64, 64, 96, 32) on a 256 x 256 RGB image: 1x1 64 | 1x1 32 -> 3x3 64 | 1x1 64 -> 5x5 96 | max pool -> 1x1 32. */
export const SOURCE_V1: SourceModule = {
  name: 'Inceptionv1(3, 64, 32, 64, 64, 96, 32)', input: [256, 256, 3], batchNorm: false,
  branches: [
    {label: '1×1, 64', convs: [{filters: 64, kernel: 1}]},
    {label: '1×1 32 → 3×3 64', convs: [{filters: 32, kernel: 1}, {filters: 64, kernel: 3}]},
    {label: '1×1 64 → 5×5 96', convs: [{filters: 64, kernel: 1}, {filters: 96, kernel: 5}]},
    {label: 'max pool → 1×1 32', pool: 'max', convs: [{filters: 32, kernel: 1}]},
  ],
};

/** Inceptionv2() on 32 x 32 x 192: 1x1 96 | 1x1 48 -> 3x3 64 | 1x1 64 -> 3x3 96 -> 3x3 96 | avg pool -> 1x1 64, each conv + BN + ReLU. */
export const SOURCE_V2: SourceModule = {
  name: 'Inceptionv2()', input: [32, 32, 192], batchNorm: true,
  branches: [
    {label: '1×1, 96', convs: [{filters: 96, kernel: 1}]},
    {label: '1×1 48 → 3×3 64', convs: [{filters: 48, kernel: 1}, {filters: 64, kernel: 3}]},
    {label: '1×1 64 → 3×3 96 → 3×3 96', convs: [{filters: 64, kernel: 1}, {filters: 96, kernel: 3}, {filters: 96, kernel: 3}]},
    {label: 'avg pool → 1×1 64', pool: 'avg', convs: [{filters: 64, kernel: 1}]},
  ],
};

export interface BranchCount {
  label: string;
  /** Trainable parameters as the code builds the branch: weights, biases, batch norm's scale and shift. */
  asWritten: number;
  /** Convolution weights only (no biases, no batch norm): what the papers count. */
  weights: number;
  /** Weights if the branch's first 1x1 reduction were dropped (its later convolutions then see the input). */
  withoutReduction: number;
  outChannels: number;
}

export interface ModuleCount {
  branches: BranchCount[];
  asWritten: number;
  weights: number;
  outChannels: number;
}

/** A module built as the source's code builds it, costed branch by branch. */
export function countSourceModule(module: SourceModule): ModuleCount {
  const input = tf.input({shape: module.input});
  const ends: tf.SymbolicTensor[] = [];
  module.branches.forEach((b, i) => {
    let x = input;
    if (b.pool) {
      const pool = b.pool === 'max' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d;
      x = applyTo(pool({poolSize: 3, strides: 1, padding: 'same', name: `b${i}_pool`}), x);
    }
    b.convs.forEach((c, j) => {
      x = applyTo(tf.layers.conv2d({filters: c.filters, kernelSize: c.kernel, padding: 'same', useBias: true, name: `b${i}_conv${j}`}), x);
      if (module.batchNorm) x = applyTo(tf.layers.batchNormalization({epsilon: 0.001, name: `b${i}_bn${j}`}), x);
      x = applyTo(tf.layers.reLU({name: `b${i}_relu${j}`}), x);
    });
    ends.push(x);
  });
  const output = applyTo(tf.layers.concatenate({name: 'concat'}), ends);
  const model = tf.model({inputs: input, outputs: output});
  try {
    const layers = costOf(model).layers;
    const branches = module.branches.map((b, i) => {
      const mine = layers.filter(l => l.name.startsWith(`b${i}_`));
      // Without the reduction: the branch's later convolutions, built on the module's input directly (no biases).
      const rest = b.convs.length === 1 ? b.convs : b.convs.slice(1);
      const withoutReduction = b.pool ? 0 : chainCost(module.input, rest).reduce((a, l) => a + l.weightParams, 0);
      return {
        label: b.label,
        asWritten: mine.reduce((a, l) => a + l.trainableParams, 0),
        // weightParams counts convolution weights and biases (batch norm has none): less the biases, one per filter.
        weights: mine.reduce((a, l) => a + l.weightParams, 0) - b.convs.reduce((a, c) => a + c.filters, 0),
        withoutReduction,
        outChannels: b.convs[b.convs.length - 1].filters,
      };
    });
    return {
      branches, asWritten: branches.reduce((a, b) => a + b.asWritten, 0), weights: branches.reduce((a, b) => a + b.weights, 0),
      outChannels: output.shape[3] as number,
    };
  } finally {
    model.dispose();
  }
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The source's code pads a k x k convolution by ⌊k/2⌋ (padding=1 for 3x3,
 * 2 for 5x5) so that every branch keeps the grid and the outputs can be
 * concatenated: the built layers' output sides with that padding against
 * TF.js's "same", on a 35 x 35 grid.
 */
export function samePaddingRows(side = 35): Array<{kernel: number; padding: number; paddedSide: number; sameSide: number}> {
  return [1, 3, 5, 7].map(kernel => {
    const padding = Math.floor(kernel / 2);
    const input = tf.input({shape: [side, side, 1]});
    const padded = applyTo(tf.layers.zeroPadding2d({padding}), input);
    const valid = applyTo(tf.layers.conv2d({filters: 1, kernelSize: kernel, padding: 'valid'}), padded);
    const same = applyTo(tf.layers.conv2d({filters: 1, kernelSize: kernel, padding: 'same'}), input);
    tf.model({inputs: input, outputs: [valid, same]}).dispose();
    return {kernel, padding, paddedSide: valid.shape[1] as number, sameSide: same.shape[1] as number};
  });
}

const reductionSaves = (m: ModuleCount) => m.branches.filter(b => b.withoutReduction > 0).reduce((a, b) => a + b.withoutReduction - b.weights, 0);

/**
 * A module as the source's code builds it, branch by branch: its parameters
 * as the code counts them, its weights as the papers do, and its weights
 * without each branch's 1x1 reduction. Change the module's input to see
 * where the reductions start to pay.
 */
export function sourceModuleTable(module: SourceModule): Item {
  const counted = countSourceModule(module);
  return tableItem(counted.branches, [
    {header: `branch (on ${module.input.join(' × ')})`, value: r => r.label},
    {header: module.batchNorm ? 'parameters (weights, biases, BN scale and shift)' : 'parameters (weights and biases)', value: r => r.asWritten},
    {header: 'weights only', value: r => r.weights},
    {header: 'weights without the 1×1 reduction', value: r => r.withoutReduction === 0 ? 'pool branch: no reduction' : r.withoutReduction},
    {header: 'out channels', value: r => r.outChannels},
  ], `${module.name}, as the Inception lecture chapter's code builds it${module.batchNorm ? ' (conv + batch norm + ReLU in every step)' : ''}`);
}

/** Section 2: both modules as the source's code builds them, counted as it counts and as the papers do. */
export function sourceModulesSection(): Item[] {
  const [v1, v2] = [SOURCE_V1, SOURCE_V2].map(countSourceModule);
  const side = 35;
  return [
    sourceModuleTable(SOURCE_V1),
    markdownItem(`Run as written, the v1 module has **${count(v1.asWritten)}** parameters; weights only, ${count(v1.weights)}. Its output has ` +
        `${v1.outChannels} channels (${v1.branches.map(b => b.outChannels).join(' + ')}). Without its 1×1 layers it would hold ` +
        `${count(Math.abs(reductionSaves(v1)))} ${reductionSaves(v1) > 0 ? 'more' : 'fewer'} weights.`),
    sourceModuleTable(SOURCE_V2),
    markdownItem(`The v2 module on ${SOURCE_V2.input[2]} channels has **${count(v2.asWritten)}** trainable parameters as written, ` +
        `${count(v2.weights)} weights only, and ${v2.outChannels} output channels (${v2.branches.map(b => b.outChannels).join(' + ')}). ` +
        `Without its 1×1 reductions it would hold ${count(Math.abs(reductionSaves(v2)))} ${reductionSaves(v2) > 0 ? 'more' : 'fewer'} weights.`),
    tableItem(samePaddingRows(side), [
      {header: 'kernel', value: r => `${r.kernel} × ${r.kernel}`},
      {header: 'padding ⌊k/2⌋', value: r => r.padding},
      {header: 'output side, so padded', value: r => r.paddedSide},
      {header: 'output side, TF.js "same"', value: r => r.sameSide},
    ], `The source's padding against TF.js's "same", built on a ${side} × ${side} grid`),
  ];
}
