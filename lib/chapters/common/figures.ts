/**
 * The chapters' accuracy-against-cost figure as one output: interactive
 * (plotly) where scripts run, the same points as a static vega-lite chart
 * where they do not (lib/display/show.ts, figureItem).
 */
import {Item, figureItem} from '../../display/show';
import {accuracyVsMacsFigure, accuracyVsMacsSpec} from '../../plot/figures';
import {CostPoint} from '../../results/stats';

export function accuracyVsMacsItem(points: readonly CostPoint[], title: string, options: {paths?: readonly string[]} = {}): Item {
  return figureItem(accuracyVsMacsFigure(points, title, options), accuracyVsMacsSpec(points, title, options));
}
