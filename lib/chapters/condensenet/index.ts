/**
 * Chapter 04, CondenseNet from training to the converted network
 * (notebooks/04-condensenet.ipynb narrates these calls): the arithmetic, the
 * published networks and the networks timed afresh (paper.ts), the plan (plan.ts), the tables and
 * figures read from the runs (sections.ts) and the findings (findings.ts).
 */
import {Item} from '../../display/show';
import {buildModel} from '../../models';
import {costOf} from '../../cost';
import {layerCostTable} from '../common/cost-tables';
import {recipeItems} from '../common/recipe';
import {LAB} from './plan';

export {CHAPTER, CONDENSE_FACTORS, GROUPS, GROUP_COUNTS, GROUP_LASSO, LAB, POINTWISE, condensenet, matchedMobileNetWidth, plan} from './plan';
export {
  LASSO_REPORT, PAPER, WORKED_EXAMPLE, denseNetCosts, figureExample, growthErratum, scheduleErratum, denseNetSection, groupConvCost, groupConvSection, publishedRows, publishedSection,
  SOURCE_EXAMPLE, SOURCE_LAYER, SURVEY_FIGURE, countedBothWays, groupConvFigureSection, indexLayerExample, latencySection, scheduleSection, stageStarts,
  workedExample,
} from './paper';
export type {GroupConvLayer, IndexExample, WorkedExample} from './paper';
export {
  ablationSection, condensingSection, conversionSection, costSection, featureReuseSection, indexLayerSection, learnedRun, masksSection, noiseSection,
  pointwiseSection, seedNoise,
} from './sections';
export {findings, findingsSection} from './findings';
export {EXERCISE2_SEEDS, answers, costedNetworks, groupArms} from './exercises';

export const recipeSection = recipeItems;

/** The lab CondenseNet as it trains (learned group convolutions) and as it runs at test time (converted), layer by layer. */
export function labNetworkSection(): Item[] {
  const options = {...LAB, stages: [...LAB.stages], growth: [...LAB.growth]};
  return [false, true].map(converted => {
    const model = buildModel('condensenet', {...options, converted, classifierKeep: 1});
    try {
      return layerCostTable(costOf(model).layers, converted ?
          'The converted network (test time): index layers, group convolutions, shuffles' :
          `The lab CondenseNet as it trains: 28 × 28 × 1, stride-2 stem, ${LAB.stages.join(' + ')} dense layers, growth ${LAB.growth.join(' / ')}`);
    } finally {
      model.dispose();
    }
  });
}
