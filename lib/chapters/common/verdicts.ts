/**
 * How every chapter words a comparison and its findings: a difference with
 * its verdict against the seed noise, whether the lab agrees with a claim
 * (only a difference beyond the noise can say), and the seed-noise finding.
 */
import {plural, signed} from '../../display/format';
import {Item, findingsItem, headlineItem} from '../../display/show';
import {BudgetPlan} from '../../experiments/plan';
import {PlanResult} from '../../experiments/runner';
import {datasetFor} from '../../experiments/spec';
import {Finding} from '../../results/findings';
import {referenceFor, referenceSentence} from './reference-accuracy';
import {accuracy} from './runs';
import {fullBudgetEstimate} from './time';
import {Verdict, verdict} from '../../results/stats';
import {Configuration, Noise} from './runs';

/** a minus b on `measure`, judged against one run's noise for that measure, for means of the smaller number of seeds. */
export function judgedAgainst(noise: Noise, a: Configuration, b: Configuration, measure: 'accuracy' | 'meanLoss' = 'accuracy'): Verdict {
  return verdict(a[measure].mean - b[measure].mean, measure === 'accuracy' ? noise.accuracy : noise.meanLoss,
                 Math.min(a[measure].n, b[measure].n));
}

/** "+0.012, clearly beyond the seed noise". */
export const said = (v: Verdict) => `${signed(v.difference)}, ${v.label}`;

/** Whether the lab sees the claimed direction: only a difference beyond the noise can say yes or no. */
export function agreement(v: Verdict, claimedPositive: boolean): boolean | null {
  if (!v.beyondNoise) return null;
  return (v.difference > 0) === claimedPositive;
}

/** The sentence for a difference that is positive, negative or within the noise. */
export const ended = (v: Verdict, positive: string, negative: string, unclear: string) =>
    v.beyondNoise ? (v.difference > 0 ? positive : negative) : unclear;

/** The finding that states the seed noise every other finding is judged against. */
export function noiseFinding(noise: Noise, seeds: number): Finding {
  return {
    id: 'noise', topic: 'Seed noise', claim: 'What a difference must exceed to mean something.',
    measured: {'one run\'s standard deviation (accuracy)': noise.accuracy, 'one run\'s standard deviation (mean training loss)': noise.meanLoss,
               'degrees of freedom': noise.degreesOfFreedom},
    agrees: null,
    text: noise.degreesOfFreedom > 0 ?
        `pooled over ${plural(noise.configurations, 'configuration')} run with ${plural(seeds, 'seed')}: ${noise.accuracy.toFixed(3)} ` +
        `in test accuracy and ${noise.meanLoss.toFixed(3)} in mean training loss.` :
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
    findingsItem([...list, ...closingFindings(result, network, full)]),
    ...headlines.map(([title, ids]) => headlineItem(title, ids.map(textOf).join(' '))),
  ];
}
