/**
 * The per-layer cost table every chapter shows of a network it builds: one
 * row per layer that computes, in the words the chapter's paper uses.
 */
import {LayerCost} from '../../cost/types';
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
