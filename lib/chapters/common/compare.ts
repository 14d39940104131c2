/**
 * Helpers the chapters share: "paper / ours / difference" rows from a
 * variant's published numbers, and the width of one family that matches
 * another network's cost.
 */
import * as tf from '@tensorflow/tfjs';

import {Convention, CostTotals, costOf} from '../../cost';
import {MEASURE_OF, PublishedMeasure, REGISTRY, getVariant} from '../../models';
import {networkCost} from '../../models/costs';
import {closestInCost} from '../../results/stats';

export interface ComparisonRow {
  variant: string;
  measure: PublishedMeasure;
  published: number;
  ours: number;
  /** ours - published, in the measure's unit. */
  difference: number;
  tolerance: number;
  withinTolerance: boolean;
  source: string;
  /** How the source counted (free text from its claim), where it says. */
  countingNote?: string;
  /** Why the difference is larger than the source's rounding, where it is. */
  unreconciled?: string;
}

/** The cost of a built model, disposed afterwards. */
export function totalsOf(model: tf.LayersModel, convention: Convention = 'macs'): CostTotals {
  try {
    return costOf(model, convention).totals;
  } finally {
    model.dispose();
  }
}

/** One row per published claim of each variant, computed from the built model. */
export function comparePublished(variantNames: readonly string[], measures?: readonly PublishedMeasure[]): ComparisonRow[] {
  return variantNames.flatMap(name => {
    const variant = getVariant(name);
    const ours = networkCost(name).totals;
    return (Object.keys(variant.published) as PublishedMeasure[])
        .filter(m => measures == null || measures.includes(m))
        .flatMap(measure => (variant.published[measure] ?? []).map(claim => {
          const value = MEASURE_OF[measure](ours);
          return {
            variant: name, measure, published: claim.value, ours: value, difference: value - claim.value,
            tolerance: claim.tolerance, withinTolerance: Math.abs(value - claim.value) <= claim.tolerance,
            source: claim.source, countingNote: claim.countingNote, unreconciled: claim.unreconciled,
          };
        }));
  });
}

/** Registered variants of a family, in registry order. */
export function variantsOf(family: string): string[] {
  return REGISTRY.filter(v => v.family === family).map(v => v.name);
}

/** Width multipliers tried when matching costs: 0.25 to 1.75 in steps of 0.05. */
export const MATCH_WIDTHS: readonly number[] = Array.from({length: 31}, (_, i) => Math.round((0.25 + 0.05 * i) * 100) / 100);

/**
 * Widths 0.01 apart within 0.04 of `width` (inside MATCH_WIDTHS' range):
 * where a match on MATCH_WIDTHS' 0.05 steps is refined, because rounding
 * channels to a multiple of something can leave the coarse match 10-20 %
 * off.
 */
export function widthsAround(width: number): number[] {
  const [low, high] = [MATCH_WIDTHS[0], MATCH_WIDTHS[MATCH_WIDTHS.length - 1]];
  return Array.from({length: 9}, (_, i) => Math.round((width - 0.04 + 0.01 * i) * 100) / 100).filter(w => w >= low && w <= high);
}

/**
 * The width whose `valueAt` comes closest to `target`: the best of
 * MATCH_WIDTHS, then the best 0.01 step around it.
 */
export function closestWidth(valueAt: (width: number) => number, target: number): {width: number; value: number} {
  const best = (widths: readonly number[]) => widths.map(width => ({width, value: valueAt(width)}))
      .reduce((a, b) => Math.abs(b.value - target) < Math.abs(a.value - target) ? b : a);
  return best(widthsAround(best(MATCH_WIDTHS).width));
}

/**
 * The width multiplier (from `widths`) at which `family` with `options`
 * costs closest to `targetMacs`: how the chapters compare families "at
 * matched cost".
 */
export function matchWidth(family: string, options: Record<string, unknown>, targetMacs: number,
                           widths: readonly number[] = MATCH_WIDTHS): {width: number; macs: number} {
  const candidates = widths.map(width => ({width, macs: networkCost(family, {...options, width}).totals.macs}));
  return closestInCost(candidates, targetMacs);
}
