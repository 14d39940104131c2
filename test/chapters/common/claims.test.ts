/**
 * Headline claims: each book chapter's plan trains them paired, the plan's
 * design says which differences they decide, and the chapter judges them
 * from the runs (synthetic records, worked by hand below) with a sentence
 * that only states a direction when the paired interval decides it.
 */
import {strict as assert} from 'node:assert';

import {BOOK_CHAPTERS, inception} from '../../../lib/chapters';
import {bearsOut, claimSentence, claimsSection, judgeClaims} from '../../../lib/chapters/common/claims';
import {tablesOf} from '../../../lib/display';
import {BUDGETS} from '../../../lib/experiments/budget';
import {claimDesign, claimGroup} from '../../../lib/experiments/claims';
import {ExperimentConfig, ExperimentResult, PlanResult, expandPlan, runPlan} from '../../../lib/experiments';
import {ResultsStore} from '../../../lib/results';
import {pairedVerdict} from '../../../lib/results/stats';
import {tempDir} from '../../helpers/cli';

describe('headline claims', function () {
  this.timeout(120_000);

  it('every book chapter names 3 to 6 claims and trains both arms of each at every claim seed, the arms differing', () => {
    for (const chapter of BOOK_CHAPTERS) {
      for (const budget of BUDGETS) {
        const plan = chapter.plan(budget);
        const claims = plan.claims ?? [];
        assert.ok(claims.length >= 3 && claims.length <= 6, `chapter ${plan.chapter}: ${claims.length} claims`);
        const expanded = expandPlan(plan, 'wasm');
        const byKey = new Map(expanded.runs.map(r => [r.key, r.config]));
        for (const claim of claims) {
          const keys = expanded.groupKeys.get(claimGroup(claim))!;
          assert.equal(keys.length, 2 * plan.claimSeeds!.length, claim.id);
          for (let i = 0; i < plan.claimSeeds!.length; i++) {
            const [a, b] = [byKey.get(keys[2 * i])!, byKey.get(keys[2 * i + 1])!];
            assert.equal(a.seed, plan.claimSeeds![i], `${claim.id}: a at the claim seed`);
            assert.equal(b.seed, a.seed, `${claim.id}: b at a's seed (paired)`);
            assert.notEqual(keys[2 * i], keys[2 * i + 1], `${claim.id}: the arms are different networks`);
          }
          assert.ok(claim.margin > 0 && claim.source.length > 0, claim.id);
        }
      }
      assert.equal(chapter.plan('course').claimSeeds!.length, 5, 'course: five paired seeds');
      assert.ok(chapter.plan('course').training.testLimit === null, 'course tests on the whole test set');
    }
  });

  it('a design\'s widths: t · σ / √n for 5 seeds at σ = 0.01, and the band it leaves undecided', () => {
    // Standard error 0.01 / √5 = 0.0044721; t(0.975; 4) = 2.7764451 → 0.012417; t(0.95; 4) = 2.1318468 → 0.0095339.
    const d = claimDesign({margin: 0.02}, 5, {pairedStd: 0.01, basis: 'test'});
    assert.equal(d.runs, 10);
    assert.ok(Math.abs(d.halfWidth95 - 0.012417) < 1e-6, String(d.halfWidth95));
    assert.ok(Math.abs(d.halfWidth90 - 0.0095339) < 1e-6, String(d.halfWidth90));
    assert.ok(Math.abs(d.equivalentBelow - (0.02 - 0.0095339)) < 1e-6);
    assert.deepEqual(d.undecidedBand && [d.undecidedBand.low.toFixed(4), d.undecidedBand.high.toFixed(4)], ['0.0105', '0.0124']);
    // Eight seeds: 0.01 / √8 = 0.0035355; 90 %: 1.8945786 · 0.0035355 = 0.006698, equivalent below 0.0133;
    // 95 %: 2.3646243 · 0.0035355 = 0.008360: every difference is decided.
    assert.equal(claimDesign({margin: 0.02}, 8, {pairedStd: 0.01, basis: 'test'}).undecidedBand, null);
    // Six seeds: 0.01 / √6 = 0.0040825; 90 %: 2.0150484 · 0.0040825 = 0.008226, equivalent below 0.01177; 95 %:
    // 2.5705818 · 0.0040825 = 0.010494 < 0.01177, so six is the fewest that decides any difference.
    assert.equal(claimDesign({margin: 0.02}, 5, {pairedStd: 0.01, basis: 'test'}).seedsToDecideAny, 6);
    assert.equal(claimDesign({margin: 0.02}, 1, {pairedStd: 0.01, basis: 'test'}).halfWidth95, Infinity);
  });

  it('bears a paper out only with a decided verdict: a gain by a difference its way, an equivalence inside the margin', () => {
    const up = pairedVerdict([0.02, 0.03, 0.025, 0.022, 0.028], 0.02);
    const down = pairedVerdict([-0.02, -0.03, -0.025, -0.022, -0.028], 0.02);
    const same = pairedVerdict([0.001, -0.001, 0.002, -0.002, 0], 0.02);
    const wide = pairedVerdict([0.05, -0.04, 0.03, -0.05, 0.02], 0.02);
    assert.deepEqual([up, down, same, wide].map(v => v.decision), ['differs', 'differs', 'equivalent', 'undecided']);
    assert.deepEqual([up, down, same, wide].map(v => bearsOut('higher', v)), [true, false, false, null]);
    assert.deepEqual([up, down, same, wide].map(v => bearsOut('lower', v)), [false, true, false, null]);
    // A claimed equivalence: refuted only by an interval wholly outside ±0.02 (up's 95 % interval, about +0.020 to +0.030, is not).
    assert.deepEqual([same, wide].map(v => bearsOut('equivalent', v)), [true, null]);
    assert.equal(bearsOut('equivalent', pairedVerdict([0.05, 0.06, 0.055, 0.052, 0.058], 0.02, true)), false);
  });

  /** Per-seed jitter of one arm (seeds 1-5), so that paired differences vary: mean 0, sample std 0.0015811. */
  const JITTER = [0.002, -0.002, 0.001, -0.001, 0];

  /**
   * Chapter 01's course claims by construction, on a common 0.85 + a seed effect (which pairing cancels):
   * - kernels: the 5x5 arm -0.004 + jitter → differences 0.004 - jitter, mean +0.004: equivalent (90 % +0.0025 to +0.0055);
   * - between: linear -0.01 + jitter → mean +0.010, 95 % +0.0080 to +0.0120: differs, as predicted;
   * - batchNorm: no BN -0.3 + jitter: differs, as predicted;
   * - residual: residual +jitter → mean 0, 90 % ±0.0015: equivalent, so the claimed gain is not seen (disagrees).
   */
  function accuracyOf(config: ExperimentConfig, scale = 1): number {
    const o = config.options as Record<string, unknown>;
    const jitter = scale * JITTER[config.seed - 1];
    let a = 0.85 + 0.01 * Math.sin(config.seed);
    if (o['kernels'] === '5x5') a += -0.004 + jitter;
    if (o['between'] === 'linear') a += -0.01 + jitter;
    if (o['batchNorm'] === false) a += -0.3 + jitter;
    if (o['residual'] === true) a += jitter;
    return a;
  }

  async function courseResult(accuracy: (config: ExperimentConfig) => number): Promise<PlanResult> {
    const plan = inception.plan('course');
    const store = new ResultsStore(tempDir('claims'));
    for (const run of expandPlan(plan, 'wasm').runs) {
      store.put(run.config, {
        backend: 'wasm', device: 'test', params: 1000, trainableParams: 900, macs: 1e6, validationAccuracy: null,
        testAccuracy: accuracy(run.config), curves: [], seconds: 10, versions: {},
        stepCurve: [{images: 512, trainLoss: 1, trainAccuracy: 0.5}],
        timing: {trainImagesPerSecond: 400, latencyMsBatch1: 1, latencyMsBatch64: 0.5, peakTensorBytes: 1},
      } as ExperimentResult);
    }
    return runPlan(plan, {backend: 'wasm', store, train: false, progress: 'silent'});
  }

  it('judges chapter 01\'s claims from paired runs as worked by hand, and counts them for the index page', async () => {
    const outcomes = judgeClaims(await courseResult(config => accuracyOf(config)));
    const byId = new Map(outcomes.map(o => [o.claim.id, o]));
    assert.deepEqual(outcomes.map(o => [o.claim.id, o.verdict.decision, o.agrees]),
        [['kernels', 'equivalent', true], ['between', 'differs', true], ['batchNorm', 'differs', true], ['residual', 'equivalent', false]]);
    const kernels = byId.get('kernels')!;
    assert.deepEqual(kernels.seeds, [1, 2, 3, 4, 5]);
    assert.ok(Math.abs(kernels.verdict.difference - 0.004) < 1e-12);
    assert.ok(Math.abs(byId.get('between')!.verdict.low - 0.00804) < 1e-5, String(byId.get('between')!.verdict.low));
    const section = claimsSection(await courseResult(config => accuracyOf(config)));
    assert.equal(tablesOf(section)[0].rows.length, 4);
    const headline = section.find(item => item.kind === 'headline');
    assert.ok(headline?.kind === 'headline');
    assert.equal(headline.headline.label, 'Headline claims decided');
    assert.match(headline.headline.text, /^4 of 4 on the course budget \(2 differ, 2 equivalent within their margin, 0 undecided\); the lab agrees with the paper on 3 and disagrees on 1/);
  });

  it('pools the noise over each configuration\'s runs from every group: seed 1 of a sweep joins seeds 2-5 of a claim', async () => {
    // At course the sweeps run seed 1 only, and the claims' six networks (two 3x3 and 5x5 with the widest branch one width
    // throughout, the default network, linear between, no BN, residual) run seeds 1-5: six configurations of five runs,
    // 4 degrees of freedom each.
    const noise = inception.seedNoise(await courseResult(config => accuracyOf(config)));
    assert.equal(noise.configurations, 6);
    assert.equal(noise.degreesOfFreedom, 24);
  });

  it('every book chapter\'s findings section opens with its claims table and gives the index its count', async () => {
    // Chapter 04's findings need condensation records: test/chapters/condensenet.test.ts checks it on its own synthetic runs.
    for (const chapter of BOOK_CHAPTERS.filter(c => c.CHAPTER.id !== '04')) {
      const plan = chapter.plan('smoke');
      const store = new ResultsStore(tempDir(`claims-${plan.chapter}`));
      for (const run of expandPlan(plan, 'wasm').runs) {
        store.put(run.config, {
          backend: 'wasm', device: 'test', params: 1000, trainableParams: 900, macs: 1e6, validationAccuracy: null,
          testAccuracy: 0.8, curves: [], seconds: 10, versions: {},
          stepCurve: [{images: 256, trainLoss: 1, trainAccuracy: 0.5}],
          timing: {trainImagesPerSecond: 400, latencyMsBatch1: 1, latencyMsBatch64: 0.5, peakTensorBytes: 1},
        } as ExperimentResult);
      }
      const section = chapter.findingsSection(await runPlan(plan, {backend: 'wasm', store, train: false, progress: 'silent'}));
      assert.match(tablesOf(section)[0].caption ?? '', /^Headline claims/, `chapter ${plan.chapter}: the claims table first`);
      const headline = section.find(item => item.kind === 'headline' && item.headline.label === 'Headline claims decided');
      assert.ok(headline, `chapter ${plan.chapter}: the index line`);
    }
  });

  it('an undecided claim says what was measured and that this budget cannot say, with no direction', async () => {
    // Jitter × 20: differences 0.004 - 20·jitter spread by 0.0316; 90 % half-width 2.1318 · 0.014142 = 0.0301: not inside ±0.02.
    const outcomes = judgeClaims(await courseResult(config => accuracyOf(config, 20)));
    const kernels = outcomes.find(o => o.claim.id === 'kernels')!;
    assert.equal(kernels.verdict.decision, 'undecided');
    assert.equal(kernels.agrees, null);
    const sentence = claimSentence(kernels);
    assert.match(sentence, /^two 3×3 against one 5×5: \+0\.004 in test accuracy over 5 paired seeds, undecided at this budget/);
    assert.match(sentence, /The paper predicts two 3×3 as accurate as one 5×5 \(here: within ±0\.02\); the lab cannot say at this budget\.$/);
    assert.doesNotMatch(sentence, /\b(better|worse|agrees|disagrees|helps?)\b/);
  });
});
