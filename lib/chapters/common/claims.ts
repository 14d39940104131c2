/**
 * Judging a chapter's headline claims (lib/experiments/claims.ts) from its
 * runs: per claim, the per-seed differences of arm a minus arm b, their
 * paired interval and verdict, and whether the lab agrees with the paper,
 * as a table a teacher can project and a line for the book's index page.
 */
import {plural, signed} from '../../display/format';
import {Item, headlineItem, markdownItem, tableItem} from '../../display/show';
import {BUDGET_SIZES} from '../../experiments/budget-sizes';
export {bearsOut} from '../../experiments/claims';
import {AGREEMENT_WORDS, HeadlineClaim, claimGroup, judgeAccuracies, outcomeSentence, predictionText} from '../../experiments/claims';
import {PlanResult} from '../../experiments/runner';
import {Run} from '../../experiments/spec';
import {Verdict} from '../../results/stats';
import {accuracy} from './runs';

export interface ClaimOutcome {
  claim: HeadlineClaim;
  /** Seeds at which both arms were trained, in order. */
  seeds: number[];
  /** Test accuracies of arm a and arm b, per seed. */
  a: number[];
  b: number[];
  verdict: Verdict;
  /** Whether the lab sees what the paper predicts: true, false, or null when this budget cannot say. */
  agrees: boolean | null;
}

/** The claim's runs, a then b per claim seed, as the plan ordered them (lib/experiments/claims.ts, claimSpecs). */
function pairs(result: PlanResult, claim: HeadlineClaim): Array<{seed: number; a: Run; b: Run}> {
  const runs = result.group(claimGroup(claim));
  const seeds = result.expanded.plan.claimSeeds ?? [];
  return seeds.map((seed, i) => ({seed, a: runs[2 * i], b: runs[2 * i + 1]}));
}

export function judgeClaim(result: PlanResult, claim: HeadlineClaim): ClaimOutcome {
  const paired = pairs(result, claim);
  const a = paired.map(p => accuracy(p.a));
  const b = paired.map(p => accuracy(p.b));
  return {claim, seeds: paired.map(p => p.seed), a, b, ...judgeAccuracies(claim, a, b)};
}

/** Every headline claim of the plan, judged (none for a plan without claims). */
export function judgeClaims(result: PlanResult): ClaimOutcome[] {
  return (result.expanded.plan.claims ?? []).map(claim => judgeClaim(result, claim));
}

/** One claim's outcome in a sentence: what was measured, the verdict, and whether it bears the paper out. */
export function claimSentence(o: ClaimOutcome): string {
  return outcomeSentence(o.claim, o.seeds.length, o.verdict, o.agrees);
}

/** The table of a chapter's headline claims: what the paper predicts, the lab's interval and verdict, and whether they agree. */
export function claimsTable(outcomes: readonly ClaimOutcome[]): Item {
  const interval = (v: Verdict) => Number.isFinite(v.low) ? `${signed(v.low)} to ${signed(v.high)}` : '-';
  return tableItem(outcomes, [
    {header: 'claim (a against b)', value: o => `${o.claim.claim} (${o.claim.a.label} against ${o.claim.b.label})`},
    {header: 'paper predicts', value: o => predictionText(o.claim)},
    {header: 'seeds', value: o => o.seeds.length},
    {header: 'a − b (95 % interval)', value: o => `${signed(o.verdict.difference)} (${interval(o.verdict)})`},
    {header: 'lab verdict', value: o => o.verdict.decision === 'equivalent' ? `equivalent within ±${o.verdict.margin}` :
        o.verdict.decision === 'undecided' && o.verdict.seedsToDecide != null ? `undecided (about ${o.verdict.seedsToDecide} seeds would decide)` :
        o.verdict.decision},
    {header: 'lab and paper', value: o => AGREEMENT_WORDS(o.agrees)},
  ], 'Headline claims: each a paired comparison (both arms at every seed), margins set before the runs.');
}

const decidedCount = (outcomes: readonly ClaimOutcome[]) =>
  outcomes.filter(o => o.verdict.decision === 'differs' || o.verdict.decision === 'equivalent').length;

/** The index page's line: how many headline claims this budget decided, how, and how many bear the papers out. */
export function claimsHeadline(result: PlanResult, outcomes: readonly ClaimOutcome[]): Item {
  const count = (d: string) => outcomes.filter(o => o.verdict.decision === d).length;
  const agree = outcomes.filter(o => o.agrees === true).length;
  const disagree = outcomes.filter(o => o.agrees === false).length;
  return headlineItem('Headline claims decided',
      `${decidedCount(outcomes)} of ${outcomes.length} on the ${result.budget} budget (${count('differs')} differ, ` +
      `${count('equivalent')} equivalent within their margin, ${count('undecided') + count('unmeasured')} undecided); ` +
      `the lab agrees with the paper on ${agree} and disagrees on ${disagree}`);
}

/** Why some claims are undecided, and what would decide them. */
function undecidedNote(result: PlanResult, undecided: readonly ClaimOutcome[]): string {
  const course = BUDGET_SIZES.course;
  const count = undecided.length;
  const why = undecided.every(o => o.verdict.decision === 'unmeasured') ? 'one seed measures no noise, so there is no interval.' :
      'the interval is still too wide for the difference measured.';
  const what = `${plural(count, 'claim')} ${count === 1 ? 'is' : 'are'} not decided on the ${result.budget} budget: ${why}`;
  if (result.budget === 'smoke' || result.budget === 'quick') {
    return `${what} The course budget (\`npm run report -- --budget course\`) trains each claim at ` +
        `${plural(course.claimSeeds.length, 'paired seed')} on ${course.training.limit!.toLocaleString('en-US')} images and tests on the whole test set.`;
  }
  return `${what} The table says how many paired seeds the measured noise would need.`;
}

/** A chapter's headline claims: the table, a sentence per claim, and the index line. */
export function claimsSection(result: PlanResult): Item[] {
  const outcomes = judgeClaims(result);
  if (outcomes.length === 0) return [];
  const undecided = outcomes.filter(o => o.verdict.decision === 'undecided' || o.verdict.decision === 'unmeasured');
  return [
    claimsTable(outcomes),
    markdownItem(outcomes.map(o => `- **${o.claim.id}** (${o.claim.source}): ${claimSentence(o)}`).join('\n')),
    ...(undecided.length === 0 ? [] : [markdownItem(undecidedNote(result, undecided))]),
    claimsHeadline(result, outcomes),
  ];
}
