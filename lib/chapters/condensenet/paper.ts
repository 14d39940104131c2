/**
 * Chapter 04's arithmetic and paper-scale numbers, computed from networks
 * the lab builds: what a 1x1 group convolution costs, where DenseNet's
 * multiply-adds and memory go, the condensing schedule, the index layer by
 * the sources' worked example (or any mask), the published CondenseNets
 * under the official counter and the lab's plain multiply-add count, and
 * the lab's networks timed afresh. Each takes its arguments with defaults,
 * so that a notebook cell shows them for a student to change.
 */
import * as tf from '@tensorflow/tfjs';

import {costOf} from '../../cost';
import {millions, percent} from '../../display/format';
import {Item, markdownItem, tableItem} from '../../display/show';
import {GroupConv2D, LearnedGroupConv2D, condensingStage} from '../../layers';
import {Erratum, erratumText} from '../common/errata';
import {buildModel, gatherOf, getVariant} from '../../models';
import {groupKernel} from '../../models/condensenet-convert';
import {networkCost} from '../../models/costs';
import {comparePublished, variantsOf} from '../common/compare';
import {GROUPS, LAB} from './plan';
import {applyTo} from '../../layers/apply';
import {BATCH_LATENCY_METHOD, LATENCY_METHOD, measureLatency} from '../../train/latency';

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

/** The survey's figure of a group convolution: 12 input maps, 6 output maps, 3 groups. */
export const SURVEY_FIGURE = {inputs: 12, outputs: 6, groups: 3} as const;

export interface GroupConvLayer {
  inputs: number;
  outputs: number;
  groups: number;
}

/**
 * A group convolution as the survey draws one (by default its figure:
 * 12 input maps, 6 output maps, 3 groups, so each output's kernel spans 4
 * input maps), built with a `kernel` x `kernel` kernel (the figure shows
 * connections, not a kernel size) and without groups.
 */
export function figureExample(kernel = 3, figure: GroupConvLayer = SURVEY_FIGURE): {kernelShape: number[]; weights: number; denseWeights: number} {
  const {inputs, outputs} = figure;
  if (inputs % figure.groups !== 0) throw new Error(`figureExample: ${inputs} input maps do not divide into ${figure.groups} groups`);
  const build = (groups: number) => {
    const input = tf.input({shape: [8, 8, inputs]});
    const layer = new GroupConv2D({filters: outputs, kernelSize: kernel, groups, name: 'gconv'});
    const model = tf.model({inputs: input, outputs: applyTo(layer, input)});
    try {
      return {kernelShape: layer.getWeights()[0].shape, weights: costOf(model).layers.find(l => l.name === 'gconv')!.weightParams};
    } finally {
      model.dispose();
    }
  };
  const grouped = build(figure.groups);
  return {kernelShape: grouped.kernelShape, weights: grouped.weights, denseWeights: build(1).weights};
}

export function groupConvSection(): Item[] {
  const rows = [1, 2, 4, 8].map(groups => ({groups, ...groupConvCost(128, 14, groups)}));
  return [
    tableItem(rows, [
      {header: 'groups G (1×1, 128 → 128 channels on 14 × 14)', value: r => r.groups},
      {header: 'weights', value: r => r.weights},
      {header: 'multiply-adds', value: r => r.macs},
      {header: 'of the dense 1×1', value: r => percent(r.macs / rows[0].macs)},
    ], 'A 1×1 group convolution, built and costed'),
    markdownItem(`Each output channel reads 1/G of the input channels: ${count(rows[0].weights)} weights dense, ${count(rows[2].weights)} at G = ${rows[2].groups}.`),
  ];
}

/** A group convolution with its shape in view (the survey's figure by default), built with and without groups. */
export function groupConvFigureSection(layer: GroupConvLayer & {kernel?: number} = {...SURVEY_FIGURE, kernel: 3}): Item[] {
  const {inputs, outputs, groups, kernel = 3} = layer;
  const figure = figureExample(kernel, {inputs, outputs, groups});
  return [markdownItem(`${inputs} input maps, ${outputs} output maps, ${groups} groups, ${kernel} × ${kernel} kernels: each output's kernel is ` +
      `${figure.kernelShape.slice(0, 3).join(' × ')}, spanning ${figure.kernelShape[2]} of the ${inputs} input maps; ${count(figure.weights)} weights against ` +
      `${count(figure.denseWeights)} for the standard convolution (${outputs}·${kernel}·${kernel}·${inputs}): 1/${Math.round(figure.denseWeights / figure.weights)}.`)];
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
    markdownItem(`Here the 1×1 convolutions take ${oneByOne ? percent(oneByOne.macsShare) : '-'} of the multiply-adds and ` +
        `${oneByOne ? percent(oneByOne.weightsShare) : '-'} of the weights; the concatenated outputs are ${percent(concatMemoryShare)} of the ` +
        'activations a forward pass writes.'),
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

/** A learned group convolution's mask as the sources draw one: the input maps (numbered from 1) each group keeps. */
export interface IndexExample {
  inputs: number;
  outputs: number;
  condenseFactor: number;
  /** Per group, the input maps it keeps, numbered from 1; every group keeps as many. */
  kept: ReadonlyArray<readonly number[]>;
}

/** The sources' example: their layer and the maps its three groups keep. */
export const SOURCE_EXAMPLE: IndexExample = {
  inputs: SOURCE_LAYER.inputs, outputs: SOURCE_LAYER.outputs, condenseFactor: SOURCE_LAYER.condenseFactor, kept: WORKED_EXAMPLE,
};

export interface WorkedExample {
  /** The index layer's gather, 0-based channel indices (the sources' numbers less one). */
  gather: number[];
  /** The same, as the sources number the maps (from 1). */
  oneBased: number[];
  /** Largest |difference| between the masked layer's outputs and the index layer + group convolution's, on random inputs. */
  maxDifference: number;
}

/**
 * A mask through the lab's layer and its conversion (the sources' worked
 * example by default): the mask set as drawn, the index layer's gather read
 * off it, and the converted computation (gather, then a standard group
 * convolution whose output g·O/G + k is the masked layer's g + k·G) checked
 * against the masked layer on random inputs.
 */
export function workedExample(example: IndexExample = SOURCE_EXAMPLE): WorkedExample {
  const {inputs, condenseFactor, outputs, kept} = example;
  const groups = kept.length;
  const outside = kept.flat().find(n => !(Number.isInteger(n) && n >= 1 && n <= inputs));
  if (outside != null) throw new Error(`index layer example: map ${outside} is not one of the ${inputs} input maps, numbered 1 to ${inputs}`);
  const layer = new LearnedGroupConv2D({filters: outputs, groups, condenseFactor, name: 'source_example'});
  layer.apply(tf.input({shape: [1, 1, inputs]}));
  try {
    layer.setKeptInputs(kept.map(g => g.map(n => n - 1)));
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

/** A mask (the sources' by default) converted: the index layer's gather, and the converted layer against the masked one. */
export function indexLayerExample(example: IndexExample = SOURCE_EXAMPLE): Item[] {
  const {inputs, outputs, condenseFactor, kept} = example;
  const {gather, oneBased, maxDifference} = workedExample(example);
  const groups = kept.length;
  return [
    markdownItem(`${inputs} input maps (numbered from 1) in G = ${groups} groups with C = ${condenseFactor}, the groups keeping ` +
        `(${kept.map(g => g.join(', ')).join('), (')}): one index layer gathering (${oneBased.join(', ')}), in 0-based indices (${gather.join(', ')}).`),
    markdownItem(`That is ${gather.length} channels, ${gather.length - new Set(gather).size} repeated, then a standard group convolution of ` +
        `${groups} groups of ${gather.length / groups} inputs each (${outputs} outputs); on random inputs it differs from the masked layer ` +
        `by at most ${maxDifference === 0 ? '0 (the same floats)' : `${maxDifference.toExponential(1)} (float rounding)`}.`),
  ];
}

/** The epoch at which each condensing stage starts (stage 0: the dense start), under the lab's rule (the official code's). */
export function stageStarts(epochs: number, condenseFactor: number): number[] {
  for (const [key, value] of [['epochs', epochs], ['condenseFactor', condenseFactor]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`condensing schedule: ${key} must be a whole number >= 1, got ${value}`);
  }
  const starts: number[] = [];
  for (let epoch = 0; epoch <= epochs; epoch++) {
    const stage = condensingStage(epoch / epochs, condenseFactor);
    if (starts.length <= stage) starts.push(epoch);
  }
  return starts;
}

/**
 * The CondenseNet notes' schedule: C - 1 condensing stages of M / (2(C - 1))
 * epochs each, then an optimisation stage they give as 2/M epochs. The
 * lab's condensing rule (the official code's) over the paper's CIFAR
 * schedule, M = 300 epochs at C = 4: the epoch at which each stage starts,
 * and how long the last (optimisation) stage lasts.
 */
export function scheduleErratum(epochs = 300, condenseFactor = 4): Erratum & {stageStarts: number[]; optimisingEpochs: number} {
  const starts = stageStarts(epochs, condenseFactor);
  const optimisingEpochs = epochs - starts[condenseFactor - 1];
  return {
    source: 'the notes on CondenseNet', stageStarts: starts, optimisingEpochs,
    claim: `of M training epochs the optimisation stage takes 2/M (for M = ${epochs}, ${(2 / epochs).toFixed(4)} of an epoch)`,
    computed: `with C = ${condenseFactor} the stages start at epochs ${starts.join(', ')} of ${epochs}, so optimisation runs ` +
        `${optimisingEpochs} epochs: M/2, the same as all the condensing stages together`,
  };
}

/** The condensing schedule for a condensation factor over a number of epochs: where each stage starts and what it leaves. */
export function scheduleSection({condenseFactor = GROUPS, epochs = 300}: {condenseFactor?: number; epochs?: number} = {}): Item[] {
  const starts = stageStarts(epochs, condenseFactor);
  const rows = starts.map((start, stage) => ({stage, start, end: starts[stage + 1] ?? epochs, kept: 1 - stage / condenseFactor}));
  return [
    tableItem(rows, [
      {header: 'stage', value: r => r.stage === 0 ? '0 (dense)' : r.stage === condenseFactor - 1 ? `${r.stage} (last)` : String(r.stage)},
      {header: 'starts at epoch', value: r => r.start},
      {header: 'of training', value: r => percent(r.start / epochs, 0)},
      {header: 'epochs', value: r => r.end - r.start},
      {header: '1×1 connections kept', value: r => percent(r.kept)},
    ], `The condensing schedule at C = ${condenseFactor} over ${epochs} epochs`),
    markdownItem(`The last stage starts at epoch ${starts.at(-1)} of ${epochs} (${percent(starts.at(-1)! / epochs, 0)} of training) and leaves ` +
        `${percent(1 / condenseFactor)} of the connections for the rest.`),
  ];
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
    markdownItem(`Across the published networks the official count is ${Math.min(...ratios).toFixed(2)}× to ${Math.max(...ratios).toFixed(2)}× ` +
        'the lab\'s plain count of the same built network.'),
  ];
}

/** One network (a registered CondenseNet by default) counted both ways, by layer class: the official counter and plain multiply-adds. */
export function countedBothWays(model = 'condensenet_86_cifar10', options: Record<string, unknown> = {}): Item[] {
  const [official, plain] = (['condensenet', 'macs'] as const).map(convention => {
    const byClass = new Map<string, number>();
    for (const l of networkCost(model, options, convention).layers) byClass.set(l.className, (byClass.get(l.className) ?? 0) + l.macs);
    return byClass;
  });
  const rows = [...new Set([...official.keys(), ...plain.keys()])].map(layerClass => ({layerClass, official: official.get(layerClass) ?? 0,
                                                                                        plain: plain.get(layerClass) ?? 0}))
      .filter(r => r.official > 0 || r.plain > 0).sort((a, b) => b.official - a.official);
  const total = (key: 'official' | 'plain') => rows.reduce((a, r) => a + r[key], 0);
  return [
    tableItem(rows, [
      {header: 'layer class', value: r => r.layerClass},
      {header: 'official counter', value: r => r.official},
      {header: 'plain multiply-adds', value: r => r.plain},
      {header: 'official / plain', value: r => r.plain > 0 ? `${(r.official / r.plain).toFixed(2)}×` : '-'},
    ], `${model}${Object.keys(options).length > 0 ? ` with ${JSON.stringify(options)}` : ''}: counted both ways, by layer class`),
    markdownItem(`In all: ${millions(total('official'))} by the official counter, ${millions(total('plain'))} plain multiply-adds ` +
        `(${(total('official') / total('plain')).toFixed(2)}×).`),
  ];
}

/** The lab's three networks of the latency figure, built as `growth` asks. */
function timedNetworks(growth: readonly number[]) {
  const base = {...LAB, stages: [...LAB.stages], growth: [...growth], groups: GROUPS, condenseFactor: GROUPS};
  return [
    {label: 'DenseNet (dense 1×1)', options: {...base, groups: 1, condenseFactor: 1}},
    {label: 'learned groups, masked (as trained)', options: base},
    {label: 'learned groups, converted', options: {...base, converted: true, classifierKeep: 1}},
  ];
}

/**
 * The lab's DenseNet, masked and converted CondenseNets built afresh
 * (untrained: their time does not depend on the weights) and timed at
 * `batch` on the engine in use: ms per image, measured as the records
 * measure it (batch 1: the median of many runs; larger: of a few).
 */
export async function latencySection({batch = 1, growth = [...LAB.growth]}: {batch?: number; growth?: number[]} = {}): Promise<Item[]> {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`latencySection: batch must be a whole number >= 1, got ${batch}`);
  const rows: Array<{label: string; macs: number; ms: number; spread: number}> = [];
  for (const n of timedNetworks(growth)) {
    const model = buildModel('condensenet', n.options);
    try {
      const {median, spread} = await measureLatency(model, batch, batch > 1 ? BATCH_LATENCY_METHOD : LATENCY_METHOD);
      rows.push({label: n.label, macs: networkCost('condensenet', n.options).totals.macs, ms: median, spread});
    } finally {
      model.dispose();
    }
  }
  const [dense, , converted] = rows;
  return [
    tableItem(rows, [
      {header: 'network', value: r => r.label},
      {header: 'MACs per image', value: r => r.macs},
      {header: 'ms per image', value: r => r.ms.toFixed(3)},
      {header: 'spread (middle half / median)', value: r => percent(r.spread, 0)},
      {header: 'time against DenseNet', value: r => percent(r.ms / dense.ms, 0)},
    ], `Built afresh (growth ${growth.join(' / ')}) and timed at batch ${batch} on ${tf.getBackend()}`),
    markdownItem(`At batch ${batch} the converted network does ${percent(converted.macs / dense.macs)} of DenseNet's multiply-adds in ` +
        `${percent(converted.ms / dense.ms)} of its time per image.`),
  ];
}
