/**
 * Chapter 01, Inception's evolution from GoogLeNet to Inception-ResNet
 * (notebooks/01-inception-evolution.ipynb narrates these calls): the
 * arithmetic (arithmetic.ts), the paper-scale networks and published numbers
 * (paper.ts), the plan (plan.ts), the tables and figures read from the runs
 * (sections.ts) and the findings (findings.ts).
 */
import {Item} from '../../display/show';
import {buildModel} from '../../models';
import {costOf} from '../../cost';
import {layerCostTable} from '../common/cost-tables';
import {recipeItems} from '../common/recipe';
import {LAB} from './plan';

export {BN_LR_FACTOR, CHAPTER, LAB, LADDER, SCALING, inception, plan} from './plan';
export {
  bottleneckExample, bottleneckSection, reductionErratum, chainCost, gridReductionExample, gridReductionTable, oneByOneNonLinearity, oneByOneSection, receptiveField, reductionExample,
  replacementRows, replacementSection,
} from './arithmetic';
export {SOURCE_V1, SOURCE_V2, countSourceModule, samePaddingRows, sourceModuleTable, sourceModulesSection} from './source-modules';
export {
  BN_RESULTS, GOOGLENET_TABLE1, googLeNetDepth, RATIO_CLAIMS, RETHINKING_TABLE3, googLeNetSection, paperScaleRows, paperScaleSection, ratioRows,
  referencePointsSection, residualAdditions, table1Rows, v3AuxErratum, v3ModuleTable, v3TraceRows, v3TraceSection, v4Erratum,
} from './paper';
export {
  batchNormSection, costSection, kernelsSection, ladderSection, noiseSection, reductionSection, residualSection, seedNoise,
} from './sections';
export {findings, findingsSection} from './findings';
export {EXERCISE3_SEEDS, answers, chainsTable, factorisationSavings, kernelArms, reductionPaysFrom} from './exercises';
export {paperVersusOursSection} from './versus';

/** The recipe in a sentence, from the plan. */
export const recipeSection = recipeItems;

/** The lab-scale network the chapter trains, layer by layer. */
export function labNetworkSection(): Item[] {
  const model = buildModel('inception_lab', {...LAB});
  try {
    return [layerCostTable(costOf(model).layers, `The lab Inception network, α = ${LAB.width}: 28 × 28 × 1 input, stride-2 stem, ` +
        'an entry module and one module in each of three stages, parallel grid reductions between them, two stacked 3×3 in the widest branch')];
  } finally {
    model.dispose();
  }
}
