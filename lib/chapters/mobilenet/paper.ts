/**
 * Chapter 03's paper side: MobileNet v1's Tables 2-7 and 9 recomputed from
 * built networks, MobileNetV2 and V3's published numbers, and how cost
 * scales with the width and resolution multipliers.
 */
import * as tf from '@tensorflow/tfjs';

import {separableRatio} from '../../cost';
import {millions, percent, signed} from '../../display/format';
import {Item, markdownItem, plotlyItem, tableItem} from '../../display/show';
import {networkCost} from '../../models/costs';
import {TABLE_2, TABLE_3} from '../../models/mobilenet-v1';
import {ComparisonRow, comparePublished, totalsOf, variantsOf} from '../common/compare';
import {layerCostTable} from '../common/cost-tables';
import {Erratum, erratumText} from '../common/errata';
import {applyTo} from '../../layers/apply';

export const PAPER = 'Howard et al. 2017, MobileNets (arXiv:1704.04861)';

export interface Table3Row {
  label: string;
  paperMacsM: number;
  paperParamsM: number;
  macs: number;
  weightParams: number;
}

/** One layer of a separable-against-standard comparison: a DK × DK kernel from M to N channels on a DF × DF map. */
export interface SeparableLayer {
  /** DK, the kernel's side (default Table 3's 3). */
  kernel?: number;
  /** M, the input channels (default Table 3's 512). */
  channels?: number;
  /** N, the output channels (default: as many as the input). */
  outputs?: number;
  /** DF, the map's side (default Table 3's 14). */
  size?: number;
}

/** A layer built in TF.js, full DK × DK or depthwise + pointwise ('same' padding, no bias), and costed by the rules. */
function builtLayer(layer: Required<SeparableLayer>, separable: boolean) {
  const input = tf.input({shape: [layer.size, layer.size, layer.channels]});
  let x = input;
  if (separable) {
    x = applyTo(tf.layers.depthwiseConv2d({kernelSize: layer.kernel, padding: 'same', useBias: false}), x);
    x = applyTo(tf.layers.conv2d({filters: layer.outputs, kernelSize: 1, useBias: false}), x);
  } else {
    x = applyTo(tf.layers.conv2d({filters: layer.outputs, kernelSize: layer.kernel, padding: 'same', useBias: false}), x);
  }
  return totalsOf(tf.model({inputs: input, outputs: x}));
}

/**
 * Table 3 recomputed: each row's layer built in TF.js (full 3x3 conv, or
 * depthwise + pointwise at the row's alpha and size) and costed by the rules.
 */
export function table3Rows(): Table3Row[] {
  return TABLE_3.rows.map(row => {
    const channels = TABLE_3.channels * row.alpha;
    const {macs, weightParams} = builtLayer({kernel: TABLE_3.kernel, channels, outputs: channels, size: row.size}, row.separable);
    return {label: row.label, paperMacsM: row.macsM, paperParamsM: row.paramsM, macs, weightParams};
  });
}

/** "1/N + 1/DK² = ..., i.e. **k× fewer** multiply-adds; the built layers give m×." */
function ratioSentence(kernel: number, outputs: number, builtRatio: number): string {
  const ratio = separableRatio(kernel, outputs);
  return `Separable over standard: 1/N + 1/DK² = 1/${outputs} + 1/${kernel ** 2} = ${ratio.toFixed(4)}, ` +
      `i.e. **${(1 / ratio).toFixed(2)}× fewer** multiply-adds; the built layers give ${builtRatio.toFixed(2)}×.`;
}

/** Section 1: Table 3, and the 1/N + 1/DK² ratio against the built layers. */
export function table3Section(): Item[] {
  const rows = table3Rows();
  return [
    tableItem(rows, [
      {header: 'layer', value: r => r.label},
      {header: 'paper Mult-Adds', value: r => r.paperMacsM + 'M'},
      {header: 'ours', value: r => millions(r.macs)},
      {header: 'paper params', value: r => r.paperParamsM + 'M'},
      {header: 'ours ', value: r => millions(r.weightParams, 3)},
    ], 'MobileNet Table 3: one layer made cheaper step by step'),
    markdownItem(ratioSentence(TABLE_3.kernel, TABLE_3.channels, rows[0].macs / rows[1].macs)),
  ];
}

/** Section 1's try-it: any one layer, full against depthwise + pointwise, built and costed, with 1/N + 1/DK² beside it. */
export function separableLayerSection(layer: SeparableLayer = {}): Item[] {
  const channels = layer.channels ?? TABLE_3.channels;
  const l: Required<SeparableLayer> = {kernel: layer.kernel ?? TABLE_3.kernel, channels, outputs: layer.outputs ?? channels, size: layer.size ?? TABLE_3.size};
  const rows = [
    {label: `full ${l.kernel} × ${l.kernel} convolution`, ...builtLayer(l, false)},
    {label: `depthwise ${l.kernel} × ${l.kernel} + pointwise 1 × 1`, ...builtLayer(l, true)},
  ];
  return [
    tableItem(rows, [
      {header: 'layer', value: r => r.label},
      {header: 'Mult-Adds', value: r => r.macs},
      {header: 'weights', value: r => r.weightParams},
    ], `One layer, ${l.channels} → ${l.outputs} channels on ${l.size} × ${l.size}, built and costed`),
    markdownItem(ratioSentence(l.kernel, l.outputs, rows[0].macs / rows[1].macs)),
  ];
}

/** MobileNet v1's depth as the paper counts it (28 layers: depthwise and pointwise counted apart), from the built network. */
export function mobileNetDepth(): {full: number; depthwise: number; pointwise: number; classifier: number; depth: number} {
  const layers = networkCost('mobilenet_v1').layers;
  const depthwise = layers.filter(l => l.className === 'DepthwiseConv2D').length;
  const convs = layers.filter(l => l.className === 'Conv2D');
  const pointwise = convs.filter(l => l.kind === 'conv1x1').length;
  const classifier = layers.filter(l => l.className === 'Dense').length;
  const full = convs.length - pointwise;
  return {full, depthwise, pointwise, classifier, depth: full + depthwise + pointwise + classifier};
}

/** Whether two printed numbers are the same digits in another order (1.19 and 1.91). */
export function transposed(printed: string, ours: string): boolean {
  const digits = (t: string) => [...t.replace(/\D/g, '')].sort().join('');
  return printed !== ours && digits(printed) === digits(ours);
}

/**
 * Table 2's one wrong cell: the first full 3 × 3 convolution's share of the
 * Mult-Adds, printed against the built network's, with what each makes the
 * printed column sum to.
 */
export function table2Erratum(): Erratum & {printedPct: number; oursPct: number; printedSum: number; withOursSum: number} {
  const share = networkCost('mobilenet_v1').byKind.find(k => k.kind === 'conv3x3')!.macsShare;
  const row = TABLE_2.rows.find(r => r.kind === 'conv3x3')!;
  const oursPct = 100 * share;
  const printedSum = TABLE_2.rows.reduce((a, r) => a + r.macsPct, 0);
  const withOursSum = printedSum - row.macsPct + oursPct;
  const [printed, ours] = [row.macsPct.toFixed(2), oursPct.toFixed(2)];
  return {
    source: "MobileNet's Table 2", printedPct: row.macsPct, oursPct, printedSum, withOursSum,
    claim: `the first full 3 × 3 convolution carries ${printed} % of the Mult-Adds`,
    computed: `${ours} % (the printed column sums to ${printedSum.toFixed(2)} %; with ${ours} % it sums to ${withOursSum.toFixed(2)} %)` +
        (transposed(printed, ours) ? ': the same digits, transposed' : ''),
  };
}

/** Section 2: MobileNet v1 1.0-224 per layer, and Table 2 with its typo. */
export function paperV1Section(): Item[] {
  const cost = networkCost('mobilenet_v1');
  const share = (kind: string) => cost.byKind.find(k => k.kind === kind)!;
  return [
    layerCostTable(cost.layers, 'MobileNet v1 1.0-224, per layer', {macs: 'Mult-Adds', weightsOnly: true}),
    tableItem(TABLE_2.rows, [
      {header: 'layer type', value: r => r.label},
      {header: 'paper Mult-Adds', value: r => r.macsPct.toFixed(2) + ' %'},
      {header: 'ours', value: r => percent(share(r.kind).macsShare, 2)},
      {header: 'paper params', value: r => r.paramsPct.toFixed(2) + ' %'},
      {header: 'ours ', value: r => percent(share(r.kind).weightParamsShare, 2)},
    ], 'Table 2: where the cost sits'),
    markdownItem(`The 1 × 1 convolutions carry **${percent(share('conv1x1').macsShare)}** of the multiply-adds ` +
        `and ${percent(share('conv1x1').weightParamsShare)} of the parameters.`),
    markdownItem(erratumText(table2Erratum())),
    markdownItem((d => `Counting depthwise and pointwise convolutions as separate layers, as the paper does: ${d.full} full convolution, ` +
        `${d.depthwise} depthwise, ${d.pointwise} pointwise and ${d.classifier} fully connected, **${d.depth}** layers.`)(mobileNetDepth())),
  ];
}

/**
 * The comparisons MobileNet's Tables 8 and 9 make, and the MobileNet notes
 * repeat, recomputed from networks the lab builds at paper scale: MobileNet
 * 1.0-224 against VGG-16, 0.50 MobileNet-160 against AlexNet and
 * SqueezeNet. The paper's ratios are from its printed figures (Table 8:
 * 4.2M / 569M against VGG-16's 138M / 15,300M; Table 9: 1.32M / 76M against
 * AlexNet's 60M / 720M and SqueezeNet's 1.25M / 1,700M).
 */
export const REFERENCE_COMPARISONS = [
  {mobileNet: {width: 1, resolution: 224}, against: 'vgg16_224', label: 'MobileNet 1.0-224 against VGG-16', table: 'Table 8',
   paperParamsRatio: 138 / 4.2, paperMacsRatio: 15300 / 569},
  {mobileNet: {width: 0.5, resolution: 160}, against: 'alexnet_224_torchvision', label: '0.50 MobileNet-160 against AlexNet', table: 'Table 9',
   paperParamsRatio: 60 / 1.32, paperMacsRatio: 720 / 76},
  {mobileNet: {width: 0.5, resolution: 160}, against: 'squeezenet1_0_224_torchvision', label: '0.50 MobileNet-160 against SqueezeNet',
   table: 'Table 9', paperParamsRatio: 1.25 / 1.32, paperMacsRatio: 1700 / 76},
] as const;

/**
 * The paper's "22× less computation than SqueezeNet" (Table 9, repeated by
 * the notes on MobileNet) rests on its 1,700M Mult-Adds for SqueezeNet,
 * about twice what SqueezeNet 1.0 costs when built (torchvision counts the
 * same as the lab). The parameters barely differ, and SqueezeNet has fewer.
 */
export function squeezeNetErratum(): Erratum & {macsRatio: number; paramsRatio: number} {
  const mobileNet = networkCost('mobilenet_v1', {width: 0.5, resolution: 160}).totals;
  const squeezeNet = networkCost('squeezenet1_0_224_torchvision').totals;
  const macsRatio = squeezeNet.macs / mobileNet.macs;
  const paramsRatio = squeezeNet.weightParams / mobileNet.weightParams;
  return {
    source: 'MobileNet\'s Table 9, and the notes on MobileNet', macsRatio, paramsRatio,
    claim: `0.50 MobileNet-160 needs about ${(1700 / 76).toFixed(0)}× less computation than SqueezeNet (1,700M Mult-Adds against 76M)`,
    computed: `SqueezeNet 1.0 costs ${millions(squeezeNet.macs)} multiply-adds at 224 px, so 0.50 MobileNet-160 (${millions(mobileNet.macs)}) ` +
        `needs ${macsRatio.toFixed(1)}× less; its ${millions(mobileNet.weightParams)} weights are ${(1 / paramsRatio).toFixed(2)}× ` +
        `SqueezeNet's ${millions(squeezeNet.weightParams)}, so SqueezeNet stays the smaller network`,
  };
}

export function referenceComparisonRows() {
  return REFERENCE_COMPARISONS.map(c => {
    const ours = networkCost('mobilenet_v1', {...c.mobileNet}).totals;
    const other = networkCost(c.against).totals;
    return {label: c.label, table: c.table, paramsRatio: other.weightParams / ours.weightParams, macsRatio: other.macs / ours.macs,
            paperParamsRatio: c.paperParamsRatio, paperMacsRatio: c.paperMacsRatio};
  });
}

/**
 * The MobileNet notes say MobileNet has 2.5× fewer parameters and 2.5×
 * fewer multiply-adds than GoogLeNet; the paper's Table 8 says only the
 * computation. Both networks built at 224 px, as the papers count them.
 */
export function googLeNetErratum(): Erratum & {paramsRatio: number; macsRatio: number} {
  const mobileNet = networkCost('mobilenet_v1').totals;
  const googLeNet = networkCost('inception_v1_224').totals;
  const paramsRatio = googLeNet.weightParams / mobileNet.weightParams;
  const macsRatio = googLeNet.macs / mobileNet.macs;
  return {
    source: 'the notes on MobileNet', paramsRatio, macsRatio,
    claim: 'against GoogLeNet, MobileNet has both 2.5× fewer parameters and 2.5× less computation (the paper itself claims only the computation)',
    computed: `GoogLeNet ${millions(googLeNet.weightParams)} weights against MobileNet's ${millions(mobileNet.weightParams)}, ` +
        `${paramsRatio.toFixed(1)}× fewer; ${millions(googLeNet.macs)} multiply-adds against ${millions(mobileNet.macs)}, ${macsRatio.toFixed(1)}× fewer`,
  };
}

const measureName = (r: ComparisonRow) => r.measure === 'macs' ? 'Mult-Adds' : 'params';

/**
 * How the paper printed its Mult-Adds, shown by its own rows: the first
 * whose built value (of a fraction of a million, .5 or more) it rounded up,
 * and the first it truncated; each as "568.74M as 569M", or undefined
 * where no row does so.
 */
export function printedMacsExamples(rows: readonly ComparisonRow[]): {rounded?: string; truncated?: string} {
  const candidates = rows.filter(r => r.measure === 'macs' && r.source.startsWith(PAPER) && r.withinTolerance && (r.ours / 1e6) % 1 >= 0.5);
  const say = (r?: ComparisonRow) => r && `${millions(r.ours)} as ${millions(r.published, 0)}`;
  return {
    rounded: say(candidates.find(r => r.published === Math.ceil(r.ours / 1e6) * 1e6)),
    truncated: say(candidates.find(r => r.published === Math.floor(r.ours / 1e6) * 1e6)),
  };
}

/** Section 2, continued: Tables 4-7 and 9 against the built networks, the gaps said as the rows give them. */
export function paperTablesSection(): Item[] {
  const rows = comparePublished(variantsOf('mobilenet_v1'), ['macs', 'weightParams']).filter(r => /Table [4-9]/.test(r.source));
  const within = rows.filter(r => r.withinTolerance);
  const unreconciled = rows.filter(r => r.unreconciled);
  const largest = rows.reduce((a, r) => Math.abs(r.difference) / r.published > Math.abs(a.difference) / a.published ? r : a);
  const printed = printedMacsExamples(rows);
  return [
    tableItem(rows, [
      {header: 'variant', value: r => r.variant},
      {header: 'measure', value: measureName},
      {header: 'paper', value: r => millions(r.published)},
      {header: 'ours', value: r => millions(r.ours)},
      {header: 'difference', value: r => (r.difference >= 0 ? '+' : '') + millions(r.difference)},
      {header: 'source', value: r => r.source.replace(`${PAPER}, `, '')},
    ], 'Tables 4-7 and 9, paper against the built networks'),
    markdownItem(`${within.length} of ${rows.length} numbers agree with the paper to its printed precision. ` +
        (printed.rounded && printed.truncated ? `Printed Mult-Adds: ${printed.rounded} (rounded), ${printed.truncated} (truncated). ` : '') +
        `The largest relative difference, ${percent(Math.abs(largest.difference) / largest.published, 2)} ` +
        `(${largest.variant}, ${measureName(largest)}), is ${millions(largest.ours)} printed as ${millions(largest.published, 1)}` +
        (largest.withinTolerance ? ', within the printed precision. ' : '. ') +
        (unreconciled.length === 0 ? 'Every difference is explained by rounding.' :
         `Not explained by rounding: ${unreconciled.map(r => `${r.variant} ${measureName(r)}, ` +
             `${millions(r.ours)} against ${millions(r.published, 0)} (${signed(r.difference / 1e6, 2)}M; ${r.unreconciled})`).join('; ')}.`)),
    tableItem(referenceComparisonRows(), [
      {header: 'comparison', value: r => `${r.label} (${r.table})`},
      {header: 'fewer parameters, built', value: r => `${r.paramsRatio.toFixed(1)}×`},
      {header: 'paper', value: r => `${r.paperParamsRatio.toFixed(1)}×`},
      {header: 'fewer multiply-adds, built', value: r => `${r.macsRatio.toFixed(1)}×`},
      {header: 'paper ', value: r => `${r.paperMacsRatio.toFixed(1)}×`},
    ], 'MobileNet against the networks it was compared with, both built at paper scale'),
    markdownItem(erratumText(googLeNetErratum())),
    markdownItem(erratumText(squeezeNetErratum())),
  ];
}

/** Section 2, continued: MobileNetV2 and V3's published numbers, three parameter counts for one network. */
export function modernSection(): Item[] {
  const rows = comparePublished(['mobilenet_v2_1.0_224', 'mobilenet_v3_large_1.0_224', 'mobilenet_v3_small_1.0_224']);
  const v2 = (measure: string) => rows.find(r => r.variant === 'mobilenet_v2_1.0_224' && r.measure === measure)!.ours.toLocaleString('en-US');
  return [
    tableItem(rows, [
      {header: 'variant', value: r => r.variant},
      {header: 'measure', value: r => r.measure},
      {header: 'published', value: r => r.published},
      {header: 'ours', value: r => r.ours},
      {header: 'source', value: r => r.source},
    ], 'MobileNetV2 and V3: every published number the lab checks'),
    markdownItem(`MobileNetV2 1.0-224: ${v2('macs')} multiply-adds (the paper's "300M"); ${v2('weightParams')} conv + dense weights ` +
        `(TF-slim's "3.47M"), ${v2('trainableParams')} with batch norm's scale and shift, ${v2('params')} with its moving statistics.`),
  ];
}

/** Section 3: how cost scales with α and ρ (equation 6). */
export function scalingSection(): Item[] {
  const alphas = [0.25, 0.35, 0.5, 0.75, 1.0, 1.25];
  const resolutions = [96, 128, 160, 192, 224];
  const byAlpha = alphas.map(width => ({width, ...networkCost('mobilenet_v1', {width}).totals}));
  const byRho = resolutions.map(resolution => ({rho: resolution / 224, ...networkCost('mobilenet_v1', {resolution}).totals}));
  const base = byAlpha.find(r => r.width === 1)!;
  const a25 = byAlpha.find(r => r.width === 0.25)!;
  const line = (name: string, x: number[], y: number[], dash?: string) =>
      ({type: 'scatter', mode: dash ? 'lines' : 'lines+markers', name, x, y, ...(dash ? {line: {dash}} : {})});
  return [
    plotlyItem({
      data: [
        line('Mult-Adds vs α', alphas, byAlpha.map(r => r.macs / base.macs)),
        line('params vs α', alphas, byAlpha.map(r => r.weightParams / base.weightParams)),
        line('α²', alphas, alphas.map(a => a * a), 'dot'),
        line('Mult-Adds vs ρ', byRho.map(r => r.rho), byRho.map(r => r.macs / base.macs)),
        line('params vs ρ', byRho.map(r => r.rho), byRho.map(r => r.weightParams / base.weightParams)),
        line('ρ²', byRho.map(r => r.rho), byRho.map(r => r.rho ** 2), 'dash'),
      ],
      layout: {title: {text: 'MobileNet v1: cost relative to 1.0-224'}, xaxis: {title: {text: 'multiplier (α or ρ)'}, type: 'log'},
               yaxis: {title: {text: 'relative to α = ρ = 1 (log scale)'}, type: 'log'}},
    }),
    markdownItem(`At α = 0.25 the network costs ${percent(a25.macs / base.macs)} of the full one's multiply-adds (α² = ${percent(0.25 ** 2, 2)}). ` +
        `Parameters stay at ${millions(base.weightParams)} for every resolution.`),
  ];
}
