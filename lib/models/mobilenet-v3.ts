/**
 * MobileNetV3 Large and Small (Howard et al. 2019, arXiv:1905.02244):
 * inverted residuals with squeeze-and-excite and hard-swish, found by
 * architecture search.
 *
 * LARGE and SMALL are the paper's Tables 1 and 2; `buildMobileNetV3` is their
 * only interpreter. Channel rounding (make_divisible by 8, SE at 1/4 of the
 * expansion) follows torchvision and Keras, whose counts the variants check.
 */
import * as tf from '@tensorflow/tfjs';

import {Act, convBnAct} from '../blocks/conv-bn-act';
import {invertedResidual} from '../blocks/inverted-residual';
import {applyTo} from '../layers/apply';
import {HardSwish} from '../layers/hard-activations';
import {makeDivisible} from './channels';
import {checkCommon, checkStemStride, minResolutionFor, STEM_STRIDE_OPTION} from './options';
import {CommonOptions, Family, ModelVariant} from './types';

/** A "bneck" row: kernel, expansion size, output channels, SE, non-linearity, stride. */
export interface Row {
  readonly k: 3 | 5;
  readonly exp: number;
  readonly out: number;
  readonly se: boolean;
  readonly nl: 'RE' | 'HS';
  readonly s: 1 | 2;
}

const row = (k: 3 | 5, exp: number, out: number, se: boolean, nl: 'RE' | 'HS', s: 1 | 2): Row => ({k, exp, out, se, nl, s});

// prettier-ignore
export const LARGE: readonly Row[] = [
  //  k  exp   out  SE     NL    s      input (224 px)
  row(3, 16,  16,  false, 'RE', 1),  // 112x112x16
  row(3, 64,  24,  false, 'RE', 2),  // 112x112x16
  row(3, 72,  24,  false, 'RE', 1),  // 56x56x24
  row(5, 72,  40,  true,  'RE', 2),  // 56x56x24
  row(5, 120, 40,  true,  'RE', 1),  // 28x28x40
  row(5, 120, 40,  true,  'RE', 1),
  row(3, 240, 80,  false, 'HS', 2),  // 28x28x40
  row(3, 200, 80,  false, 'HS', 1),  // 14x14x80
  row(3, 184, 80,  false, 'HS', 1),
  row(3, 184, 80,  false, 'HS', 1),
  row(3, 480, 112, true,  'HS', 1),
  row(3, 672, 112, true,  'HS', 1),  // 14x14x112
  row(5, 672, 160, true,  'HS', 2),  // 14x14x112
  row(5, 960, 160, true,  'HS', 1),  // 7x7x160
  row(5, 960, 160, true,  'HS', 1),
];

// prettier-ignore
export const SMALL: readonly Row[] = [
  row(3, 16,  16, true,  'RE', 2),   // 112x112x16
  row(3, 72,  24, false, 'RE', 2),   // 56x56x16
  row(3, 88,  24, false, 'RE', 1),   // 28x28x24
  row(5, 96,  40, true,  'HS', 2),   // 28x28x24
  row(5, 240, 40, true,  'HS', 1),   // 14x14x40
  row(5, 240, 40, true,  'HS', 1),
  row(5, 120, 48, true,  'HS', 1),
  row(5, 144, 48, true,  'HS', 1),   // 14x14x48
  row(5, 288, 96, true,  'HS', 2),   // 14x14x48
  row(5, 576, 96, true,  'HS', 1),   // 7x7x96
  row(5, 576, 96, true,  'HS', 1),
];

/** Last conv width and pre-classifier width (Tables 1 and 2). */
const HEAD = {large: {last: 960, hidden: 1280}, small: {last: 576, hidden: 1024}} as const;

export interface MobileNetV3Options extends CommonOptions {
  size: 'large' | 'small';
  /** Stride of the first conv: 2 in the paper, 1 for 28/32 px lab inputs. */
  stemStride: number;
  dropout: number;
  /**
   * true: h-swish where the paper's tables put it (the stem, the "HS" rows,
   * the head). false: ReLU there instead, the ablation of §5.2, at the
   * same cost. Squeeze-and-excite's gate stays a hard sigmoid either way.
   */
  hardSwish: boolean;
  /** true: squeeze-and-excite in the rows the paper marks "SE"; false: in none (MobileNetV2's block with V3's layout). */
  squeezeExcite: boolean;
}

export const DEFAULTS: MobileNetV3Options = {
  resolution: 224, width: 1, classes: 1000, channels: 3, size: 'large', stemStride: 2, dropout: 0,
  hardSwish: true, squeezeExcite: true,
};

export function buildMobileNetV3(options: Partial<MobileNetV3Options> = {}): tf.LayersModel {
  const o: MobileNetV3Options = {...DEFAULTS, ...options};
  if (o.size !== 'large' && o.size !== 'small') throw new Error(`mobilenet_v3: size must be 'large' or 'small', got '${o.size}'`);
  checkStemStride('mobilenet_v3', o.stemStride);
  const rows = o.size === 'large' ? LARGE : SMALL;
  checkCommon(`mobilenet_v3_${o.size}`, o, minResolutionFor((o.stemStride === 2 ? 1 : 0) + rows.filter(r => r.s === 2).length));
  const scaled = (c: number) => makeDivisible(c * o.width);
  const swish: Act = o.hardSwish ? 'hardSwish' : 'relu';
  const act = (nl: 'RE' | 'HS'): Act => nl === 'RE' ? 'relu' : swish;

  const input = tf.input({shape: [o.resolution, o.resolution, o.channels], name: 'image'});
  let x = convBnAct(input, {filters: scaled(16), kernelSize: 3, strides: o.stemStride, act: swish, name: 'stem'});
  rows.forEach((r, i) => {
    const expanded = scaled(r.exp);
    x = invertedResidual(x, {
      outChannels: scaled(r.out), expandedChannels: expanded, strides: r.s, kernelSize: r.k, act: act(r.nl),
      squeezeChannels: r.se && o.squeezeExcite ? makeDivisible(expanded / 4) : 0, name: `block${i + 1}`,
    });
  });
  x = convBnAct(x, {filters: scaled(HEAD[o.size].last), kernelSize: 1, act: swish, name: 'head'});
  x = applyTo(tf.layers.globalAveragePooling2d({name: 'pool'}), x);
  // The two "NBN" 1x1 convs after pooling act on a 1x1 map: dense layers.
  // The hidden width is not scaled for width < 1 (torchvision, Keras).
  x = applyTo(tf.layers.dense({units: makeDivisible(HEAD[o.size].hidden * Math.max(1, o.width)), name: 'hidden'}), x);
  x = applyTo(o.hardSwish ? new HardSwish({name: 'hidden_act'}) : tf.layers.reLU({name: 'hidden_act'}), x);
  if (o.dropout > 0) x = applyTo(tf.layers.dropout({rate: o.dropout, name: 'dropout'}), x);
  const logits = applyTo(tf.layers.dense({units: o.classes, name: 'logits'}), x);
  return tf.model({inputs: input, outputs: logits, name: `mobilenet_v3_${o.size}`});
}

export const FAMILY: Family<MobileNetV3Options> = {
  // Chapter 03's lab-scale network: stem at stride 1.
  labScale: {stemStride: 1},
  name: 'mobilenet_v3',
  paper: 'Howard et al. 2019, Searching for MobileNetV3, arXiv:1905.02244',
  defaults: DEFAULTS,
  options: {
    size: {type: 'string', choices: ['large', 'small'], description: 'MobileNetV3-Large (Table 1) or -Small (Table 2)'},
    stemStride: STEM_STRIDE_OPTION,
    dropout: {type: 'number', description: 'dropout before the classifier'},
    hardSwish: {type: 'boolean', description: "h-swish where the paper puts it (false: ReLU there, the same cost)"},
    squeezeExcite: {type: 'boolean', description: 'squeeze-and-excite in the rows marked SE (false: none)'},
  },
  build: buildMobileNetV3,
};

const PAPER = 'Howard et al. 2019, MobileNetV3, Table 3';
const TORCHVISION = 'torchvision MobileNet_V3_%s_Weights.IMAGENET1K_V1 meta';
const KERAS = 'keras.applications.MobileNetV3%s() summary';

export const VARIANTS: readonly ModelVariant[] = [
  {
    name: 'mobilenet_v3_large_1.0_224',
    family: 'mobilenet_v3',
    options: {size: 'large', width: 1, resolution: 224},
    published: {
      trainableParams: [{value: 5_483_032, tolerance: 0, source: `${TORCHVISION.replace('%s', 'Large')}["num_params"]`}],
      params: [{value: 5_507_432, tolerance: 0, source: `${KERAS.replace('%s', 'Large')}, "Total params"`,
                countingNote: 'includes BN moving mean/variance'}],
      macs: [
        {value: 217e6, tolerance: 0.5e6, source: 'TF-slim research/slim/nets/mobilenet/README.md, large dm=1',
         countingNote: 'million MACs, conv + dense'},
        {value: 0.22e9, tolerance: 0.005e9, source: `${TORCHVISION.replace('%s', 'Large')}["_ops"]`, countingNote: 'GFLOPs to 2 decimals, MACs'},
      ],
      weightParams: [{value: 5.4e6, tolerance: 0.1e6, source: PAPER, countingNote: 'million parameters, truncated (ours 5.46M)'}],
    },
    notes: 'The paper prints 219M MAdds; TF-slim, torchvision and this builder give 216.6M (217M): the 2.4M gap is ' +
        'not reconciled.',
  },
  {
    name: 'mobilenet_v3_small_1.0_224',
    family: 'mobilenet_v3',
    options: {size: 'small', width: 1, resolution: 224},
    published: {
      trainableParams: [{value: 2_542_856, tolerance: 0, source: `${TORCHVISION.replace('%s', 'Small')}["num_params"]`}],
      params: [{value: 2_554_968, tolerance: 0, source: `${KERAS.replace('%s', 'Small')}, "Total params"`,
                countingNote: 'includes BN moving mean/variance'}],
      macs: [
        {value: 56e6, tolerance: 1e6, source: PAPER, countingNote: 'million MAdds, conv + dense'},
        {value: 0.057e9, tolerance: 0.0005e9, source: `${TORCHVISION.replace('%s', 'Small')}["_ops"]`, countingNote: 'GFLOPs, MACs'},
      ],
      weightParams: [{value: 2.5e6, tolerance: 0.05e6, source: PAPER, countingNote: 'million parameters'}],
    },
    notes: 'TF-slim and the Keras docstring list 66M MACs / 2.9M parameters for Small 1.0; that is not this ' +
        'network as the paper and torchvision define it (see docs/conventions.md).',
  },
  // Width 0.75: torchvision's channel rule (make_divisible(c * alpha, 8) for
  // every layer, SE at 1/4) gives 140.6M / 3.91M (Large) and 39.5M / 2.03M
  // (Small) where the paper's Table 3 prints 155M / 4.0M and 44M / 2.0M. The
  // paper's rule for alpha < 1 is not stated; the gap is not reconciled, so
  // these variants carry no claims yet.
  {
    name: 'mobilenet_v3_large_0.75_224',
    family: 'mobilenet_v3',
    options: {size: 'large', width: 0.75, resolution: 224},
    published: {},
    notes: 'paper Table 3: 155M MAdds / 4.0M params; ours 140.6M / 3.91M (not reconciled)',
  },
  {
    name: 'mobilenet_v3_small_0.75_224',
    family: 'mobilenet_v3',
    options: {size: 'small', width: 0.75, resolution: 224},
    published: {},
    notes: 'paper Table 3: 44M MAdds / 2.0M params; ours 39.5M / 2.03M (not reconciled)',
  },
];
