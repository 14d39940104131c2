/**
 * A chapter's headline claims: the few claims of its papers that its plan is
 * designed to decide. Each names two arms trained at the same seeds (so the
 * comparison is paired: same training images, same data order, the shared
 * layers started alike), what the paper predicts for arm a against arm b,
 * and the equivalence margin, all set before any run. A plan trains every
 * claim's arms at its claim seeds; lib/chapters/common/claims.ts judges them.
 */
import {plural, signed} from '../display/format';
import {tQuantile} from '../results/intervals';
import {Verdict, pairedVerdict} from '../results/stats';
import {ExperimentSpec} from './spec';

/**
 * The margin within which the chapters call two networks' test accuracies
 * equivalent, set before any run: 2 points of accuracy. At the course
 * budget one seed's paired difference varies by about 0.01
 * (budget-sizes.ts), so 5 seeds decide ±0.02 for almost any difference;
 * ±0.01 would need about 16 seeds.
 */
export const EQUIVALENCE_MARGIN = 0.02;

/** What the paper says of arm a against arm b in test accuracy. */
export type PaperPrediction = 'higher' | 'lower' | 'equivalent';

export interface ClaimArm {
  label: string;
  spec(seed: number): ExperimentSpec;
}

export interface HeadlineClaim {
  /** Short id, also the plan group that trains its arms: 'claim:<id>'. */
  id: string;
  /** The claim as the paper makes it, in a sentence. */
  claim: string;
  /** Where the paper makes it. */
  source: string;
  a: ClaimArm;
  b: ClaimArm;
  paper: PaperPrediction;
  /**
   * Within how many points of test accuracy two arms count as equivalent,
   * set before the runs: an equivalence claim is supported inside it, and a
   * claimed gain is refuted when the whole interval lies inside it.
   */
  margin: number;
  /** Why this margin, where it is not the chapter's default. */
  marginReason?: string;
}

/** What the paper predicts of arm a, as a table cell: "a more accurate", "equivalent within ±0.02". */
export function predictionText(claim: Pick<HeadlineClaim, 'paper' | 'margin'>): string {
  return claim.paper === 'equivalent' ? `equivalent within ±${claim.margin}` : claim.paper === 'higher' ? 'a more accurate' : 'a less accurate';
}

/** The plan group that trains a claim's arms. */
export const claimGroup = (claim: Pick<HeadlineClaim, 'id'>) => `claim:${claim.id}`;

/** A claim's runs: both arms at every claim seed, a then b per seed. */
export function claimSpecs(claim: HeadlineClaim, seeds: readonly number[]): ExperimentSpec[] {
  return seeds.flatMap(seed => [claim.a.spec(seed), claim.b.spec(seed)]);
}

/**
 * The expected 95 % and 90 % half-widths of a paired difference over
 * `seeds` seeds, when one seed's difference has standard deviation
 * `pairedStd`: t(0.975 or 0.95, n - 1) · pairedStd / √n. This is what
 * `cnnlab plan` prints per claim before anything is trained.
 */
export function expectedHalfWidths(pairedStd: number, seeds: number): {differs: number; equivalent: number} {
  if (!Number.isInteger(seeds) || seeds < 2) return {differs: Infinity, equivalent: Infinity};
  const se = pairedStd / Math.sqrt(seeds);
  return {differs: tQuantile(0.975, seeds - 1) * se, equivalent: tQuantile(0.95, seeds - 1) * se};
}

/**
 * What a plan expects one seed's paired difference to vary by, before its
 * runs: a figure measured on this recipe, with where it was measured. The
 * plan sizes its claim seeds from it; the chapter then reports the noise
 * its own runs measured.
 */
export interface DesignNoise {
  pairedStd: number;
  basis: string;
}

/** What a plan expects of one claim before its runs, from its design noise. */
export interface ClaimDesign {
  /** Runs the claim takes: both arms at every claim seed. */
  runs: number;
  /** Expected half-width of the 95 % interval (decides "differs") and of the 90 % one (decides "equivalent"). */
  halfWidth95: number;
  halfWidth90: number;
  /** Differences at or below this size are expected to come out equivalent within the margin (0: none). */
  equivalentBelow: number;
  /** Differences above this size are expected to come out as differing. */
  differsAbove: number;
  /** Differences in [low, high] this design is expected to leave undecided; null when it decides any. */
  undecidedBand: {low: number; high: number} | null;
  /** The fewest seeds at which the same noise would decide any difference (null: more than 100). */
  seedsToDecideAny: number | null;
}

export function claimDesign(claim: Pick<HeadlineClaim, 'margin'>, seeds: number, noise: DesignNoise): ClaimDesign {
  const band = (n: number) => {
    const {differs, equivalent} = expectedHalfWidths(noise.pairedStd, n);
    const equivalentBelow = Math.max(0, claim.margin - equivalent);
    return {differs, equivalent, equivalentBelow, undecided: equivalentBelow >= differs ? null : {low: equivalentBelow, high: differs}};
  };
  const here = band(seeds);
  let seedsToDecideAny: number | null = null;
  for (let n = Math.max(2, seeds); n <= 100 && seedsToDecideAny == null; n++) if (band(n).undecided == null) seedsToDecideAny = n;
  return {runs: 2 * seeds, halfWidth95: here.differs, halfWidth90: here.equivalent, equivalentBelow: here.equivalentBelow,
          differsAbove: here.differs, undecidedBand: here.undecided, seedsToDecideAny};
}

/** What a claim needs to be judged: its prediction, its margin and its arms' labels (a browser's copy has no specs). */
export type JudgedClaim = Pick<HeadlineClaim, 'paper' | 'margin'> & {a: {label: string}; b: {label: string}};

/** "the paper predicts two 3×3 as accurate as one 5×5": what a claim expects of its arms, in words. */
export function predictedText(claim: JudgedClaim): string {
  const relation = claim.paper === 'higher' ? 'more accurate than' : claim.paper === 'lower' ? 'less accurate than' : 'as accurate as';
  return `the paper predicts ${claim.a.label} ${relation} ${claim.b.label}` +
      (claim.paper === 'equivalent' ? ` (here: within ±${claim.margin})` : '');
}

/**
 * Whether a verdict bears a prediction out. A predicted gain is borne out
 * by a decided difference its way, and refuted by one the other way or by
 * an interval inside the margin (no gain as large as the margin). A
 * predicted equivalence is borne out inside the margin and refuted only
 * when the 95 % interval lies wholly outside it; a difference from zero
 * smaller than the margin cannot say.
 */
export function bearsOut(prediction: PaperPrediction, v: Verdict): boolean | null {
  if (prediction === 'equivalent') {
    if (v.decision === 'equivalent') return true;
    const outsideMargin = v.margin != null && (v.low > v.margin || v.high < -v.margin);
    return outsideMargin ? false : null;
  }
  if (v.decision === 'unmeasured' || v.decision === 'undecided') return null;
  if (v.decision === 'equivalent') return false;
  return (v.difference > 0) === (prediction === 'higher');
}

/**
 * The book's rule on a claim's paired test accuracies (arm a and arm b at
 * the same seeds): the verdict on a − b against the margin, and whether it
 * bears the paper out. The chapters and the reports' in-browser runs both
 * judge with it.
 */
export function judgeAccuracies(claim: JudgedClaim, a: readonly number[], b: readonly number[]): {verdict: Verdict; agrees: boolean | null} {
  if (a.length !== b.length) throw new Error(`paired accuracies need as many for arm a as for arm b, got ${a.length} and ${b.length}`);
  const verdict = pairedVerdict(a.map((value, i) => value - b[i]), claim.margin, claim.paper === 'equivalent');
  return {verdict, agrees: bearsOut(claim.paper, verdict)};
}

export const AGREEMENT_WORDS = (agrees: boolean | null) => agrees == null ? 'cannot say at this budget' : agrees ? 'agrees' : 'disagrees';

/** A claim's outcome in a sentence: what was measured, the verdict, and whether it bears the paper out. */
export function outcomeSentence(claim: JudgedClaim, seeds: number, verdict: Verdict, agrees: boolean | null): string {
  const measured = `${claim.a.label} against ${claim.b.label}: ${signed(verdict.difference)} in test accuracy over ` +
      `${plural(seeds, 'paired seed')}, ${verdict.label}.`;
  const paper = predictedText(claim);
  return `${measured} ${paper[0].toUpperCase()}${paper.slice(1)}; the lab ${AGREEMENT_WORDS(agrees)}.`;
}
