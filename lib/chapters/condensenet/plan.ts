/**
 * Chapter 04's plan: a lab-scale CondenseNet (28 x 28 grey inputs, three
 * dense blocks of three layers, growth 8 / 16 / 32) trained with the
 * official recipe's optimiser and cosine schedule: the 1x1 convolutions four
 * ways (dense, fixed groups, fixed groups with a shuffle, learned groups),
 * the condensation factor C and the groups G, the group lasso on and off,
 * and MobileNetV2 at matched multiply-adds.
 */
import {Budget, pick} from '../../experiments/budget';
import {inputFor, labScaleOptions} from '../../experiments/lab-scale';
import {BUDGET_SIZES} from '../../experiments/budget-sizes';
import {EQUIVALENCE_MARGIN, HeadlineClaim} from '../../experiments/claims';
import {BudgetPlan, claimGroups} from '../../experiments/plan';
import {ExperimentSpec, ModelOptions, TrainingSettings} from '../../experiments/spec';
import {CondenseNetOptions, DEFAULTS} from '../../models/condensenet';
import {Chapter} from '../common/chapter';
import {matchWidth} from '../common/compare';
import {networkCost} from '../../models/costs';

export const LAB = {...inputFor('fashion-mnist'), stemStride: 2, stages: [3, 3, 3], growth: [8, 16, 32]} as const;
/** The official ImageNet setting, G = C = 4. */
export const GROUPS = 4;
export const CONDENSE_FACTORS = [1, 2, 4, 8] as const;
export const GROUP_COUNTS = [1, 2, 4, 8] as const;
/** Group lasso weight: the official ImageNet value is 1e-5; the lab's runs are short, so it is stronger. */
export const GROUP_LASSO = 1e-4;
/** MobileNetV2 at lab scale for the matched-cost comparison, with this chapter's stride-2 stem (the CondenseNet's) in place of chapter 03's stride 1. */
export const MOBILENET_V2 = {...labScaleOptions('mobilenet_v2'), stemStride: 2} as const;
/** MobileNetV2 trains with chapter 03's recipe (Adam): at this recipe's learning rate 0.1 its two seeds ended 0.43 and 0.66 apart. */
export const MOBILENET_TRAINING: Partial<TrainingSettings> = {optimizer: 'adam', lr: 5e-3, schedule: 'constant'};

export type LabOptions = Partial<Pick<CondenseNetOptions, 'groups' | 'condenseFactor' | 'pointwise' | 'groupLasso'>>;
const SWITCHES = ['pointwise', 'groupLasso'] as const;

/** A lab CondenseNet spec; switches at the family's default are left out, so one network asked for twice is one record. */
export function condensenet(options: LabOptions, seed = 1): ExperimentSpec {
  const o: Record<string, unknown> = {...LAB, stages: [...LAB.stages], growth: [...LAB.growth], groups: GROUPS, condenseFactor: GROUPS, ...options};
  for (const key of SWITCHES) if (o[key] === DEFAULTS[key]) delete o[key];
  return {model: 'condensenet', options: o as ModelOptions, seed};
}

/** The 1x1 convolutions four ways, in the order the chapter shows them. */
export const POINTWISE: ReadonlyArray<{label: string; options: LabOptions}> = [
  {label: 'dense 1×1 (DenseNet)', options: {groups: 1, condenseFactor: 1}},
  {label: `fixed groups (G = ${GROUPS})`, options: {pointwise: 'group'}},
  {label: `fixed groups + shuffle (G = ${GROUPS})`, options: {pointwise: 'group-shuffle'}},
  {label: `learned groups (G = C = ${GROUPS})`, options: {}},
];

let mobileNetWidth: number | null = null;
/** The MobileNetV2 width whose multiply-adds come closest to the learned CondenseNet's test-time network. */
export function matchedMobileNetWidth(): number {
  if (mobileNetWidth == null) {
    const spec = condensenet({});
    const target = networkCost('condensenet', {...spec.options, converted: true, classifierKeep: 1}).totals.macs;
    mobileNetWidth = matchWidth('mobilenet_v2', MOBILENET_V2, target).width;
  }
  return mobileNetWidth;
}

const arm = (label: string, options: LabOptions) => ({label, spec: (seed: number) => condensenet(options, seed)});

/** What chapter 04's plan is designed to decide, each a paired comparison of the lab CondenseNet with one thing changed. */
export const CLAIMS: readonly HeadlineClaim[] = [
  {id: 'learnedVsFixed', claim: 'Learned groups are more accurate than fixed groups of the same size and cost.',
   source: 'CondenseNet (Huang et al., 2018), §5.1 and Figure 5 (left)',
   a: arm(POINTWISE[3].label, POINTWISE[3].options), b: arm(POINTWISE[1].label, POINTWISE[1].options), paper: 'higher', margin: EQUIVALENCE_MARGIN},
  {id: 'learnedVsDense', claim: 'Learned groups lose little against dense 1×1 convolutions at a fraction of the test-time cost.',
   source: 'CondenseNet, §5.1 (against DenseNet) and Table 1',
   a: arm(POINTWISE[3].label, POINTWISE[3].options), b: arm(POINTWISE[0].label, POINTWISE[0].options), paper: 'equivalent',
   margin: EQUIVALENCE_MARGIN},
  {id: 'lasso', claim: 'The group lasso during training makes the condensed network more accurate.',
   source: 'CondenseNet, §3 (group lasso) and §5.1',
   a: arm('group lasso on', {groupLasso: GROUP_LASSO}), b: arm('group lasso off', {}), paper: 'higher', margin: EQUIVALENCE_MARGIN},
];

export function plan(budget: Budget): BudgetPlan {
  const recipe = pick(budget, BUDGET_SIZES);
  const seeds = recipe.seeds;
  const seeded = (options: LabOptions) => seeds.map(seed => condensenet(options, seed));
  return {
    chapter: '04', budget,
    // The official recipe's shape: SGD with Nesterov momentum, learning rate 0.1, cosine to zero per step.
    training: {...recipe.training, batch: 64, optimizer: 'nesterov', lr: 0.1, schedule: 'cosine'},
    seeds: [...seeds], claims: CLAIMS, claimSeeds: [...recipe.claimSeeds], designNoise: recipe.designNoise,
    groups: [
      {name: 'pointwise', title: 'the 1x1 convolutions: dense, fixed groups, shuffled, learned', specs: POINTWISE.flatMap(p => seeded(p.options))},
      {name: 'condense', title: `condensation factor C at G = ${GROUPS}`,
       // C = 1 condenses nothing: every group keeps every input, the dense network whatever G is (one record with the pointwise group's).
       specs: CONDENSE_FACTORS.flatMap(condenseFactor => seeded(condenseFactor === 1 ? {groups: 1, condenseFactor} : {condenseFactor}))},
      {name: 'groups', title: `groups G at C = ${GROUPS}`, specs: GROUP_COUNTS.flatMap(groups => seeded({groups}))},
      {name: 'lasso', title: 'group lasso off and on', specs: [0, GROUP_LASSO].flatMap(groupLasso => seeded({groupLasso}))},
      {name: 'mobilenet', title: 'MobileNetV2 at matched multiply-adds',
       specs: seeds.map(seed => ({model: 'mobilenet_v2', options: {...MOBILENET_V2, width: matchedMobileNetWidth()} as ModelOptions, seed,
                                  training: MOBILENET_TRAINING}))},
      ...claimGroups(CLAIMS, recipe.claimSeeds),
    ],
  };
}

export const CHAPTER: Chapter = {
  id: '04', aliases: ['condensenet'], title: 'CondenseNet: learned group convolutions from training to the converted network',
  notebook: '04-condensenet.ipynb', plan,
};
