/**
 * `cnnlab variants`: every registered variant with its cost, printed as each
 * is known. The costs come from the lab's one cost cache
 * (lib/models/costs.ts), which the chapters share: a variant costed once,
 * by either, is not built again until the code that decides it changes.
 */
import {REGISTRY} from '../models';
import {networkCost} from '../models/costs';

export interface VariantRow {
  name: string;
  family: string;
  inputShape: number[];
  params: number;
  trainableParams: number;
  macs: number;
}

/** One variant's row, under its own counting convention. */
export function costVariant(name: string): VariantRow {
  const variant = REGISTRY.find(v => v.name === name);
  if (variant == null) throw new Error(`unknown variant '${name}'`);
  const {inputShape, totals} = networkCost(name);
  return {name, family: variant.family, inputShape, params: totals.params, trainableParams: totals.trainableParams, macs: totals.macs};
}

/** Every variant's row, in registry order, each passed to `onRow` as soon as it is known. */
export function variantRows(onRow: (row: VariantRow) => void = () => {}): VariantRow[] {
  return REGISTRY.map(v => {
    const row = costVariant(v.name);
    onRow(row);
    return row;
  });
}
