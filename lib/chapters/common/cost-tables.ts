/**
 * The per-layer cost table every chapter shows of a network it builds: one
 * row per layer that computes, in the words the chapter's paper uses.
 */
import {LayerCost} from '../../cost/types';
import {percent} from '../../display/format';
import {networkCost} from '../../models/costs';
import {Item, tableItem} from '../../display/show';

export interface LayerTableWords {
  /** The multiply-adds column's header (MobileNet's paper says "Mult-Adds"). */
  macs?: string;
  /** Count weights only (MobileNet's tables), not every parameter. */
  weightsOnly?: boolean;
}

/** The layers that compute (MACs > 0): name, kind, output shape, parameters and multiply-adds. */
export function layerCostTable(layers: readonly LayerCost[], caption: string, words: LayerTableWords = {}): Item {
  return tableItem(layers.filter(l => l.macs > 0), [
    {header: 'layer', value: l => l.name},
    {header: 'kind', value: l => l.kind},
    {header: 'output', value: l => l.outputShape.join(' × ')},
    words.weightsOnly ? {header: 'weights', value: l => l.weightParams} : {header: 'params', value: l => l.params},
    {header: words.macs ?? 'MACs', value: l => l.macs},
  ], caption);
}

/** Where a network's multiply-adds and weights are, by kind of layer: built and costed (`networkCost`). */
export function costByKind(model: string, options: Record<string, unknown> = {}, caption?: string): Item {
  const cost = networkCost(model, options);
  const side = cost.inputShape[0];
  return tableItem(cost.byKind.filter(k => k.macs > 0), [
    {header: 'kind', value: k => k.kind},
    {header: 'MACs', value: k => k.macs},
    {header: 'share of MACs', value: k => percent(k.macsShare)},
    {header: 'share of weights', value: k => percent(k.weightParamsShare)},
  ], caption ?? `${model} at ${side} px: where the multiply-adds are`);
}
