/** Tiny plans for the experiment tests: networks that train in well under a second on synthetic images. */
import {BudgetPlan} from '../../lib/experiments';

export const TINY = {resolution: 16, channels: 1, classes: 10, stemStride: 1, depth: 2};

/** A plan of `widths.length` runs in one group plus a group that shares its first run. */
export function tinyPlan(widths: readonly number[] = [0.25, 0.5, 0.75, 1]): BudgetPlan {
  const spec = (width: number, seed = 1) => ({model: 'mobilenet_v1', options: {...TINY, width}, seed});
  return {
    chapter: 'test', budget: 'smoke',
    training: {dataset: 'synthetic', limit: 64, testLimit: 32, epochs: 1, batch: 32},
    seeds: [1, 2],
    groups: [
      {name: 'widths', title: 'width', specs: widths.map(w => spec(w))},
      {name: 'seeds', title: 'seeds', specs: [spec(widths[0], 1), spec(widths[0], 2)]},
    ],
  };
}
