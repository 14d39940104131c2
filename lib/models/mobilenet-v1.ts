/**
 * MobileNet v1 (Howard et al. 2017, arXiv:1704.04861): depthwise separable
 * convolutions with a width multiplier alpha and a resolution multiplier rho
 * (set through the input resolution).
 *
 * BODY is Table 1 after the first full convolution; `buildMobileNetV1` is the
 * only interpreter of it. The same builder gives the paper's Conv MobileNet
 * (Table 4: full 3x3 convolutions in place of each separable pair), Shallow
 * MobileNet (Table 5: the five 14x14x512 layers removed) and the lab-scale
 * networks (28/32 px inputs: the stem keeps full resolution).
 */
import * as tf from '@tensorflow/tfjs';

import {Act, convBnAct} from '../blocks/conv-bn-act';
import {depthwiseSeparable} from '../blocks/depthwise-separable';
import {classifierHead} from '../blocks/util';
import {scaledFilters} from './channels';
import {checkCommon, checkRange, checkStemStride, minResolutionFor, STEM_STRIDE_OPTION} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

/** One depthwise separable layer of Table 1: depthwise stride, pointwise filters. */
export interface Row {
  readonly stride: 1 | 2;
  readonly filters: number;
  /** True for the five 14x14x512 layers that Shallow MobileNet removes. */
  readonly repeated512?: boolean;
}

// prettier-ignore
export const BODY: readonly Row[] = [
  {stride: 1, filters: 64},    // 112x112x32
  {stride: 2, filters: 128},   // 112x112x64
  {stride: 1, filters: 128},   // 56x56x128
  {stride: 2, filters: 256},   // 56x56x128
  {stride: 1, filters: 256},   // 28x28x256
  {stride: 2, filters: 512},   // 28x28x256
  ...Array.from({length: 5}, () => ({stride: 1, filters: 512, repeated512: true} as const)),  // 14x14x512
  {stride: 2, filters: 1024},  // 14x14x512
  // Table 1 prints "s2" here, but the input is already 7x7 and the output
  // 7x7: stride 1, as in every reference implementation.
  {stride: 1, filters: 1024},  // 7x7x1024
];

export const STEM_FILTERS = 32;

export interface MobileNetV1Options extends CommonOptions {
  /** 'separable' (MobileNet) or 'full' (Conv MobileNet, Table 4). */
  convolution: 'separable' | 'full';
  /** Remove the five 14x14x512 layers (Shallow MobileNet, Table 5). */
  shallow: boolean;
  /** Stride of the first conv: 2 in the paper, 1 for 28/32 px lab inputs. */
  stemStride: number;
  /** Keep only the first `depth` rows of BODY (lab scale); default all 13. */
  depth: number;
  act: Act;
  dropout: number;
}

export const DEFAULTS: MobileNetV1Options = {
  resolution: 224, width: 1, classes: 1000, channels: 3,
  convolution: 'separable', shallow: false, stemStride: 2, depth: BODY.length, act: 'relu', dropout: 0,
};

export function buildMobileNetV1(options: Partial<MobileNetV1Options> = {}): tf.LayersModel {
  const o: MobileNetV1Options = {...DEFAULTS, ...options};
  checkRange('mobilenet_v1: depth', o.depth, 1, BODY.length, true);
  checkStemStride('mobilenet_v1', o.stemStride);
  if (o.convolution !== 'separable' && o.convolution !== 'full') {
    throw new Error(`mobilenet_v1: convolution must be 'separable' or 'full', got '${o.convolution}'`);
  }
  const rows = BODY.slice(0, o.depth).filter(r => !(o.shallow && r.repeated512));
  const downsamplings = (o.stemStride === 2 ? 1 : 0) + rows.filter(r => r.stride === 2).length;
  checkCommon('mobilenet_v1', o, minResolutionFor(downsamplings));

  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = convBnAct(input, {
    filters: scaledFilters(STEM_FILTERS, o.width), kernelSize: 3, strides: o.stemStride, act: o.act, name: 'stem',
  });
  rows.forEach((row, i) => {
    const filters = scaledFilters(row.filters, o.width);
    const name = `block${i + 1}`;
    x = o.convolution === 'separable' ?
        depthwiseSeparable(x, {filters, strides: row.stride, act: o.act, name}) :
        convBnAct(x, {filters, kernelSize: 3, strides: row.stride, act: o.act, name});
  });
  const logits = classifierHead(x, o.classes, {dropout: o.dropout});
  return tf.model({inputs: input, outputs: logits, name: 'mobilenet_v1'});
}

export const FAMILY: Family<MobileNetV1Options> = {
  name: 'mobilenet_v1',
  paper: 'Howard et al. 2017, MobileNets, arXiv:1704.04861',
  defaults: DEFAULTS,
  options: {
    convolution: {type: 'string', choices: ['separable', 'full'], description: "'full' gives Conv MobileNet (Table 4)"},
    shallow: {type: 'boolean', description: 'remove the five 14x14x512 layers (Shallow MobileNet, Table 5)'},
    stemStride: STEM_STRIDE_OPTION,
    depth: {type: 'integer', description: `keep the first N of the ${BODY.length} separable layers`},
    act: {type: 'string', choices: ['relu', 'relu6'], description: 'activation (paper: relu)'},
    dropout: {type: 'number', description: 'dropout before the classifier'},
  },
  // Chapter 03's lab-scale network: the full first conv at stride 1, the first five separable layers.
  labScale: {stemStride: 1, depth: 5},
  build: buildMobileNetV1,
};

const PAPER = 'Howard et al. 2017, MobileNets (arXiv:1704.04861)';

/**
 * Table 3: one layer (DK = 3, M = N = 512, DF = 14), made cheaper step by
 * step. Rows are cumulative: separable, then alpha 0.75, then rho 0.714
 * (DF 14 -> 10). Million Mult-Adds and million parameters as printed.
 */
export const TABLE_3 = {
  source: `${PAPER}, Table 3`,
  kernel: 3, channels: 512, size: 14,
  rows: [
    {label: 'Conv 3x3', separable: false, alpha: 1, size: 14, macsM: 462, paramsM: 2.36},
    {label: 'Depthwise separable', separable: true, alpha: 1, size: 14, macsM: 52.3, paramsM: 0.27},
    {label: 'alpha = 0.75', separable: true, alpha: 0.75, size: 14, macsM: 29.6, paramsM: 0.15},
    {label: 'rho = 0.714', separable: true, alpha: 0.75, size: 10, macsM: 15.1, paramsM: 0.15},
  ],
} as const;

/** Table 2: MobileNet 1.0-224's share of Mult-Adds and parameters by layer type, in percent, as printed. */
export const TABLE_2 = {
  source: `${PAPER}, Table 2`,
  rows: [
    {kind: 'conv1x1', label: 'Conv 1x1', macsPct: 94.86, paramsPct: 74.59},
    {kind: 'depthwise', label: 'Conv DW 3x3', macsPct: 3.06, paramsPct: 1.06},
    // Printed 1.19; the paper's own layers give 1.91 (its column sums to
    // 99.29 % as printed, 100.0 % with 1.91): a transposition typo.
    {kind: 'conv3x3', label: 'Conv 3x3', macsPct: 1.19, paramsPct: 0.02, typo: {macsPct: 1.91}},
    {kind: 'dense', label: 'Fully connected', macsPct: 0.18, paramsPct: 24.33},
  ],
} as const;

const RECOUNT = 'docs/references.md A1, recount';
const WEIGHTS = 'conv weights + FC weights + FC bias';
// The paper's M Mult-Adds are sometimes rounded, sometimes truncated
// (568.74 -> 569 but 290.68 -> 290 and 76.52 -> 76), hence +-1M.
const PAPER_MACS = 'million Mult-Adds, rounded or truncated to 1M';

/** Table 6 (width) and Table 7 (resolution) rows: alpha, resolution, M MACs, M params. */
const TABLE_ROWS: ReadonlyArray<{width: number; resolution: number; macsM: number; paramsM: number; table: string;
                                  exactMacs: number; exactParams?: number}> = [
  {width: 1, resolution: 224, macsM: 569, paramsM: 4.2, table: 'Table 6/7', exactMacs: 568.74e6, exactParams: 4_210_088},
  {width: 0.75, resolution: 224, macsM: 325, paramsM: 2.6, table: 'Table 6', exactMacs: 325.40e6, exactParams: 2_569_144},
  {width: 0.5, resolution: 224, macsM: 149, paramsM: 1.3, table: 'Table 6', exactMacs: 149.50e6, exactParams: 1_320_648},
  {width: 0.25, resolution: 224, macsM: 41, paramsM: 0.5, table: 'Table 6', exactMacs: 41.03e6, exactParams: 464_600},
  {width: 1, resolution: 192, macsM: 418, paramsM: 4.2, table: 'Table 7', exactMacs: 418.12e6},
  {width: 1, resolution: 160, macsM: 290, paramsM: 4.2, table: 'Table 7', exactMacs: 290.68e6},
  {width: 1, resolution: 128, macsM: 186, paramsM: 4.2, table: 'Table 7', exactMacs: 186.40e6},
];

export const VARIANTS: readonly ModelVariant[] = [
  ...TABLE_ROWS.map(r => ({
    name: `mobilenet_v1_${r.width.toFixed(r.width === 1 ? 1 : 2)}_${r.resolution}`,
    family: 'mobilenet_v1',
    options: {width: r.width, resolution: r.resolution},
    published: {
      macs: [{value: r.macsM * 1e6, tolerance: 1e6, source: `${PAPER}, ${r.table}`, countingNote: PAPER_MACS},
             {value: r.exactMacs, tolerance: 0.005e6, source: RECOUNT, countingNote: 'Mult-Adds to 0.01M'}],
      weightParams: [
        {value: r.paramsM * 1e6, tolerance: 0.05e6, source: `${PAPER}, ${r.table}`,
         countingNote: `million parameters, rounded to 0.1M; ${WEIGHTS}`},
        ...(r.exactParams ? [{value: r.exactParams, tolerance: 0, source: RECOUNT, countingNote: WEIGHTS}] : []),
      ],
    },
  })),
  {
    name: 'mobilenet_v1_1.0_224_keras',
    family: 'mobilenet_v1',
    options: {width: 1, resolution: 224},
    published: {
      params: [{value: 4_253_864, tolerance: 0, source: 'keras.applications.MobileNet() summary, "Total params"',
                countingNote: 'includes BN moving mean/variance'}],
      trainableParams: [{value: 4_231_976, tolerance: 0, source: 'keras.applications.MobileNet() summary, "Trainable params"'}],
    },
  },
  {
    name: 'mobilenet_v1_conv_1.0_224',
    family: 'mobilenet_v1',
    options: {width: 1, resolution: 224, convolution: 'full'},
    published: {
      macs: [{value: 4866e6, tolerance: 1.5e6, source: `${PAPER}, Table 4 (Conv MobileNet)`,
              countingNote: 'million Mult-Adds',
              unreconciled: 'more than the paper\'s rounding; no choice of stem, padding or classifier found that gives 4866M'}],
      weightParams: [{value: 29.3e6, tolerance: 0.05e6, source: `${PAPER}, Table 4 (Conv MobileNet)`,
                      countingNote: `million parameters; ${WEIGHTS}`}],
    },
  },
  {
    name: 'mobilenet_v1_shallow_1.0_224',
    family: 'mobilenet_v1',
    options: {width: 1, resolution: 224, shallow: true},
    published: {
      macs: [{value: 307e6, tolerance: 1e6, source: `${PAPER}, Table 5 (Shallow MobileNet)`,
              countingNote: 'million Mult-Adds'}],
      weightParams: [{value: 2.9e6, tolerance: 0.05e6, source: `${PAPER}, Table 5 (Shallow MobileNet)`,
                      countingNote: `million parameters; ${WEIGHTS}`}],
    },
  },
  {
    name: 'mobilenet_v1_0.50_160',
    family: 'mobilenet_v1',
    options: {width: 0.5, resolution: 160},
    published: {
      macs: [{value: 76e6, tolerance: 1e6, source: `${PAPER}, Table 9`, countingNote: PAPER_MACS}],
      weightParams: [{value: 1.32e6, tolerance: 0.005e6, source: `${PAPER}, Table 9`,
                      countingNote: `million parameters, 2 decimals; ${WEIGHTS}`}],
    },
  },
];
