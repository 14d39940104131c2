/** `cnnlab variants` and `cnnlab cost`: the cost atlas from the command line. */
import * as tf from '@tensorflow/tfjs';

import {Convention, CONVENTIONS, costOf} from '../cost';
import {REGISTRY} from '../models';
import {withZeroWeights} from '../models/costs';
import {tableBundle} from '../display/table';
import {UsageError} from './errors';
import {ModelChoice} from './model-options';

export interface CostReport {
  variant: string;
  /** Set when the model was named by a torchvision, timm or Keras name. */
  alias?: {name: string; from: string; options: Record<string, unknown>};
  options: Record<string, unknown>;
  convention: Convention;
  totals: {params: number; trainableParams: number; weightParams: number; macs: number; flops: number;
           activationBytes: number; weightBytes: number};
  byType: Record<string, {macs: number; weightParams: number; macsShare: number; weightParamsShare: number}>;
  layers: Array<{name: string; className: string; kind: string; outputShape: number[]; params: number;
                 trainableParams: number; macs: number}>;
}

/** `--convention`, or else the convention the named variant publishes under, or else plain MACs. */
export function parseConvention(value: string | undefined, modelName?: string): Convention {
  const convention = value ?? REGISTRY.find(v => v.name === modelName)?.convention ?? 'macs';
  if (!(CONVENTIONS as readonly string[]).includes(convention)) {
    throw new UsageError(`--convention must be one of ${CONVENTIONS.join(', ')}, got '${convention}'`);
  }
  return convention as Convention;
}

export function costReport(choice: ModelChoice, convention: Convention): CostReport {
  let model: tf.LayersModel;
  try {
    model = withZeroWeights(() => choice.family.build(choice.options));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  try {
    const {layers, totals, byKind} = costOf(model, convention);
    return {
      variant: choice.name,
      ...(choice.alias ? {alias: choice.alias} : {}),
      options: {...choice.family.defaults, ...choice.options},
      convention,
      totals,
      byType: Object.fromEntries(byKind.map(({kind, ...rest}) => [kind, rest])),
      layers: layers.map(l => ({name: l.name, className: l.className, kind: l.kind, outputShape: l.outputShape,
                                params: l.params, trainableParams: l.trainableParams, macs: l.macs})),
    };
  } finally {
    model.dispose();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

export function formatCostReport(report: CostReport, perLayer: boolean): string {
  const t = report.totals;
  const parts = [
    (report.alias ? `${report.alias.name} (${report.alias.from}'s name) is the lab's ${report.variant}` +
        `${Object.keys(report.alias.options).length > 0 ? ` with ${Object.entries(report.alias.options).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}\n` : '') +
        `${report.variant} (${report.convention} convention)`,
    tableBundle([
      ['parameters, all (TF.js countParams / Keras Total)', t.params],
      ['parameters, trainable (torchvision num_params)', t.trainableParams],
      ['parameters, conv + dense weights (papers)', t.weightParams],
      ['multiply-adds (MACs)', t.macs],
      ['FLOPs (2 x MACs)', t.flops],
      ['activation memory, bytes per image', t.activationBytes],
      ['weight memory, bytes', t.weightBytes],
    ] as Array<[string, number]>, [{header: 'measure', value: r => r[0]}, {header: 'value', value: r => r[1]}])['text/plain'],
    tableBundle(Object.entries(report.byType), [
      {header: 'layer type', value: ([k]) => k},
      {header: 'MACs', value: ([, v]) => v.macs},
      {header: 'share', value: ([, v]) => pct(v.macsShare), align: 'right'},
      {header: 'weights', value: ([, v]) => v.weightParams},
      {header: 'share', value: ([, v]) => pct(v.weightParamsShare), align: 'right'},
    ])['text/plain'],
  ];
  if (perLayer) {
    parts.push(tableBundle(report.layers, [
      {header: 'layer', value: l => l.name},
      {header: 'class', value: l => l.className},
      {header: 'output', value: l => l.outputShape.join('x')},
      {header: 'params', value: l => l.params},
      {header: 'MACs', value: l => l.macs},
    ])['text/plain']);
  }
  return parts.join('\n\n') + '\n';
}
