/**
 * Chapter 01's plan: the lab-scale Inception network (lib/models/
 * inception-lab.ts) trained one idea at a time: the widest branch's
 * kernels, the activation between factors, the grid reduction, batch norm
 * (with sigmoid), residual modules and their scaling, and Rethinking's
 * ladder from GoogLeNet to Inception-v3 rung by rung.
 */
import {Budget, pick} from '../../experiments/budget';
import {inputFor} from '../../experiments/lab-scale';
import {BUDGET_SIZES} from '../../experiments/budget-sizes';
import {EQUIVALENCE_MARGIN, HeadlineClaim} from '../../experiments/claims';
import {BudgetPlan, claimGroups} from '../../experiments/plan';
import {ExperimentSpec, ModelOptions, TrainingSettings} from '../../experiments/spec';
import {DEFAULTS, InceptionLabOptions} from '../../models/inception-lab';
import {Chapter} from '../common/chapter';

/** 28 x 28 grey inputs, a stride-2 stem, one module a stage after its entry, half width: 32 / 64 / 128 channels. */
export const LAB = {...inputFor('fashion-mnist'), stemStride: 2, modulesPerStage: 1, width: 0.5} as const;

/**
 * The recipe: SGD with momentum, as GoogLeNet and BN-Inception trained.
 * BN-x5 is this rate x 5; the ladder's RMSProp rung uses Rethinking's
 * settings (decay 0.9, epsilon 1.0, learning rate 0.045).
 */
export const BASE_LR = 0.02;
export const BN_LR_FACTOR = 5;
export const RMSPROP = {optimizer: 'rmsprop', lr: 0.045} as const;
export const LABEL_SMOOTHING = 0.1;
/**
 * The residual-scaling experiment: the network at full width (64 / 128 / 256) and a learning rate that strains it.
 * Its two runs are the chapter's slowest (about 100 s each at 16,384 images on 2 cores, 2026-12-02), so at the
 * course budget they keep quick's training images: what they test, a network dying early in training, shows early.
 */
export const SCALING = {width: 1, lr: 0.1, scales: [1, 0.2]} as const;

export type LabOptions = Partial<Omit<InceptionLabOptions, 'channels' | 'classes' | 'resolution' | 'stemStride' | 'modulesPerStage'>>;
const SWITCHES = ['kernels', 'wideReduction', 'between', 'reduction', 'batchNorm', 'act', 'residual', 'residualScale'] as const;

/** A lab network spec. Options at the family's default are left out, so the same network asked for twice is one record. */
export function inception(options: LabOptions, seed = 1, training?: Partial<TrainingSettings>): ExperimentSpec {
  const o: Record<string, unknown> = {...LAB, ...options};
  for (const key of SWITCHES) if (o[key] === DEFAULTS[key]) delete o[key];
  return {model: 'inception_lab', options: o as ModelOptions, seed, ...(training ? {training} : {})};
}

/** Rethinking Table 3's rungs as the lab builds them; the BN-auxiliary rung has no lab-scale counterpart. */
export const LADDER: ReadonlyArray<{rung: string; options: LabOptions; training?: Partial<TrainingSettings>}> = [
  {rung: 'GoogLeNet', options: {kernels: '5x5', reduction: 'pool-conv', batchNorm: false}},
  {rung: 'BN-GoogLeNet', options: {kernels: '5x5', reduction: 'pool-conv'}},
  {rung: 'BN-Inception', options: {kernels: '3x3-3x3', reduction: 'pool-conv'}},
  {rung: 'Inception-v2', options: {kernels: '3x3-3x3', reduction: 'parallel'}},
  {rung: '+ RMSProp', options: {kernels: '3x3-3x3', reduction: 'parallel'}, training: {...RMSPROP}},
  {rung: '+ label smoothing', options: {kernels: '3x3-3x3', reduction: 'parallel'}, training: {...RMSPROP, labelSmoothing: LABEL_SMOOTHING}},
  {rung: '+ factorised 1×3 / 3×1', options: {kernels: '1x3-3x1', reduction: 'parallel'}, training: {...RMSPROP, labelSmoothing: LABEL_SMOOTHING}},
];

/** BN-Inception's experiment at lab scale: the model, the options and the learning rate of each arm. */
export const BN_ARMS: ReadonlyArray<{label: string; options: LabOptions; lrFactor: number}> = [
  {label: 'no BN', options: {batchNorm: false}, lrFactor: 1},
  {label: 'BN', options: {}, lrFactor: 1},
  {label: `BN, learning rate ×${BN_LR_FACTOR}`, options: {}, lrFactor: BN_LR_FACTOR},
  {label: 'sigmoid, no BN', options: {act: 'sigmoid', batchNorm: false}, lrFactor: 1},
  {label: `sigmoid, BN, learning rate ×${BN_LR_FACTOR}`, options: {act: 'sigmoid'}, lrFactor: BN_LR_FACTOR},
];

/** An arm of a headline claim: the lab network with `options`, at the claim's seed. */
const arm = (label: string, options: LabOptions) => ({label, spec: (seed: number) => inception(options, seed)});

/**
 * What chapter 01's plan is designed to decide, each a paired comparison of
 * the lab network with one thing changed, at the chapter's recipe.
 */
export const CLAIMS: readonly HeadlineClaim[] = [
  // At the cost the claim is about: the widest branch keeps one width throughout, so its two 3×3 cost 18/25 of the 5×5
  // (GoogLeNet's pattern, the kernels sweep's, widens after a half-width 1×1, where two 3×3 cost more than the 5×5).
  {id: 'kernels', claim: 'Two stacked 3×3 convolutions lose nothing against the 5×5 they replace, at 72 % of its cost.',
   source: 'Rethinking the Inception Architecture (Szegedy et al., 2016), §3.1',
   a: arm('two 3×3', {kernels: '3x3-3x3', wideReduction: 'full'}), b: arm('one 5×5', {kernels: '5x5', wideReduction: 'full'}),
   paper: 'equivalent', margin: EQUIVALENCE_MARGIN},
  {id: 'between', claim: 'A ReLU between the two factors is better than a linear one.',
   source: 'Rethinking the Inception Architecture, §3.1 and Figure 2',
   a: arm('ReLU between', {kernels: '3x3-3x3'}), b: arm('linear between', {kernels: '3x3-3x3', between: 'linear'}), paper: 'higher',
   margin: EQUIVALENCE_MARGIN},
  {id: 'batchNorm', claim: 'Batch normalisation trains faster: at the same learning rate and number of steps it is more accurate.',
   source: 'Batch Normalization (Ioffe and Szegedy, 2015), §4.2 and Figure 2',
   a: arm('batch norm', {}), b: arm('no batch norm', {batchNorm: false}), paper: 'higher', margin: EQUIVALENCE_MARGIN},
  {id: 'residual', claim: 'Residual connections make an Inception network train faster.',
   source: 'Inception-v4, Inception-ResNet (Szegedy et al., 2017), §3 and Figures 24-26',
   a: arm('residual modules', {residual: true}), b: arm('plain modules', {}), paper: 'higher', margin: EQUIVALENCE_MARGIN},
];

export function plan(budget: Budget): BudgetPlan {
  const recipe = pick(budget, BUDGET_SIZES);
  const seeds = recipe.seeds;
  const seeded = (options: LabOptions, training?: Partial<TrainingSettings>) => seeds.map(seed => inception(options, seed, training));
  return {
    chapter: '01', budget,
    training: {...recipe.training, batch: 64, optimizer: 'momentum', lr: BASE_LR},
    seeds: [...seeds], claims: CLAIMS, claimSeeds: [...recipe.claimSeeds], designNoise: recipe.designNoise,
    groups: [
      {name: 'kernels', title: 'a 5x5, two 3x3, or 1x3 then 3x1',
       specs: (['5x5', '3x3-3x3', '1x3-3x1'] as const).flatMap(kernels => seeded({kernels}))},
      {name: 'between', title: 'activation between the factors',
       specs: (['activation', 'linear'] as const).flatMap(between => seeded({kernels: '3x3-3x3', between}))},
      {name: 'reduction', title: 'grid reduction',
       specs: (['conv-pool', 'pool-conv', 'parallel'] as const).flatMap(reduction => seeded({reduction}))},
      {name: 'batchNorm', title: 'batch norm, learning rate and sigmoid',
       specs: BN_ARMS.flatMap(arm => seeded(arm.options, arm.lrFactor === 1 ? undefined : {lr: BASE_LR * arm.lrFactor}))},
      {name: 'residual', title: 'with and without residual modules',
       specs: [false, true].flatMap(residual => seeded({residual}))},
      {name: 'scaling', title: 'residual scaling on a wide network at a high learning rate',
       specs: SCALING.scales.map(residualScale => inception({width: SCALING.width, residual: true, residualScale}, seeds[0],
           {lr: SCALING.lr, ...(budget === 'course' ? {limit: BUDGET_SIZES.quick.training.limit} : {})}))},
      {name: 'ladder', title: 'Rethinking\'s ladder from GoogLeNet to Inception-v3',
       specs: LADDER.flatMap(rung => seeded(rung.options, rung.training))},
      ...claimGroups(CLAIMS, recipe.claimSeeds),
    ],
  };
}

export const CHAPTER: Chapter = {
  id: '01', aliases: ['inception', 'inception-evolution'], title: 'Inception\'s evolution, from GoogLeNet to Inception-ResNet',
  notebook: '01-inception-evolution.ipynb', plan,
};
