/**
 * The analytic cost calculator: parameters (three ways), multiply-adds and
 * memory of a built TF.js model, layer by layer, from shapes and configs
 * alone (no tensor is computed). TF.js has no FLOP counter (tfjs#7425).
 */
import * as tf from '@tensorflow/tfjs';

import {KIND_OF_CLASS, WEIGHT_LAYER_CLASSES} from './kinds';
import {costRuleFor} from './registry';
import './rules/conv';
import './rules/free';
import './rules/lab-layers';
import './rules/condensenet';
import {product} from './rules/shapes';
import {Convention, CostTotals, KindShare, LayerCost, LayerKind, LayerView} from './types';

export * from './formulas';
export {registerLayerKind, registerWeightLayerClass} from './kinds';
export {overriddenClassNames, registerCostRule, registeredClassNames} from './registry';
export * from './types';

const BYTES_PER_FLOAT32 = 4;

function dropBatch(shape: ReadonlyArray<number | null>, layer: string): number[] {
  const rest = shape.slice(1);
  if (rest.some(d => d == null)) {
    throw new Error(`cost needs static shapes: layer '${layer}' has shape [${shape.map(d => d ?? '?')}]`);
  }
  return rest as number[];
}

export function viewOf(layer: tf.layers.Layer): LayerView {
  // `layer.inputShape` is not populated for every functional layer; the
  // first inbound node always carries the shapes.
  const inputs = layer.inboundNodes[0]?.inputShapes ?? [];
  const inputList = (Array.isArray(inputs[0]) ? inputs : [inputs]) as Array<Array<number | null>>;
  return {
    name: layer.name,
    className: layer.getClassName(),
    config: layer.getConfig() as Record<string, unknown>,
    inputShapes: inputList.filter(s => s.length > 0).map(s => dropBatch(s, layer.name)),
    outputShape: dropBatch(layer.outputShape as Array<number | null>, layer.name),
    weightShapes: Object.fromEntries(layer.weights.map(w => [
      (w.originalName ?? w.name).split('/').pop()!.replace(/_\d+$/, ''), w.shape as number[]])),
  };
}

function sizeOf(weights: readonly tf.LayerVariable[]): number {
  return weights.reduce((n, w) => n + product(w.shape as number[]), 0);
}

/** Per-layer cost table of a built model, for one example. */
export function modelCost(model: tf.LayersModel, convention: Convention = 'macs'): LayerCost[] {
  return model.layers.map(layer => {
    const view = viewOf(layer);
    const {macs, params: ruled} = costRuleFor(view.className, convention)(view);
    const params = ruled ?? layer.countParams();
    return {
      name: view.name,
      className: view.className,
      kind: KIND_OF_CLASS.get(view.className)?.(view) ?? 'other',
      outputShape: view.outputShape,
      params,
      trainableParams: ruled ?? sizeOf(layer.trainableWeights),
      weightParams: WEIGHT_LAYER_CLASSES.has(view.className) ? params : 0,
      macs,
      activationBytes: BYTES_PER_FLOAT32 * product(view.outputShape),
    };
  });
}

export function totals(rows: readonly LayerCost[]): CostTotals {
  const sum = (key: 'macs' | 'params' | 'trainableParams' | 'weightParams' | 'activationBytes') =>
      rows.reduce((acc, row) => acc + row[key], 0);
  const macs = sum('macs');
  const params = sum('params');
  return {
    params,
    trainableParams: sum('trainableParams'),
    weightParams: sum('weightParams'),
    macs,
    flops: 2 * macs,
    activationBytes: sum('activationBytes'),
    weightBytes: BYTES_PER_FLOAT32 * params,
  };
}

/** Share of MACs and weight parameters by layer kind (MobileNet Table 2). */
export function sharesByKind(rows: readonly LayerCost[]): KindShare[] {
  const all = totals(rows);
  const byKind = new Map<LayerKind, {macs: number; weightParams: number}>();
  for (const row of rows) {
    if (row.macs === 0 && row.weightParams === 0) continue;
    const entry = byKind.get(row.kind) ?? {macs: 0, weightParams: 0};
    entry.macs += row.macs;
    entry.weightParams += row.weightParams;
    byKind.set(row.kind, entry);
  }
  return [...byKind].map(([kind, v]) => ({
    kind, ...v,
    macsShare: all.macs === 0 ? 0 : v.macs / all.macs,
    weightParamsShare: all.weightParams === 0 ? 0 : v.weightParams / all.weightParams,
  })).sort((a, b) => b.macs - a.macs);
}

/** Cost of a model in one call: rows, totals and shares. */
export function costOf(model: tf.LayersModel, convention: Convention = 'macs') {
  const layers = modelCost(model, convention);
  return {layers, totals: totals(layers), byKind: sharesByKind(layers)};
}
