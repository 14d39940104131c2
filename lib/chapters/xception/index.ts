/**
 * Chapter 02, the Xception hypothesis measured along its whole spectrum
 * (notebooks/02-xception-hypothesis.ipynb narrates these calls): the
 * arithmetic and the grouped convolution's routes (paper.ts), the plan
 * (plan.ts), the tables and figures read from the runs (sections.ts) and
 * the findings (findings.ts).
 */
import {Item} from '../../display/show';
import {buildModel} from '../../models';
import {costOf} from '../../cost';
import {layerCostTable} from '../common/cost-tables';
import {recipeItems} from '../common/recipe';
import {LAB, LAB_WIDTH} from './plan';

export {CHAPTER, INCEPTION_SEGMENTS, LAB, LAB_WIDTH, SEGMENTS, SHUFFLE_GROUPS, matchedWidths, plan, spectrum} from './plan';
export {
  PAPER, RETHINKING_FIG2, ROUTE_SHAPE, SHUFFLENET, equivalenceSection, groupConvItems, groupConvSection, inceptionEquivalence, paperScaleSection,
  spectrumCostRows, spectrumCostSection,
} from './paper';
export {
  activationSection, costSection, inceptionXceptionSection, orderSection, residualSection, shuffleSection, spectrumSection,
  timePerMacSection,
} from './sections';
export {findings, findingsSection} from './findings';
export {EXERCISE2_SEEDS, answers, middleArms} from './exercises';
export {meanTrainingLoss, seedNoise} from './runs';

/** The recipe in a sentence, from the plan. */
export const recipeSection = recipeItems;

/** The lab-scale network at k = 4 and k = C, layer by layer: what the chapter trains. */
export function labNetworkSection(): Item[] {
  return [4, 0].map(segments => {
    const model = buildModel('xception_spectrum', {...LAB, width: LAB_WIDTH, segments});
    try {
      return layerCostTable(costOf(model).layers, `Lab spectrum network, α = ${LAB_WIDTH}, k = ${segments === 0 ? 'C' : segments}: ` +
          '28 × 28 × 1 input, stride-2 stem, two modules in each of three stages');
    } finally {
      model.dispose();
    }
  });
}
