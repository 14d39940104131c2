/**
 * How every chapter words a comparison and its findings: a difference with
 * its verdict against the seed noise, whether the lab agrees with a claim
 * (only a decided difference can say), and the seed-noise finding.
 */
import {plural, signed} from '../../display/format';
import {Item, findingsItem, headlineItem, markdownItem} from '../../display/show';
import {BudgetPlan} from '../../experiments/plan';
import {PlanResult} from '../../experiments/runner';
import {datasetFor} from '../../experiments/spec';
import {Finding} from '../../results/findings';
import {claimsSection} from './claims';
import {referenceFor, referenceSentence} from './reference-accuracy';
import {accuracy} from './runs';
import {fullBudgetEstimate} from './time';
import {Verdict, verdict} from '../../results/stats';
import {holm, noiseParts} from '../../results/intervals';
import {Configuration, Noise, noiseOf, onRecipe} from './runs';

/**
 * a minus b on `measure`, decided by its interval for means of the smaller
 * number of seeds; with `margin`, a claim of equivalence can be decided too.
 */
export function judgedAgainst(noise: Noise, a: Configuration, b: Configuration, measure: 'accuracy' | 'meanLoss' = 'accuracy',
                              margin: number | null = null): Verdict {
  return verdict(a[measure].mean - b[measure].mean, noiseOf(noise, measure), {runsEach: Math.min(a[measure].n, b[measure].n), margin});
}

export {EQUIVALENCE_MARGIN} from '../../experiments/claims';

/** "+0.012, differs (95 % interval +0.004 to +0.020)". */
export const said = (v: Verdict) => `${signed(v.difference)}, ${v.label}`;

/**
 * Whether the lab sees a claimed direction: a decided difference says yes
 * or no, an equivalence says no (the claimed gain is not there), an
 * undecided one cannot say.
 */
export function agreement(v: Verdict, claimedPositive: boolean): boolean | null {
  if (v.decision === 'equivalent') return false;
  if (v.decision !== 'differs') return null;
  return (v.difference > 0) === claimedPositive;
}

/**
 * Whether the lab sees a claim of "no worse" (a cheaper network losing
 * nothing): yes when equivalent within the margin or better, no when
 * decidedly worse, and it cannot say when undecided.
 */
export function noWorse(v: Verdict): boolean | null {
  if (v.decision === 'equivalent') return true;
  if (v.decision !== 'differs') return null;
  return v.difference > 0;
}

/**
 * The sentence for a decided positive or negative difference, an
 * equivalence (when the comparison had a margin), or one this budget
 * cannot decide. Only a decided verdict gets a sentence with a direction.
 */
export const ended = (v: Verdict, positive: string, negative: string, undecided: string, equivalent?: string) =>
    v.decision === 'differs' ? (v.difference > 0 ? positive : negative) :
    v.decision === 'equivalent' && equivalent != null ? equivalent : undecided;

/** What every undecided comparison says after its numbers. */
export const UNDECIDED = 'This budget cannot decide it.';

/**
 * The finding that states the seed noise every other finding is judged
 * against, split into its parts: what the test set's size alone gives
 * (binomial sampling of its images at the chapter's mean accuracy) and
 * what is left for training (initialisation and data order).
 */
export function noiseFinding(result: PlanResult, noise: Noise): Finding {
  const runs = result.all();
  const meanAccuracy = runs.reduce((sum, run) => sum + accuracy(run), 0) / runs.length;
  const testImages = datasetFor(runs[0].config).test.count;
  const parts = noise.degreesOfFreedom > 0 ? noiseParts(noise.accuracy, meanAccuracy, testImages) : null;
  // The share of time spent testing, over runs on the recipe's images (a run on fewer, like chapter 01's scaling runs at course, tests as long).
  const timed = runs.filter(run => run.result.timing.testSeconds != null && run.result.seconds > 0 && onRecipe(result, run));
  const testShare = timed.length === 0 ? null : timed.reduce((sum, run) => sum + run.result.timing.testSeconds! / run.result.seconds, 0) / timed.length;
  return {
    id: 'noise', topic: 'Seed noise', claim: 'What a difference must exceed to mean something.',
    measured: {'one run\'s standard deviation (accuracy)': noise.accuracy, 'one run\'s standard deviation (mean training loss)': noise.meanLoss,
               'degrees of freedom': noise.degreesOfFreedom,
               ...(parts ? {'of it, test-set sampling': parts.testSampling, 'of it, training': parts.training} : {}),
               ...(testShare != null ? {'share of a run\'s time spent testing': testShare} : {})},
    agrees: null,
    text: parts != null ?
        `pooled over ${plural(noise.configurations, 'configuration')} repeated over seeds (${plural(noise.degreesOfFreedom, 'degree')} of freedom): ` +
        `${noise.accuracy.toFixed(3)} in test accuracy, ${noise.meanLoss.toFixed(3)} in mean training loss. Of the accuracy's, ` +
        `${parts.testSampling.toFixed(3)} is test-set sampling (${testImages.toLocaleString('en-US')} images at ${meanAccuracy.toFixed(3)}) ` +
        `and ${parts.training.toFixed(3)} training (start and order), adding in squares.` +
        (testShare != null ? ` Testing took ${(100 * testShare).toFixed(0)} % of a run's time.` : '') :
        'one seed on this budget, so no comparison above is checked against noise.',
  };
}

/**
 * The two findings that close every chapter: what a fully trained `network`
 * reaches on Fashion-MNIST against the best run here, and how long the full
 * budget would take on this engine, from this run's speeds.
 */
export function closingFindings(result: PlanResult, network: string, full: BudgetPlan): Finding[] {
  const time = fullBudgetEstimate(result, full);
  const config = result.all()[0].config;
  const best = Math.max(...result.all().map(accuracy));
  const reference = referenceFor(network);
  return [
    {id: 'reference', topic: 'What good is', claim: `${reference.network} reaches ${reference.testAccuracy} on Fashion-MNIST trained in full.`,
     measured: {'best test accuracy here': best, 'published': reference.testAccuracy}, agrees: null,
     text: referenceSentence(network, best, {images: datasetFor(config).train.count, epochs: config.epochs})},
    {id: 'time', topic: 'Time', claim: 'How long the full budget takes on this engine.',
     measured: {'estimated hours': time.seconds / 3600}, agrees: null, text: time.text},
  ];
}

/**
 * A chapter's findings section: its findings and the closing ones
 * (`closingFindings`), then a headline per [title, finding ids], whose text
 * is those findings' texts.
 */
export function findingsSectionOf(result: PlanResult, list: readonly Finding[], network: string, full: BudgetPlan,
                                  headlines: ReadonlyArray<[title: string, ids: readonly string[]]>): Item[] {
  const textOf = (id: string) => {
    const finding = list.find(f => f.id === id);
    if (finding == null) throw new Error(`findingsSectionOf: no finding '${id}' for a headline`);
    return finding.text;
  };
  return [
    ...claimsSection(result),
    findingsItem([...list, ...closingFindings(result, network, full)]),
    markdownItem(comparisonsCounted(list)),
    ...headlines.map(([title, ids]) => headlineItem(title, ids.map(textOf).join(' '))),
    decidedHeadline(result, list),
  ];
}

/** The index page's line per chapter: how many comparisons this budget decided, and how. */
/** The findings' comparisons by decision, and how many "differs" survive Holm's correction over all of them. */
function tally(list: readonly Finding[]) {
  const judged = list.map(f => f.verdict).filter((v): v is Verdict => v != null && v.decision !== 'unmeasured');
  const count = (d: string) => judged.filter(v => v.decision === d).length;
  const kept = holm(judged.map(v => v.p ?? 1)).filter((k, i) => k && judged[i].decision === 'differs').length;
  return {judged: judged.length, differs: count('differs'), equivalent: count('equivalent'), undecided: count('undecided'), kept};
}

export function decidedHeadline(result: PlanResult, list: readonly Finding[]): Item {
  const t = tally(list);
  return headlineItem('Comparisons decided', t.judged === 0 ? `none checked on the ${result.budget} budget (one seed)` :
      `${t.differs + t.equivalent} of ${t.judged} on the ${result.budget} budget: ${t.differs} differ ` +
      `(${t.kept} after Holm's correction), ${t.equivalent} equivalent within their margin, ${t.undecided} undecided`);
}

/**
 * How many of the findings' comparisons were decided, and how many of the
 * "differs" survive Holm's correction over all of them: each comparison is
 * tested at 5 %, so among many, some "differs" could be chance.
 */
export function comparisonsCounted(list: readonly Finding[]): string {
  const t = tally(list);
  if (t.judged === 0) return 'No comparison in this chapter was checked against noise on this budget (one seed).';
  return `Of the ${plural(t.judged, 'comparison')} above, ${t.differs} differ, ${t.equivalent} are equivalent within their margin, ` +
      `${t.undecided} undecided. Each is tested at 5 %; Holm's correction over all ${t.judged} keeps ${t.kept} of the ${t.differs} "differs".`;
}
