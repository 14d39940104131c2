/**
 * Chapter 01 at paper scale: the published numbers as data (each with its
 * source), GoogLeNet's Table 1 reproduced row by row from the built
 * network, the comparisons with AlexNet and VGG-16, Inception v3's modules
 * traced, and the Inception family's parameters and multiply-adds.
 */
import * as tf from '@tensorflow/tfjs';

import {LayerCost} from '../../cost/types';
import {percent} from '../../display/format';
import {Item, markdownItem, tableItem} from '../../display/show';
import {buildModel} from '../../models';
import {networkCost} from '../../models/costs';
import {ComparisonRow, comparePublished} from '../common/compare';
import {layerCostTable} from '../common/cost-tables';
import {Erratum, erratumText} from '../common/errata';

export const GOOGLENET = 'Szegedy et al. 2014, Going deeper with convolutions (arXiv:1409.4842)';
export const RETHINKING = 'Szegedy et al. 2015, Rethinking the Inception Architecture (arXiv:1512.00567)';
export const BN_PAPER = 'Ioffe & Szegedy 2015, Batch Normalization (arXiv:1502.03167)';
export const INCEPTION_V4 = 'Szegedy et al. 2016, Inception-v4, Inception-ResNet (arXiv:1602.07261)';

/** GoogLeNet Table 1: parameters (thousands) and ops (millions) per row, as printed; `prefixes` name the lab's layers of each row. */
export const GOOGLENET_TABLE1 = [
  {row: 'conv 7×7/2', paramsK: 2.7, opsM: 34, prefixes: ['stem1']},
  {row: 'conv 3×3 (64 reduce)', paramsK: 112, opsM: 360, prefixes: ['stem2', 'stem3']},
  {row: '3a', paramsK: 159, opsM: 128, prefixes: ['inception3a']},
  {row: '3b', paramsK: 380, opsM: 304, prefixes: ['inception3b']},
  {row: '4a', paramsK: 364, opsM: 73, prefixes: ['inception4a']},
  {row: '4b', paramsK: 437, opsM: 88, prefixes: ['inception4b']},
  {row: '4c', paramsK: 463, opsM: 100, prefixes: ['inception4c']},
  {row: '4d', paramsK: 580, opsM: 119, prefixes: ['inception4d']},
  {row: '4e', paramsK: 840, opsM: 170, prefixes: ['inception4e']},
  {row: '5a', paramsK: 1072, opsM: 54, prefixes: ['inception5a']},
  {row: '5b', paramsK: 1388, opsM: 71, prefixes: ['inception5b']},
  {row: 'linear', paramsK: 1000, opsM: 1, prefixes: ['logits']},
] as const;

/** The claims of parameter ratios the chapter checks against built networks. */
export const RATIO_CLAIMS = [
  {claim: '"12× fewer parameters than" AlexNet', source: `${GOOGLENET}, §1`, against: 'alexnet_224_torchvision', ratio: 12},
  {claim: 'a third of VGG\'s parameters', source: 'repeated in tutorials (no paper says it)', against: 'vgg16_224', ratio: 3},
] as const;

/**
 * Rethinking Table 3: the ladder from GoogLeNet to Inception-v3, top-1 error (%) and cost (Bn ops), cumulative;
 * `built` names the lab's paper-scale network for a rung where it has one (BN adds no multiply-adds).
 */
export const RETHINKING_TABLE3 = [
  {rung: 'GoogLeNet', top1Error: 29, bnOps: 1.5, built: 'inception_v1_224'},
  {rung: 'BN-GoogLeNet', top1Error: 26.8, bnOps: 1.5, built: 'inception_v1_224'},
  {rung: 'BN-Inception', top1Error: 25.2, bnOps: 2.0, built: 'inception_v2'},
  {rung: 'Inception-v2', top1Error: 23.4, bnOps: 3.8, built: null},
  {rung: '+ RMSProp', top1Error: 23.1, bnOps: 3.8, built: null},
  {rung: '+ label smoothing', top1Error: 22.8, bnOps: 3.8, built: null},
  {rung: '+ factorised 7×7', top1Error: 21.6, bnOps: 4.8, built: null},
  {rung: '+ BN-auxiliary (Inception-v3)', top1Error: 21.2, bnOps: 4.8, built: 'inception_v3'},
] as const;

/** Multiply-adds of a built paper-scale network, in G (each costed once a process). */
export function paperScaleGigaMacs(variant: string): number {
  return variantTotals(variant).macs / 1e9;
}

/** The Rethinking abstract's own figure for Inception-v3: "5 billion multiply-adds". */
export const V3_ABSTRACT_BN_OPS = 5;

/** BN-Inception's results table: steps to reach Inception's 72.2 % and the best accuracy. */
export const BN_RESULTS = {
  source: `${BN_PAPER}, Table 2 and Fig. 2`,
  rows: [
    {model: 'Inception (no BN)', stepsToTarget: 31.0e6, maxAccuracy: 72.2},
    {model: 'BN-Baseline', stepsToTarget: 13.3e6, maxAccuracy: 72.7},
    {model: 'BN-x5 (learning rate x5)', stepsToTarget: 2.1e6, maxAccuracy: 73.0},
    {model: 'BN-x5-Sigmoid', stepsToTarget: null, maxAccuracy: 69.8},
  ],
  sigmoidWithoutBn: 'never better than 1/1000',
} as const;

/** Rethinking Fig. 2's control experiment, top-1 %: a ReLU or nothing between the two factors. */
export const CONTROL_EXPERIMENT = {source: `${RETHINKING}, Fig. 2`, relu: 77.2, linear: 76.2} as const;

/** Keras InceptionResNetV2's residual scales and Inception-v4 §3.3's range. */
export const RESIDUAL_SCALES = {paperRange: [0.1, 0.3], keras: {block35: 0.17, block17: 0.1, block8: 0.2}, source: `${INCEPTION_V4}, §3.3; Keras Applications`} as const;

/** One recipe, CIFAR-100, top-1 error (%): the ImageNet ordering inverts at small scale (weiaicunzai/pytorch-cifar100 README). */
export const SMALL_SCALE_INVERSION = {
  source: 'weiaicunzai/pytorch-cifar100 README (one 200-epoch recipe, CIFAR-100)',
  rows: [
    {model: 'GoogLeNet', paramsM: 6.2, top1Error: 21.97},
    {model: 'Inception-v3', paramsM: 22.3, top1Error: 22.81},
    {model: 'Inception-v4', paramsM: 41.3, top1Error: 24.14},
    {model: 'Inception-ResNet-v2', paramsM: 65.4, top1Error: 27.51},
  ],
} as const;

const count = (n: number) => n.toLocaleString('en-US');

/** A paper-scale network's layers and totals under the lab's convention (built once a process: compare.ts). */
const layersOf = (variant: string): LayerCost[] => networkCost(variant, {}, 'macs').layers;
const variantTotals = (variant: string) => networkCost(variant, {}, 'macs').totals;

const inRow = (layer: LayerCost, prefixes: readonly string[]) => prefixes.some(p => layer.name === p || layer.name.startsWith(`${p}_`));

/** Table 1 row by row: the printed parameters and ops beside the built network's (the paper's stem, 5x5 branches). */
export function table1Rows() {
  const layers = layersOf('inception_v1_224');
  return GOOGLENET_TABLE1.map(r => {
    const mine = layers.filter(l => inRow(l, r.prefixes));
    const weights = mine.reduce((a, l) => a + l.weightParams, 0);
    const macs = mine.reduce((a, l) => a + l.macs, 0);
    return {row: r.row, paperParams: r.paramsK * 1e3, ours: weights, paperOps: r.opsM * 1e6, oursOps: macs};
  });
}

/** Layers with weights in a built network's order: convolutions (any kind) and dense layers. */
const WEIGHTED = ['Conv2D', 'SeparableConv2D', 'DepthwiseConv2D', 'Dense'];

/**
 * GoogLeNet's depth as the paper counts it ("22 layers deep when counting
 * only layers with parameters"), from the built network: the stem's
 * weighted layers before the first module, two along each module's deepest
 * branch (1x1 then 3x3 or 5x5), and the classifier; and its global average pool.
 */
export function googLeNetDepth(): {stem: number; modules: number; classifier: number; depth: number; globalAveragePool: boolean} {
  const layers = layersOf('inception_v1_224');
  const firstModule = layers.findIndex(l => l.className === 'Concatenate');
  const stem = layers.slice(0, firstModule).filter(l => WEIGHTED.includes(l.className) && !/^inception/.test(l.name)).length;
  const modules = layers.filter(l => l.className === 'Concatenate').length;
  const classifier = layers.filter(l => l.className === 'Dense').length;
  return {stem, modules, classifier, depth: stem + 2 * modules + classifier,
          globalAveragePool: layers.some(l => l.className === 'GlobalAveragePooling2D')};
}

export function googLeNetSection(): Item[] {
  const rows = table1Rows();
  const depth = googLeNetDepth();
  const opsOff = rows.filter(r => Math.abs(r.oursOps - r.paperOps) > 1e6);
  const paramsOff = rows.filter(r => Math.abs(r.ours - r.paperParams) > 0.02 * r.paperParams);
  const totalOps = rows.reduce((a, r) => a + r.oursOps, 0);
  const totalParams = rows.reduce((a, r) => a + r.ours, 0);
  const printedParams = rows.reduce((a, r) => a + r.paperParams, 0);
  const convStem = layersOf('inception_v1_224_torchvision').filter(l => inRow(l, ['stem1'])).reduce((a, l) => a + l.weightParams, 0);
  const torchvision = comparePublished(['inception_v1_224_torchvision']);
  const withAux = networkCost('inception_v1', {wideKernel: 5, stem: 'separable', auxHeads: true}).totals;
  const without = variantTotals('inception_v1_224');
  return [
    tableItem(rows, [
      {header: 'Table 1 row', value: r => r.row},
      {header: 'params (paper)', value: r => r.paperParams},
      {header: 'weights (built)', value: r => r.ours},
      {header: 'ops (paper)', value: r => r.paperOps},
      {header: 'MACs (built)', value: r => r.oursOps},
    ], `GoogLeNet Table 1 (${GOOGLENET}) against the network the lab builds from it`),
    markdownItem(`Ops: ${rows.length - opsOff.length} of ${rows.length} rows within 1 M of the printed column` +
        (opsOff.length ? ` (${opsOff.map(r => `${r.row}: ${(r.oursOps / 1e6).toFixed(1)} M against ${r.paperOps / 1e6} M`).join('; ')})` : '') +
        `, ${(totalOps / 1e9).toFixed(3)} G in all. Parameters: ${paramsOff.length} of ${rows.length} rows differ from the printed column ` +
        `by more than 2 %, most ${[...paramsOff].sort((a, b) => Math.abs(b.ours / b.paperParams - 1) - Math.abs(a.ours / a.paperParams - 1)).slice(0, 3)
            .map(r => `${r.row} (${count(r.ours)} against ${count(r.paperParams)} printed)`).join(', ')}; the rows sum to ` +
        `${(totalParams / 1e6).toFixed(2)} M against ${(printedParams / 1e6).toFixed(2)} M printed.`),
    tableItem([
      {what: 'Table 1\'s first row as a depthwise separable 7×7, depth multiplier 8', built: rows[0].ours, published: rows[0].paperParams},
      {what: 'Table 1\'s first row as a plain 7×7 from 3 to 64 channels', built: convStem, published: rows[0].paperParams},
      ...torchvision.map(r => ({what: `torchvision's port, ${r.measure === 'macs' ? 'multiply-adds' : 'trainable parameters'}`, built: r.ours, published: r.published})),
    ], [
      {header: 'GoogLeNet', value: r => r.what},
      {header: 'built', value: r => r.built},
      {header: 'printed or published', value: r => r.published},
    ], 'Where the printed counts fit: the stem two ways, and torchvision\'s port (pytorch/vision#906)'),
    markdownItem(`Depth as the paper counts it, layers with weights along the deepest path: ${depth.stem} in the stem, 2 in each of ` +
        `${depth.modules} modules and ${depth.classifier} classifier, **${depth.depth}**; ` +
        `${depth.globalAveragePool ? 'a global average pool' : 'no global average pool'} before the classifier.`),
    markdownItem(`The two auxiliary classifiers on 4a and 4d add ${count(withAux.trainableParams - without.trainableParams)} trainable ` +
        `parameters (${percent((withAux.trainableParams - without.trainableParams) / without.trainableParams)} more) and ` +
        `${((withAux.macs - without.macs) / 1e6).toFixed(1)} M multiply-adds per training image.`),
  ];
}

export function ratioRows() {
  const googLeNet = variantTotals('inception_v1_224_torchvision');
  return RATIO_CLAIMS.map(c => {
    const other = variantTotals(c.against);
    return {...c, googLeNet: googLeNet.trainableParams, other: other.trainableParams, computed: other.trainableParams / googLeNet.trainableParams,
            macsRatio: other.macs / googLeNet.macs};
  });
}

export function referencePointsSection(): Item[] {
  const rows = ratioRows();
  const [alexnet, vgg] = rows;
  return [
    tableItem(rows, [
      {header: 'claim', value: r => r.claim},
      {header: 'source', value: r => r.source},
      {header: 'GoogLeNet (torchvision)', value: r => r.googLeNet},
      {header: 'the other network (built)', value: r => r.other},
      {header: 'ratio, computed', value: r => `${r.computed.toFixed(1)}×`},
      {header: 'ratio claimed', value: r => `${r.ratio}×`},
    ], 'GoogLeNet against AlexNet and VGG-16, built at paper scale (224 px, 1000 classes)'),
    markdownItem(`"${alexnet.ratio}×" would need a GoogLeNet of about ${(alexnet.other / alexnet.ratio / 1e6).toFixed(1)} M parameters, ` +
        `${alexnet.other / alexnet.ratio < alexnet.googLeNet ? 'fewer' : 'more'} than the ${count(alexnet.googLeNet)} built. ` +
        `Built, the "third" is 1/${Math.round(vgg.computed)}, and VGG-16 costs ${vgg.macsRatio.toFixed(1)}× GoogLeNet's multiply-adds.`),
  ];
}

/** Inception v3's modules in order: output shape, parameters and multiply-adds of each (stem rows grouped). */
export function v3TraceRows() {
  const layers = layersOf('inception_v3');
  const moduleOf = (name: string) => /^(stem\d|mixed\d[a-e])/.exec(name)?.[1] ?? null;
  const order: string[] = [];
  const byModule = new Map<string, LayerCost[]>();
  for (const layer of layers) {
    const m = moduleOf(layer.name);
    if (m == null) continue;
    if (!byModule.has(m)) order.push(m);
    byModule.set(m, [...(byModule.get(m) ?? []), layer]);
  }
  return order.map(m => {
    const mine = byModule.get(m)!;
    return {module: m, output: mine[mine.length - 1].outputShape, params: mine.reduce((a, l) => a + l.trainableParams, 0),
            macs: mine.reduce((a, l) => a + l.macs, 0)};
  });
}

/** The layers of one of Inception v3's modules (mixed5b ... mixed7c, or a stem row), with their output shapes and costs. */
export function v3ModuleTable(module = 'mixed6b'): Item {
  const layers = layersOf('inception_v3').filter(l => l.name.startsWith(`${module}_`));
  if (layers.length === 0) {
    throw new Error(`Inception v3 has no module '${module}': one of ${v3TraceRows().map(r => r.module).join(', ')}`);
  }
  return layerCostTable(layers, `${module}, layer by layer`);
}

export function v3TraceSection(): Item[] {
  const rows = v3TraceRows();
  return [
    tableItem(rows, [
      {header: 'module', value: r => r.module},
      {header: 'output', value: r => r.output.join(' × ')},
      {header: 'params', value: r => r.params},
      {header: 'MACs', value: r => r.macs},
    ], 'Inception v3 at 299 px, module by module as the lab builds it'),
    markdownItem(`Built, the grid goes ${['mixed5d', 'mixed6e', 'mixed7c'].map(m => rows.find(r => r.module === m)!.output.join('×')).join(' → ')} ` +
        'over the three groups of modules. One of the 17 × 17 modules:'),
    v3ModuleTable('mixed6b'),
    markdownItem(erratumText(v3AuxErratum())),
  ];
}

/** The Inception family at paper scale: what the lab builds against what its sources publish. */
export const PAPER_SCALE_VARIANTS = ['inception_v1_224', 'inception_v1_224_torchvision', 'inception_v2', 'inception_v3', 'inception_v3_keras',
                                     'inception_v3_aux', 'inception_v4', 'inception_resnet_v2', 'inception_resnet_v2_keras'] as const;

export function paperScaleRows(): ComparisonRow[] {
  return comparePublished(PAPER_SCALE_VARIANTS);
}

/** Residual additions in a built network (Add, or the lab's ScaledAdd for scaled residuals). */
export function residualAdditions(variant: string): number {
  return layersOf(variant).filter(l => l.className === 'Add' || l.className === 'ScaledAdd').length;
}

/**
 * The Inception chapter's "v3 adds a 7x7 convolution in the auxiliary
 * classifier": the built v3's auxiliary head, kernel by kernel, and where
 * its 7x7s are (1x7 and 7x1 pairs in the 17 x 17 modules). Rethinking's
 * rungs are "Factorized 7 × 7" (the stem's first 7x7 as 3x3s) and
 * "BN-auxiliary" (batch norm in the auxiliary classifier).
 */
export function v3AuxErratum(): Erratum & {auxKernels: number[][]; factorisedSevens: number} {
  const model = buildModel('inception_v3', {auxHead: true});
  try {
    const kernelOf = (l: tf.layers.Layer) => (l.getConfig() as {kernelSize?: number[]}).kernelSize ?? [];
    const convs = model.layers.filter(l => l.getClassName() === 'Conv2D');
    const auxKernels = convs.filter(l => /^aux_/.test(l.name)).map(kernelOf);
    const factorisedSevens = convs.filter(l => {
      const [h, w] = kernelOf(l);
      return (h === 1 && w === 7) || (h === 7 && w === 1);
    }).length;
    return {
      source: 'the Inception chapter with PyTorch code', auxKernels, factorisedSevens,
      claim: 'Inception-v3 adds a 7×7 convolution to the auxiliary classifier',
      computed: `the auxiliary classifier's convolutions are ${auxKernels.map(([h, w]) => `${h}×${w}`).join(' and ')}, each with batch ` +
          `norm; the network's 7×7s are factorised into ${factorisedSevens} 1×7 and 7×1 convolutions`,
    };
  } finally {
    model.dispose();
  }
}

/** The Inception chapter's "Inception-v4 = Inception + residual", against the built networks. */
export function v4Erratum(): Erratum {
  return {
    source: 'the Inception chapter with PyTorch code',
    claim: 'Inception-v4 combines the Inception module with residual connections; that is Inception-ResNet, a sibling from the same paper',
    computed: `inception_v4 has ${residualAdditions('inception_v4')} residual additions, inception_resnet_v2 ` +
        `${residualAdditions('inception_resnet_v2')}`,
  };
}

export function paperScaleSection(): Item[] {
  const rows = PAPER_SCALE_VARIANTS.map(v => ({variant: v, ...variantTotals(v)}));
  const v3 = rows.find(r => r.variant === 'inception_v3')!;
  const matches = [RETHINKING_TABLE3[7].bnOps, V3_ABSTRACT_BN_OPS].some(g => Math.abs(v3.macs / 1e9 / g - 1) < 0.05);
  return [
    tableItem(rows, [
      {header: 'network', value: r => r.variant},
      {header: 'trainable params', value: r => r.trainableParams},
      {header: 'MACs', value: r => r.macs},
    ], 'The Inception family at paper scale, as the lab builds it (each reproduces its published counts: see Paper against ours)'),
    markdownItem(`Inception-v3 at 299 px: ${(v3.macs / 1e9).toFixed(2)} G multiply-adds as the lab (and torchvision) counts them; ` +
        `Rethinking's Table 3 says ${RETHINKING_TABLE3[7].bnOps} Bn ops, its abstract "${V3_ABSTRACT_BN_OPS} billion multiply-adds"` +
        `${matches ? '' : ', neither within 5 % of this count'}.`),
    markdownItem(erratumText(v4Erratum())),
  ];
}
