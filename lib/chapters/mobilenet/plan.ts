/**
 * Chapter 03's plan: the lab-scale MobileNets it trains for each budget
 * (the α × resolution grid, seeds for the noise, separable against full,
 * thinner against shallower, V1/V2/V3 at matched cost, and what V3's
 * h-swish and squeeze-and-excite add).
 */
import {Budget, pick} from '../../experiments/budget';
import {BUDGET_SIZES} from '../../experiments/budget-sizes';
import {EQUIVALENCE_MARGIN, HeadlineClaim} from '../../experiments/claims';
import {BudgetPlan, claimGroups} from '../../experiments/plan';
import {labScaleOptions} from '../../experiments/lab-scale';
import {ExperimentSpec, ModelOptions, TrainingSettings} from '../../experiments/spec';
import {networkCost} from '../../models/costs';
import {Chapter} from '../common/chapter';
import {matchWidth} from '../common/compare';

/** Lab-scale MobileNet v1 on Fashion-MNIST (the family's labScale: the first conv at stride 1, the first five separable layers). */
export const V1_LAB = labScaleOptions('mobilenet_v1');
export const GRID_WIDTHS = [0.25, 0.5, 0.75, 1.0] as const;
export const GRID_RESOLUTIONS = [10, 14, 20, 28] as const;
export const SEPARABLE_WIDTHS = [0.25, 0.5] as const;

/** Widths at which the compared networks match a reference's cost (computed once a process: ~130 networks are costed). */
let matched: {thin: number; v2: number; v3: number; v3WithoutSqueeze: number} | null = null;
export function matchedWidths() {
  if (matched == null) {
    const shallowMacs = networkCost('mobilenet_v1', SHALLOW).totals.macs;
    const v1Half = networkCost('mobilenet_v1', {...V1_LAB, width: 0.5, resolution: 28}).totals.macs;
    const v3 = matchWidth('mobilenet_v3', V3_LAB, v1Half);
    matched = {
      thin: matchWidth('mobilenet_v1', {...V1_LAB, resolution: 28}, shallowMacs).width,
      v2: matchWidth('mobilenet_v2', V2_LAB, v1Half).width,
      v3: v3.width,
      // Squeeze-and-excite is about 8 % of V3-Small's multiply-adds at 28 px: without it, the network is widened to the same cost.
      v3WithoutSqueeze: matchWidth('mobilenet_v3', {...V3_LAB, squeezeExcite: false}, v3.macs).width,
    };
  }
  return matched;
}

/** Shallower (Table 5): full width, the last two of the five separable layers removed. */
const SHALLOW = {...V1_LAB, depth: 3, width: 1, resolution: 28};
const V2_LAB = labScaleOptions('mobilenet_v2');
const V3_LAB = {...labScaleOptions('mobilenet_v3'), size: 'small'};

const v1 = (options: ModelOptions, seed = 1): ExperimentSpec => ({model: 'mobilenet_v1', options: {...V1_LAB, ...options}, seed});

const arm = (label: string, spec: (seed: number) => ExperimentSpec) => ({label, spec});

/**
 * What chapter 03's plan is designed to decide, each a paired comparison.
 * (Specs are functions: matched widths are costed only when a plan is made.)
 * The claims use the half-width network and narrower ones. Thinner against
 * shallower (two networks near full width) and the linear bottleneck (two
 * MobileNetV2s, about 70 s a run at the course budget on 2 cores,
 * 2026-12-02) stay one-seed findings, so that the course budget fits in
 * 30 minutes; so do V3's h-swish and squeeze-and-excite (about 60 s a run).
 */
export const CLAIMS: readonly HeadlineClaim[] = [
  {id: 'width', claim: 'Accuracy drops as the width multiplier shrinks: α = 0.5 is more accurate than α = 0.25.',
   source: 'MobileNets (Howard et al., 2017), §4.2 and Table 6',
   a: arm('α = 0.5', seed => v1({width: 0.5, resolution: 28}, seed)), b: arm('α = 0.25', seed => v1({width: 0.25, resolution: 28}, seed)),
   paper: 'higher', margin: EQUIVALENCE_MARGIN},
  {id: 'resolution', claim: 'Accuracy drops as the input resolution shrinks: 28 px is more accurate than 14 px.',
   source: 'MobileNets, §4.2 and Table 7',
   a: arm('28 px', seed => v1({width: 0.5, resolution: 28}, seed)), b: arm('14 px', seed => v1({width: 0.5, resolution: 14}, seed)),
   paper: 'higher', margin: EQUIVALENCE_MARGIN},
  {id: 'separable', claim: 'Depthwise separable convolutions cost little accuracy against full convolutions, at a fraction of the cost.',
   source: 'MobileNets, §4.1 and Table 4 (1 point of accuracy for 8-9 times less computation)',
   a: arm('separable', seed => v1({width: 0.25, resolution: 28}, seed)), b: arm('full convolutions', seed => v1({width: 0.25, resolution: 28, convolution: 'full'}, seed)),
   paper: 'equivalent', margin: EQUIVALENCE_MARGIN},
];

export function plan(budget: Budget): BudgetPlan {
  const recipe = pick(budget, BUDGET_SIZES);
  const widths = matchedWidths();
  return {
    chapter: '03', budget,
    training: {...recipe.training, batch: 64, lr: 5e-3},
    seeds: [...recipe.seeds], claims: CLAIMS, claimSeeds: [...recipe.claimSeeds], designNoise: recipe.designNoise,
    groups: [
      {name: 'grid', title: 'α × resolution',
       specs: GRID_WIDTHS.flatMap(width => GRID_RESOLUTIONS.map(resolution => v1({width, resolution})))},
      {name: 'seeds', title: 'seed noise',
       specs: GRID_WIDTHS.flatMap(width => recipe.seeds.map(seed => v1({width, resolution: 28}, seed)))},
      {name: 'separable', title: 'separable vs full',
       // Separable is the default: left out, so it is the grid's run at that width, trained once.
       specs: SEPARABLE_WIDTHS.flatMap(width => [v1({width, resolution: 28}), v1({width, resolution: 28, convolution: 'full'})])},
      {name: 'thinShallow', title: 'thinner vs shallower',
       specs: [v1({resolution: 28, width: widths.thin}), {model: 'mobilenet_v1', options: SHALLOW, seed: 1}]},
      {name: 'families', title: 'V1/V2/V3 at matched cost',
       specs: [
         v1({width: 0.5, resolution: 28}),
         {model: 'mobilenet_v2', options: {...V2_LAB, width: widths.v2}, seed: 1},
         {model: 'mobilenet_v2', options: {...V2_LAB, width: widths.v2, linearBottleneck: false}, seed: 1},
         {model: 'mobilenet_v3', options: {...V3_LAB, width: widths.v3}, seed: 1},
       ]},
      // What V3 adds to V2's block, one part at a time, each a one-seed finding: its first run is the families' V3 (trained once).
      {name: 'v3Parts', title: "MobileNetV3's h-swish and squeeze-and-excite",
       specs: [
         {model: 'mobilenet_v3', options: {...V3_LAB, width: widths.v3}, seed: 1},
         {model: 'mobilenet_v3', options: {...V3_LAB, width: widths.v3, hardSwish: false}, seed: 1},
         {model: 'mobilenet_v3', options: {...V3_LAB, width: widths.v3WithoutSqueeze, squeezeExcite: false}, seed: 1},
       ]},
      ...claimGroups(CLAIMS, recipe.claimSeeds),
    ],
  };
}

export const CHAPTER: Chapter = {
  id: '03', aliases: ['mobilenet', 'mobilenet-multipliers'], title: 'MobileNet multipliers: width, resolution, and what they cost',
  notebook: '03-mobilenet-multipliers.ipynb', plan,
};
