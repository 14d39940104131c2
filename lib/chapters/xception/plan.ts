/**
 * Chapter 02's plan: the lab-scale spectrum network (lib/models/
 * xception-spectrum.ts) trained along the spectrum at fixed width and at
 * matched multiply-adds, and the ablations: the activation between the two
 * steps at both ends, the order of the steps, ShuffleNet's channel shuffle,
 * Xception's residuals, and an Inception-like against an Xception-like
 * network at matched parameters.
 */
import {Budget, pick} from '../../experiments/budget';
import {inputFor} from '../../experiments/lab-scale';
import {BUDGET_SIZES} from '../../experiments/budget-sizes';
import {EQUIVALENCE_MARGIN, HeadlineClaim} from '../../experiments/claims';
import {BudgetPlan, claimGroups} from '../../experiments/plan';
import {ExperimentSpec, ModelOptions, TrainingSettings} from '../../experiments/spec';
import {DEFAULTS, XceptionSpectrumOptions} from '../../models/xception-spectrum';
import {networkCost} from '../../models/costs';
import {Chapter} from '../common/chapter';
import {closestWidth} from '../common/compare';

/** 28 x 28 grey inputs, a stride-2 stem (14 x 14 into the first stage), two modules a stage, half width: 32/64/128 channels. */
export const LAB = {...inputFor('fashion-mnist'), stemStride: 2, modulesPerStage: 2} as const;
export const LAB_WIDTH = 0.5;
/** Segments k along the spectrum; 0 is one segment per channel (k = C, depthwise separable). */
export const SEGMENTS = [1, 2, 4, 8, 16, 32, 0] as const;
/** The reference of the matched-cost sweep: Inception's "3 or 4 segments". */
export const INCEPTION_SEGMENTS = 4;
/** ShuffleNet's grouped 1x1 in the shuffle ablation (segments of the 3x3 alike). */
export const SHUFFLE_GROUPS = 4;

type SpectrumOptions = Partial<Omit<XceptionSpectrumOptions, keyof typeof LAB>>;
const OPTIONAL = ['order', 'pointwiseGroups', 'shuffle', 'residual'] as const;

/**
 * A spectrum network spec. Options at the family's default are left out,
 * so that the same network asked for by two groups is one record.
 */
export function spectrum(options: SpectrumOptions & {segments: number}, seed = 1): ExperimentSpec {
  const o: Record<string, unknown> = {...LAB, width: LAB_WIDTH, between: 'linear', ...options};
  for (const key of OPTIONAL) if (o[key] === DEFAULTS[key]) delete o[key];
  return {model: 'xception_spectrum', options: o as ModelOptions, seed};
}

function totals(options: SpectrumOptions & {segments: number}) {
  return networkCost('xception_spectrum', {...LAB, between: 'linear', ...options}).totals;
}

/**
 * The width at which `measure` comes closest to `target`, to 0.01: the
 * builder rounds channels to multiples of k, so 0.05 steps left some k 8-16 %
 * off the reference (at k = 32 no single width comes nearer than that).
 */
function widthMatching(segments: number, measure: 'macs' | 'trainableParams', target: number): number {
  return closestWidth(width => totals({segments, width})[measure], target).width;
}

/** Widths computed once a process (about 300 networks are costed). */
let matched: {byMacs: Map<number, number>; xceptionByParams: number} | null = null;
export function matchedWidths(): {byMacs: Map<number, number>; xceptionByParams: number} {
  if (matched == null) {
    const reference = totals({segments: INCEPTION_SEGMENTS, width: LAB_WIDTH});
    matched = {
      byMacs: new Map(SEGMENTS.map(k => [k, k === INCEPTION_SEGMENTS ? LAB_WIDTH : widthMatching(k, 'macs', reference.macs)])),
      xceptionByParams: widthMatching(0, 'trainableParams', reference.trainableParams),
    };
  }
  return matched;
}

const arm = (label: string, options: SpectrumOptions & {segments: number}) => ({label, spec: (seed: number) => spectrum(options, seed)});

/**
 * What chapter 02's plan is designed to decide, each a paired comparison of
 * the spectrum network with one thing changed. The Inception-like against
 * Xception-like comparison at matched parameters stays a one-seed finding:
 * its Xception-like network is nearly twice as wide, and its five seeds
 * took the course budget past 30 minutes on 2 cores (29 min of training
 * alone with it, 2026-12-02).
 */
export const CLAIMS: readonly HeadlineClaim[] = [
  {id: 'between', claim: 'With no non-linearity between the depthwise and the pointwise step, a separable network is more accurate than with a ReLU there.',
   source: 'Xception (Chollet, 2017), §4.7 and Figure 10',
   a: arm('linear between', {segments: 0}), b: arm('ReLU between', {segments: 0, between: 'relu'}), paper: 'higher',
   margin: EQUIVALENCE_MARGIN},
  {id: 'order', claim: 'Whether the depthwise or the pointwise step comes first matters little in a stack of modules.',
   source: 'Xception, §3 (the two differences from an "extreme" Inception module)',
   a: arm('depthwise first', {segments: 0, order: 'depthwise-first'}), b: arm('pointwise first', {segments: 0}),
   paper: 'equivalent', margin: EQUIVALENCE_MARGIN},
  {id: 'residual', claim: 'Residual connections help a separable network converge, in speed and in final accuracy.',
   source: 'Xception, §4.6 and Figure 9',
   a: arm('with residuals', {segments: 0}), b: arm('without residuals', {segments: 0, residual: false}), paper: 'higher',
   margin: EQUIVALENCE_MARGIN},
];

export function plan(budget: Budget): BudgetPlan {
  const recipe = pick(budget, BUDGET_SIZES);
  const seeds = recipe.seeds;
  const widths = matchedWidths();
  const seeded = (options: SpectrumOptions & {segments: number}) => seeds.map(seed => spectrum(options, seed));
  return {
    chapter: '02', budget,
    training: {...recipe.training, batch: 64, lr: 5e-3},
    seeds: [...seeds], claims: CLAIMS, claimSeeds: [...recipe.claimSeeds], designNoise: recipe.designNoise,
    groups: [
      {name: 'fixed', title: 'the spectrum at fixed width', specs: SEGMENTS.map(segments => spectrum({segments}))},
      {name: 'matched', title: 'the spectrum at matched multiply-adds',
       specs: SEGMENTS.map(segments => spectrum({segments, width: widths.byMacs.get(segments)!}))},
      {name: 'activationC', title: 'activation between the steps, k = C',
       specs: (['linear', 'relu', 'elu'] as const).flatMap(between => seeded({segments: 0, between}))},
      {name: 'activation1', title: 'activation between the steps, k = 1',
       specs: (['linear', 'relu'] as const).flatMap(between => seeded({segments: 1, between}))},
      {name: 'order', title: 'pointwise or depthwise first',
       specs: (['pointwise-first', 'depthwise-first'] as const).flatMap(order => seeded({segments: 0, order}))},
      {name: 'shuffle', title: 'grouped 1x1 with and without a shuffle',
       specs: [false, true].flatMap(shuffle => seeded({segments: SHUFFLE_GROUPS, pointwiseGroups: SHUFFLE_GROUPS, shuffle}))},
      {name: 'residual', title: 'with and without residual connections',
       specs: [true, false].flatMap(residual => seeded({segments: 0, residual}))},
      {name: 'inceptionXception', title: 'Inception-like against Xception-like at matched parameters',
       specs: [...seeded({segments: INCEPTION_SEGMENTS}), ...seeded({segments: 0, width: widths.xceptionByParams})]},
      ...claimGroups(CLAIMS, recipe.claimSeeds),
    ],
  };
}

export const CHAPTER: Chapter = {
  id: '02', aliases: ['xception', 'xception-hypothesis'], title: 'The Xception hypothesis, measured along its whole spectrum',
  notebook: '02-xception-hypothesis.ipynb', plan,
};
