/**
 * MobileNetV2 (Sandler et al. 2018, arXiv:1801.04381): inverted residuals
 * with linear bottlenecks.
 *
 * STAGES is the paper's Table 2; `buildMobileNetV2` is its only interpreter.
 * Lab scale comes from the same builder: `stemStride: 1` and fewer stages.
 */
import * as tf from '@tensorflow/tfjs';

import {convBnAct} from '../blocks/conv-bn-act';
import {invertedResidual} from '../blocks/inverted-residual';
import {classifierHead} from '../blocks/util';
import {makeDivisible} from './channels';
import {checkCommon, checkRange, checkStemStride, minResolutionFor, STEM_STRIDE_OPTION} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

/** A row of Table 2: expansion t, output channels c, repeats n, stride s. */
export interface Stage {
  readonly t: number;
  readonly c: number;
  readonly n: number;
  readonly s: 1 | 2;
}

// prettier-ignore
export const STAGES: readonly Stage[] = [
  // t,      c,       n,     s        input (224 px)
  {t: 1, c: 16,  n: 1, s: 1},  // 112x112x32
  {t: 6, c: 24,  n: 2, s: 2},  // 112x112x16
  {t: 6, c: 32,  n: 3, s: 2},  // 56x56x24
  {t: 6, c: 64,  n: 4, s: 2},  // 28x28x32
  {t: 6, c: 96,  n: 3, s: 1},  // 14x14x64
  {t: 6, c: 160, n: 3, s: 2},  // 14x14x96
  {t: 6, c: 320, n: 1, s: 1},  // 7x7x160
];

export interface MobileNetV2Options extends CommonOptions {
  /** Expansion factor t for every stage but the first (paper: 6; 5-10 "nearly identical"). */
  expansion: number;
  /** false puts a ReLU6 after each projection: the non-linear ablation of Fig. 6. */
  linearBottleneck: boolean;
  /** Stride of the first conv: 2 in the paper, 1 for 28/32 px lab inputs. */
  stemStride: number;
  /** Keep the first N of the 7 stages (lab scale). */
  stages: number;
  dropout: number;
}

export const DEFAULTS: MobileNetV2Options = {
  resolution: 224, width: 1, classes: 1000, channels: 3,
  expansion: 6, linearBottleneck: true, stemStride: 2, stages: STAGES.length, dropout: 0,
};

export function buildMobileNetV2(options: Partial<MobileNetV2Options> = {}): tf.LayersModel {
  const o: MobileNetV2Options = {...DEFAULTS, ...options};
  checkRange('mobilenet_v2: expansion', o.expansion, 1, 12);
  checkRange('mobilenet_v2: stages', o.stages, 1, STAGES.length, true);
  checkStemStride('mobilenet_v2', o.stemStride);
  const stages = STAGES.slice(0, o.stages);
  checkCommon('mobilenet_v2', o, minResolutionFor((o.stemStride === 2 ? 1 : 0) + stages.filter(s => s.s === 2).length));

  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = convBnAct(input, {
    filters: makeDivisible(32 * o.width), kernelSize: 3, strides: o.stemStride, act: 'relu6', name: 'stem',
  });
  let inChannels = makeDivisible(32 * o.width);
  stages.forEach(({t, c, n, s}, stageIndex) => {
    const expansion = stageIndex === 0 ? t : o.expansion;
    const outChannels = makeDivisible(c * o.width);
    for (let i = 0; i < n; i++) {
      x = invertedResidual(x, {
        outChannels, expandedChannels: inChannels * expansion, strides: i === 0 ? s : 1,
        projectionAct: o.linearBottleneck ? 'linear' : 'relu6',
        name: `stage${stageIndex + 1}_block${i + 1}`,
      });
      inChannels = outChannels;
    }
  });
  // "For multipliers less than one, we apply width multiplier to all layers
  // except the very last convolutional layer" (§5.1).
  x = convBnAct(x, {filters: makeDivisible(1280 * Math.max(1, o.width)), kernelSize: 1, act: 'relu6', name: 'head'});
  const logits = classifierHead(x, o.classes, {dropout: o.dropout});
  return tf.model({inputs: input, outputs: logits, name: 'mobilenet_v2'});
}

export const FAMILY: Family<MobileNetV2Options> = {
  // Chapter 03's lab-scale network: stem at stride 1, the first four of the seven stages.
  labScale: {stemStride: 1, stages: 4},
  name: 'mobilenet_v2',
  paper: 'Sandler et al. 2018, MobileNetV2, arXiv:1801.04381',
  defaults: DEFAULTS,
  options: {
    expansion: {type: 'number', description: 'expansion factor t of stages 2-7 (paper: 6)'},
    linearBottleneck: {type: 'boolean', description: 'false adds ReLU6 after each projection (Fig. 6 ablation)'},
    stemStride: STEM_STRIDE_OPTION,
    stages: {type: 'integer', description: `keep the first N of the ${STAGES.length} stages`},
    dropout: {type: 'number', description: 'dropout before the classifier'},
  },
  build: buildMobileNetV2,
};

const SLIM = 'TF-slim research/slim/nets/mobilenet/README.md (MACs M, params M)';
const RECOUNT = 'docs/references.md A2, recount';

/** TF-slim's multiplier x resolution table: alpha, resolution, M MACs, M params (conv + dense weights). */
const SLIM_ROWS: ReadonlyArray<[number, number, number, number]> = [
  [1.4, 224, 582, 6.06], [1.3, 224, 509, 5.34], [1.0, 224, 300, 3.47], [1.0, 192, 221, 3.47], [1.0, 160, 154, 3.47],
  [1.0, 128, 99, 3.47], [1.0, 96, 56, 3.47], [0.75, 224, 209, 2.61], [0.5, 224, 97, 1.95], [0.35, 224, 59, 1.66],
  [0.35, 96, 11, 1.66],
];

export const VARIANTS: readonly ModelVariant[] = [
  {
    name: 'mobilenet_v2_1.0_224',
    family: 'mobilenet_v2',
    options: {width: 1, resolution: 224},
    published: {
      macs: [
        {value: 300_774_272, tolerance: 0, source: RECOUNT, countingNote: 'conv + dense multiply-adds'},
        {value: 300e6, tolerance: 1e6, source: 'Sandler et al. 2018, Table 4 (300M)', countingNote: 'million Multiply-Adds'},
        {value: 0.301e9, tolerance: 0.0005e9, source: 'torchvision MobileNet_V2_Weights.IMAGENET1K_V1 meta["_ops"]',
         countingNote: 'GFLOPs to 3 decimals, counted as MACs'},
      ],
      trainableParams: [{value: 3_504_872, tolerance: 0, source: 'torchvision MobileNet_V2_Weights.IMAGENET1K_V1 meta["num_params"]'}],
      params: [{value: 3_538_984, tolerance: 0, source: 'keras.applications.MobileNetV2() summary, "Total params"',
                countingNote: 'includes BN moving mean/variance'}],
      weightParams: [
        {value: 3_470_760, tolerance: 0, source: RECOUNT, countingNote: 'conv + dense weights + classifier bias'},
        {value: 3.4e6, tolerance: 0.1e6, source: 'Sandler et al. 2018, Table 4 (3.4M)', countingNote: 'million parameters, truncated'},
      ],
    },
  },
  ...SLIM_ROWS.map(([width, resolution, macsM, paramsM]) => ({
    // TF-slim's checkpoint names: 1.0, 1.4, 0.75, 0.35.
    name: `mobilenet_v2_${Number.isInteger(width) ? width.toFixed(1) : String(width)}_${resolution}_slim`,
    family: 'mobilenet_v2',
    options: {width, resolution},
    published: {
      // The table truncates as often as it rounds (300.77 -> 300, 11.93 -> 11).
      macs: [{value: macsM * 1e6, tolerance: 1e6, source: SLIM, countingNote: 'million MACs, rounded or truncated'}],
      weightParams: [{value: paramsM * 1e6, tolerance: 0.005e6, source: SLIM,
                      countingNote: 'million parameters to 2 decimals; conv + dense weights + classifier bias'}],
    },
  })),
];
