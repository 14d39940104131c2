/**
 * Chapter 03, MobileNet's multipliers (notebooks/03-mobilenet-multipliers.ipynb
 * narrates these calls): the papers' tables recomputed from built networks
 * (paper.ts), the plan (plan.ts), the tables and figures read from the runs
 * (sections.ts) and the findings (findings.ts).
 */
import {recipeItems} from '../common/recipe';

export {
  PAPER, REFERENCE_COMPARISONS, SeparableLayer, Table3Row, googLeNetErratum, mobileNetDepth, squeezeNetErratum, modernSection, printedMacsExamples,
  referenceComparisonRows, paperTablesSection, paperV1Section, scalingSection, separableLayerSection, table2Erratum, table3Rows, table3Section,
} from './paper';
export {CHAPTER, GRID_RESOLUTIONS, GRID_WIDTHS, matchedWidths, plan} from './plan';
export {
  costSection, familiesSection, gridSection, latencySection, seedSection, separableSection, thinShallowSection, v3PartsSection,
} from './sections';
export {seedNoise} from './runs';
export {findings, findingsSection} from './findings';
export {EXERCISE4_SEEDS, answers, pointwiseShares, separableArms, v2AgainstQuarterV1} from './exercises';

/** The recipe in a sentence, from the plan. */
export const recipeSection = recipeItems;
