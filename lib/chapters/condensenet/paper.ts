/**
 * Chapter 04's arithmetic and paper-scale numbers, computed from networks
 * the lab builds: what a 1x1 group convolution costs, where DenseNet's
 * multiply-adds and memory go, the index layer by the sources' worked
 * example, and the published CondenseNets under the official counter and
 * the lab's plain multiply-add count.
 */
import * as tf from '@tensorflow/tfjs';

import {costOf} from '../../cost';
import {percent} from '../../display/format';
import {Item, markdownItem, tableItem} from '../../display/show';
import {GroupConv2D, LearnedGroupConv2D, condensingStage} from '../../layers';
import {Erratum, erratumText} from '../common/errata';
import {buildModel, gatherOf, getVariant} from '../../models';
import {groupKernel} from '../../models/condensenet-convert';
import {networkCost} from '../../models/costs';
import {comparePublished, variantsOf} from '../common/compare';
import {LAB} from './plan';
import {applyTo} from '../../layers/apply';

export const PAPER = 'Huang, Liu, van der Maaten & Weinberger 2018, CondenseNet (arXiv:1711.09224)';
/** The sources' worked example of the index layer: the input maps three groups keep. */
export const WORKED_EXAMPLE = [[3, 7, 9, 12], [1, 5, 10, 12], [5, 6, 8, 11]] as const;
/** A user of the official code on CIFAR-100 (CondenseNet issue #19): top-1 error without and with the group lasso. */
export const LASSO_REPORT = {source: 'ShichenLiu/CondenseNet issue #19 (CIFAR-100)', without: 23.44, with: 24.14} as const;

const count = (n: number) => n.toLocaleString('en-US');

/** Weights and multiply-adds of a 1x1 convolution from `channels` to `channels` on a `size` grid, in `groups` groups. */
export function groupConvCost(channels: number, size: number, groups: number): {weights: number; macs: number} {
  const input = tf.input({shape: [size, size, channels]});
  const output = applyTo(new GroupConv2D({filters: channels, kernelSize: 1, groups, name: 'gconv'}), input);
  const model = tf.model({inputs: input, outputs: output});
  try {
    const layer = costOf(model).layers.find(l => l.name === 'gconv')!;
    return {weights: layer.weightParams, macs: layer.macs};
  } finally {
    model.dispose();
  }
}

/**
 * The survey's figure of a group convolution: 12 input maps, 6 output maps,
 * 3 groups, so each output's kernel spans 4 input maps. Built with a 3 x 3
 * kernel (the figure shows connections, not a kernel size) and without.
 */
export function figureExample(kernel = 3): {kernelShape: number[]; weights: number; denseWeights: number} {
  const build = (groups: number) => {
    const input = tf.input({shape: [8, 8, 12]});
    const layer = new GroupConv2D({filters: 6, kernelSize: kernel, groups, name: 'gconv'});
    const model = tf.model({inputs: input, outputs: applyTo(layer, input)});
    try {
      return {kernelShape: layer.getWeights()[0].shape, weights: costOf(model).layers.find(l => l.name === 'gconv')!.weightParams};
    } finally {
      model.dispose();
    }
  };
  const grouped = build(3);
  return {kernelShape: grouped.kernelShape, weights: grouped.weights, denseWeights: build(1).weights};
}

export function groupConvSection(): Item[] {
  const rows = [1, 2, 4, 8].map(groups => ({groups, ...groupConvCost(128, 14, groups)}));
  const figure = figureExample();
  return [
    tableItem(rows, [
      {header: 'groups G (1×1, 128 → 128 channels on 14 × 14)', value: r => r.groups},
      {header: 'weights', value: r => r.weights},
      {header: 'multiply-adds', value: r => r.macs},
      {header: 'of the dense 1×1', value: r => percent(r.macs / rows[0].macs)},
    ], 'A 1×1 group convolution, built and costed'),
    markdownItem(`With G groups each output channel reads 1/G of the input channels: ${count(rows[0].weights)} weights dense, ` +
        `${count(rows[2].weights)} at G = 4. The flaw is in which: group g always reads the same fixed slice of the input, so a ` +
        'stack of group convolutions keeps its groups apart unless something mixes them. ShuffleNet mixes them with a fixed channel ' +
        'shuffle; CondenseNet lets training choose which inputs each group reads.'),
    markdownItem(`The survey of lightweight CNNs draws the idea with 12 input maps, 6 output maps and 3 groups. Built with 3 × 3 kernels, ` +
        `each output's kernel is ${figure.kernelShape.slice(0, 3).join(' × ')}: it spans ${figure.kernelShape[2]} of the 12 input maps, ` +
        `and the layer holds ${count(figure.weights)} weights against ${count(figure.denseWeights)} for the standard convolution ` +
        `(6·3·3·12): 1/${Math.round(figure.denseWeights / figure.weights)}, one over the number of groups.`),
  ];
}

/**
 * The CondenseNet notes write the growth rate as k = 2^(i-1)·k0 for "the
 * i-th layer"; the paper's i is the dense block. From the registered
 * CondenseNet-86 (CIFAR-10): its growth per block and its layers per block.
 */
export function growthErratum(): Erratum & {growth: number[]; layersPerBlock: number[]} {
  const options = getVariant('condensenet_86_cifar10_converted').options as {growth: number[]; stages: number[]};
  const {growth, stages} = options;
  const layers = stages.reduce((a, n) => a + n, 0);
  return {
    source: 'the notes on CondenseNet', growth: [...growth], layersPerBlock: [...stages],
    claim: 'the growth rate doubles from layer to layer, k = 2^(i-1)·k0 for the i-th layer',
    computed: `CondenseNet-86 has ${stages.length} dense blocks of ${stages.join(', ')} layers with growth ${growth.join(', ')}: k doubles ` +
        `from block to block and is constant within one; doubling per layer would reach 2^${layers - 1}·${growth[0]} channels at ` +
        `layer ${layers}`,
  };
}

/** What each layer of the lab DenseNet is, in the chapter's words. */
function partOf(name: string): string {
  if (name.endsWith('_lgc')) return '1×1 convolutions (the bottlenecks)';
  if (/^block\d+_layer\d+_conv$/.test(name)) return '3×3 group convolutions';
  if (name === 'stem_conv') return 'stem 3×3 convolution';
  if (name === 'logits') return 'classifier';
  return 'other';
}

/** The lab DenseNet (CondenseNet with dense 1x1s): multiply-adds and weights by part, and the share of activation memory in concatenations. */
export function denseNetCosts() {
  const model = buildModel('condensenet', {...LAB, stages: [...LAB.stages], growth: [...LAB.growth], groups: 1, condenseFactor: 1});
  try {
    const layers = costOf(model).layers;
    const total = {macs: layers.reduce((a, l) => a + l.macs, 0), weights: layers.reduce((a, l) => a + l.weightParams, 0)};
    const parts = new Map<string, {macs: number; weights: number}>();
    for (const l of layers.filter(l => l.macs > 0 || l.weightParams > 0)) {
      const part = parts.get(partOf(l.name)) ?? {macs: 0, weights: 0};
      part.macs += l.macs;
      part.weights += l.weightParams;
      parts.set(partOf(l.name), part);
    }
    const shares = [...parts].map(([part, v]) => ({part, ...v, macsShare: v.macs / total.macs, weightsShare: v.weights / total.weights}))
        .sort((a, b) => b.macs - a.macs);
    const memory = layers.reduce((a, l) => a + l.activationBytes, 0);
    const concat = layers.filter(l => l.className === 'Concatenate').reduce((a, l) => a + l.activationBytes, 0);
    return {shares, concatMemoryShare: concat / memory, memory};
  } finally {
    model.dispose();
  }
}

export function denseNetSection(): Item[] {
  const {shares, concatMemoryShare} = denseNetCosts();
  const oneByOne = shares.find(s => s.part.startsWith('1×1'));
  return [
    tableItem(shares, [
      {header: 'part', value: s => s.part},
      {header: 'multiply-adds', value: s => s.macs},
      {header: 'share', value: s => percent(s.macsShare)},
      {header: 'weights', value: s => s.weights},
      {header: 'share ', value: s => percent(s.weightsShare)},
    ], `The lab DenseNet (growth ${LAB.growth.join(' / ')}, ${LAB.stages.join(' + ')} layers, dense 1×1 convolutions), by part`),
    markdownItem(`Each dense layer concatenates its k new channels onto everything before it, so the 1×1 layer that starts the next one ` +
        `reads ever more channels: here the 1×1 convolutions take ${oneByOne ? percent(oneByOne.macsShare) : '-'} of the multiply-adds and ` +
        `${oneByOne ? percent(oneByOne.weightsShare) : '-'} of the weights. Concatenation also costs memory: the concatenated outputs are ` +
        `${percent(concatMemoryShare)} of the activations a forward pass writes (a framework that copies at each concatenation keeps them all ` +
        'for the backward pass). CondenseNet grows k with depth (8, 16, 32: k = 2^(i-1)·k0) and connects blocks densely, so that the ' +
        'expensive late layers are the ones with the most to reuse.'),
    markdownItem(erratumText(growthErratum())),
  ];
}

/**
 * The sources' index-layer example on its own layer: 12 input maps in G = 3
 * groups with C = 3 (two condensing stages leave each group 4 of the 12),
 * the maps numbered from 1 as the sources number them. The output count is
 * not given; the lab uses 6, two per group.
 */
export const SOURCE_LAYER = {inputs: 12, groups: 3, condenseFactor: 3, outputs: 6} as const;

export interface WorkedExample {
  /** The index layer's gather, 0-based channel indices (the sources' numbers less one). */
  gather: number[];
  /** The same, as the sources number the maps (from 1). */
  oneBased: number[];
  /** Largest |difference| between the masked layer's outputs and the index layer + group convolution's, on random inputs. */
  maxDifference: number;
}

/**
 * The worked example through the lab's layer and its conversion: the mask
 * set as the sources draw it, the index layer's gather read off it, and the
 * converted computation (gather, then a standard group convolution whose
 * output g·O/G + k is the masked layer's g + k·G) checked against the
 * masked layer on random inputs.
 */
export function workedExample(): WorkedExample {
  const {inputs, groups, condenseFactor, outputs} = SOURCE_LAYER;
  const layer = new LearnedGroupConv2D({filters: outputs, groups, condenseFactor, name: 'source_example'});
  layer.apply(tf.input({shape: [1, 1, inputs]}));
  try {
    layer.setKeptInputs(WORKED_EXAMPLE.map(g => g.map(n => n - 1)));
    const gather = gatherOf(layer);
    const maxDifference = tf.tidy(() => {
      const x = tf.randomNormal([8, 1, 1, inputs], 0, 1, 'float32', 7) as tf.Tensor4D;
      const masked = layer.apply(x) as tf.Tensor4D;
      const gathered = tf.gather(x, tf.tensor1d(gather, 'int32'), 3) as tf.Tensor4D;
      const kernel = groupKernel(layer);
      const perGroup = gather.length / groups;
      const perGroupOut = outputs / groups;
      // A standard group convolution: group g reads its slice of the gathered maps.
      const grouped = tf.concat(Array.from({length: groups}, (_, g) => tf.conv2d(
          gathered.slice([0, 0, 0, g * perGroup], [-1, -1, -1, perGroup]),
          kernel.slice([0, 0, 0, g * perGroupOut], [-1, -1, -1, perGroupOut]), 1, 'valid')), 3);
      const order = Array.from({length: outputs}, (_, o) => (o % perGroupOut) * groups + Math.floor(o / perGroupOut));
      return tf.max(tf.abs(tf.sub(tf.gather(masked, tf.tensor1d(order, 'int32'), 3), grouped))).dataSync()[0];
    });
    return {gather, oneBased: gather.map(i => i + 1), maxDifference};
  } finally {
    layer.dispose();
  }
}

/**
 * The CondenseNet notes' schedule: C - 1 condensing stages of M / (2(C - 1))
 * epochs each, then an optimisation stage they give as 2/M epochs. The
 * lab's condensing rule (the official code's) over the paper's CIFAR
 * schedule, M = 300 epochs at C = 4: the epoch at which each stage starts,
 * and how long the last (optimisation) stage lasts.
 */
export function scheduleErratum(epochs = 300, condenseFactor = 4): Erratum & {stageStarts: number[]; optimisingEpochs: number} {
  const stageStarts: number[] = [];
  for (let epoch = 0; epoch <= epochs; epoch++) {
    const stage = condensingStage(epoch / epochs, condenseFactor);
    if (stageStarts.length <= stage) stageStarts.push(epoch);
  }
  const optimisingEpochs = epochs - stageStarts[condenseFactor - 1];
  return {
    source: 'the notes on CondenseNet', stageStarts, optimisingEpochs,
    claim: `of M training epochs the optimisation stage takes 2/M (for M = ${epochs}, ${(2 / epochs).toFixed(4)} of an epoch)`,
    computed: `with C = ${condenseFactor} the stages start at epochs ${stageStarts.join(', ')} of ${epochs}, so optimisation runs ` +
        `${optimisingEpochs} epochs: M/2, the same as all the condensing stages together`,
  };
}

/** The published CondenseNets: the official counter (ours and printed) and the lab's plain multiply-add count. */
export function publishedRows() {
  const names = variantsOf('condensenet');
  const claims = comparePublished(names, ['macs']);
  return names.map(name => {
    const claim = claims.find(c => c.variant === name)!;
    return {variant: name, published: claim.published, official: claim.ours, macs: networkCost(name, {}, 'macs').totals.macs, source: claim.source};
  });
}

export function publishedSection(): Item[] {
  const rows = publishedRows();
  const ratios = rows.map(r => r.official / r.macs);
  return [
    tableItem(rows, [
      {header: 'network', value: r => r.variant},
      {header: 'FLOPs published', value: r => r.published},
      {header: 'official counter, built', value: r => r.official},
      {header: 'plain multiply-adds, built', value: r => r.macs},
      {header: 'source', value: r => r.source},
    ], `${PAPER}: the published networks, counted both ways`),
    markdownItem('The official counter (`utils.measure_model`) counts learned group convolutions at 1/C of their dense cost and adds one op ' +
        'per ReLU output and pooling-window element and the classifier\'s bias adds; the lab\'s convention counts the multiply-adds of ' +
        `convolutions and dense layers only. Across the published networks the official count is ${Math.min(...ratios).toFixed(2)}× to ` +
        `${Math.max(...ratios).toFixed(2)}× the lab's plain count of the same built network: compare CondenseNets with other families ` +
        'only under one convention.'),
  ];
}
