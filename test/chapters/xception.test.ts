/**
 * Chapter 02's module: its arithmetic against built layers, its plan, and
 * its findings on synthetic records (written straight into a results folder,
 * then read through the plan runner) judged the way the verdict rule says.
 */
import {strict as assert} from 'node:assert';

import {networkCost} from '../../lib/models/costs';

import {xception} from '../../lib/chapters';
import {standardConvMacs} from '../../lib/cost/formulas';
import {proseOf, tablesOf} from '../../lib/display';
import {ExperimentConfig, ExperimentResult, PlanResult, expandPlan, runPlan} from '../../lib/experiments';
import {ResultsStore} from '../../lib/results';
import {totalsOf} from '../../lib/chapters';
import {buildModel} from '../../lib/models';
import {tempDir} from '../helpers/cli';
import {assertNoDirectionWithoutDecision} from '../helpers/directions';
import {initEngine} from '../../lib/engine';
import {RouteTiming} from '../../lib/bench/grouped-conv-routes';

type Options = {segments: number; width: number; between: string; order?: string; shuffle?: boolean; residual?: boolean};

describe('chapter 02 module (the Xception hypothesis)', function () {
  this.timeout(120_000);
  const plan = xception.plan('quick');

  it('computes the spectrum\'s cost from built modules: 1/k of the 3x3 step, 1/N + 1/9 at k = C', () => {
    const rows = xception.spectrumCostRows(64, 14);
    assert.deepEqual(rows.map(r => r.segments), [1, 2, 4, 8, 16, 32, 64]);
    for (const r of rows) assert.equal(r.spatialMacs, standardConvMacs(3, 64, 64, 14) / r.segments);
    const pointwise = standardConvMacs(1, 64, 64, 14);
    assert.equal(rows[6].macs, pointwise + standardConvMacs(3, 64, 64, 14) / 64);
    assert.match(proseOf(xception.spectrumCostSection(64, 14)), /0\.1267 of a regular 3×3 convolution's 7\.23M MACs; the formula 1\/N \+ 1\/D_K² = 1\/64 \+ 1\/9 gives 0\.1267/);
    // 3x3 step: 9·64·64·196 = 7,225,344 at k = 1 and 9·64·196 = 112,896 at k = C; 1x1 step: 64·64·196 = 802,816.
    assert.match(proseOf(xception.spectrumCostSection(64, 14)), /^3×3 step: 7\.23M MACs at k = 1, 0\.113M at k = C; 1×1 step: 0\.80M at every k\./);
    // Another module: 32 channels on 7 x 7 (1x1 step 32·32·49 = 50,176).
    assert.match(proseOf(xception.spectrumCostSection(32, 7)), /1×1 step: 0\.05M at every k\..*1\/N \+ 1\/D_K² = 1\/32 \+ 1\/9 gives 0\.1424/);
  });

  it('times the grouped convolution\'s four routes on the engine in use: every G, every route, a positive time', async () => {
    await initEngine('wasm');
    // 16 channels: G = 2, 4 give 8 and 4 inputs a group (SIMD code), G = 8, 16 give 2 and 1 (JavaScript loops).
    const items = xception.groupConvSection({batch: 2, size: 6, channels: 16, kernel: 3});
    const [table] = tablesOf(items);
    const column = (header: string) => table.rows.map(row => row[table.headers.indexOf(header)]);
    assert.deepEqual(column('groups G'), [1, 2, 4, 8, 16]);
    assert.deepEqual(column('inputs per group'), [16, 8, 4, 2, 1]);
    for (const header of ['split ms', 'depthwise ms', 'masked ms', 'direct ms']) {
      for (const ms of column(header)) assert.ok(Number(ms) >= 0, `${header}: ${ms}`);
    }
    assert.match(proseOf(items), /one function, 4 ways/);
  });

  it('times channels that are not a power of two: G doubles while it divides them, then one group per channel', async () => {
    await initEngine('wasm');
    const items = xception.groupConvSection({batch: 1, size: 6, channels: 12, kernel: 3});
    const [table] = tablesOf(items);
    assert.deepEqual(table.rows.map(row => row[table.headers.indexOf('groups G')]), [1, 2, 4, 12]);
    // The routes are checked at the largest of those G up to 8: 4 (8 does not divide 12).
    assert.match(proseOf(items), /^On 12 channels with G = 4, each route's output/);
    assert.match(table.caption ?? '', /batch 1, 6 × 6 × 12, 3×3/);
    assert.throws(() => xception.groupConvSection({batch: 1, size: 6, channels: 1, kernel: 3}), /channels must be a whole number ≥ 2/);
  });

  it('counts Xception\'s parameters from the built network and says whether they are the paper\'s Table 3', () => {
    const built = totalsOf(buildModel('xception')).trainableParams;
    const said = built === 22_855_952 ? 'the paper\'s Table 3 exactly' : 'the paper\'s Table 3: 22,855,952';
    assert.ok(proseOf(xception.paperScaleSection()).includes(`Xception: **${built.toLocaleString('en-US')}** trainable parameters (${said})`));
  });

  /** Timings made up for the wording: which route wins is whatever these say, not what this machine measured. */
  function timings(direct: (g: number) => number): RouteTiming[] {
    return [1, 2, 4, 8, 16].map(g => ({
      groups: g, inputsPerGroup: 16 / g, macs: 9 * 16 * 16 * 36 * 2 / g, auto: g === 1 ? 'conv' : 'split',
      ms: {split: g === 1 ? 2 : 2 + g, depthwise: 3, masked: g === 1 ? 2 : 4, direct: direct(g)},
    }));
  }
  const SHAPE = {batch: 2, size: 6, channels: 16, kernel: 3};
  const AGREEMENT = {split: 0, depthwise: 1e-7, masked: 2e-7, direct: 3e-7};

  it('words the direct kernel as faster where the timings it is given say so, and names the G', () => {
    // Split at G = 2 and 4 (the SIMD rows): 4 and 6 ms; direct 1 and 4 ms: ratios 4 and 1.5, so G = 2 is best.
    const prose = proseOf(xception.groupConvItems(SHAPE, timings(g => g === 2 ? 1 : g === 4 ? 4 : 7), AGREEMENT));
    assert.ok(prose.includes('- The lab\'s direct kernel is 4.0× faster than split at G = 2 (1.0 against 4.0 ms).'), prose);
    assert.ok(prose.includes('- With fewer than 4 inputs a group, the direct kernel runs as plain JavaScript loops (7 ms at G = 8, 7 ms at G = 16).'), prose);
    assert.ok(prose.includes('- The split route is slowest at G = 16 (18.0 ms, 9.0× the regular convolution\'s 2.0 ms for 1/16 of its MACs).'), prose);
    assert.ok(prose.includes('- The masked route takes 2.0-2.0× the regular convolution\'s time at every G > 1.'), prose);
    // G = 1 to 16: 16 times fewer multiply-adds; the fastest route 2 ms at G = 1 (split, masked) and 3 ms at G = 16 (depthwise).
    assert.ok(prose.includes('From G = 1 to G = 16 the multiply-adds fall **16×**; the fastest route\'s time falls 0.7×.'), prose);
  });

  it('words the direct kernel as no faster where the timings it is given say so', () => {
    // Direct 5 and 9 ms against split's 4 and 6: ratios 0.8 and 0.67, the better one at G = 2.
    const prose = proseOf(xception.groupConvItems(SHAPE, timings(g => g === 2 ? 5 : 9), AGREEMENT));
    assert.ok(prose.includes('The lab\'s direct kernel is no faster than split at any G here (at best 5.0 against 4.0 ms at G = 2).'), prose);
    assert.doesNotMatch(prose, /faster than split at G =/);
  });

  it('shows the simplified Inception module and 1x1 + grouped 3x3 computing the same function', () => {
    for (const k of [1, 3, 4, 96]) assert.ok(xception.inceptionEquivalence(k, 96) < 1e-6, `k = ${k}`);
  });

  it('plans each network once, every seeded comparison over the budget\'s seeds, and matches cost and parameters', () => {
    const expanded = expandPlan(plan, 'wasm');
    const fixed = expanded.groupKeys.get('fixed')!;
    assert.equal(fixed.length, xception.SEGMENTS.length);
    // k = C at α 0.5 seed 1 is in fixed, activationC, order and residual: one record.
    const sharedC = fixed[fixed.length - 1];
    for (const group of ['activationC', 'order', 'residual']) assert.ok(expanded.groupKeys.get(group)!.includes(sharedC), group);
    assert.equal(expanded.runs.length, 32);
    const matched = plan.groups.find(g => g.name === 'matched')!.specs;
    const macs = matched.map(s => totalsOf(buildModel(s.model, s.options)).macs);
    const reference = macs[xception.SEGMENTS.indexOf(xception.INCEPTION_SEGMENTS)];
    // Within 5 % of the k = 4 network's multiply-adds, but for k = 32: its channels are multiples of 32, and no width
    // 0.25-1.75 in steps of 0.01 brings it nearer than the plan's choice does.
    matched.forEach((spec, i) => {
      const k = spec.options['segments'];
      if (k !== 32) assert.ok(Math.abs(macs[i] / reference - 1) <= 0.05, `k = ${k}: matched MACs ${macs[i]} against ${reference}`);
    });
    const at32 = macs[xception.SEGMENTS.indexOf(32)];
    for (let i = 0; i <= 150; i++) {
      const width = Math.round((0.25 + 0.01 * i) * 100) / 100;
      const other = networkCost('xception_spectrum', {...xception.LAB, between: 'linear', segments: 32, width}).totals.macs;
      assert.ok(Math.abs(other - reference) >= Math.abs(at32 - reference), `k = 32 at α ${width} is nearer: ${other} against ${at32}`);
    }
    const [inceptionSpec, , xceptionSpec] = plan.groups.find(g => g.name === 'inceptionXception')!.specs;
    const params = [inceptionSpec, xceptionSpec].map(s => totalsOf(buildModel(s.model, s.options)).trainableParams);
    assert.ok(Math.abs(params[1] / params[0] - 1) < 0.1, `matched parameters ${params}`);
    assert.equal(xception.plan('smoke').seeds.length, 1);
  });

  /**
   * Accuracy by construction: 0.80, +-0.01 by seed (one run's noise 0.0141); k = C at matched cost +0.05 over
   * k = 1; ReLU between the steps at k = C -0.04, ELU -0.005; ReLU at k = 1 +0.002; depthwise first -0.001;
   * shuffle +0.03; no residuals -0.02. Training loss: 1.0 - accuracy, so lower loss goes with higher accuracy.
   */
  function accuracyFor(config: ExperimentConfig): number {
    const o = config.options as unknown as Options;
    let a = 0.8 + (config.seed === 1 ? 0.01 : -0.01);
    if (o.segments === 0 && o.width > 0.5) a += 0.05;
    if (o.segments === 0 && o.between === 'relu') a -= 0.04;
    if (o.segments === 0 && o.between === 'elu') a -= 0.005;
    if (o.segments === 1 && o.between === 'relu') a += 0.002;
    if (o.order === 'depthwise-first') a -= 0.001;
    if (o.shuffle === true) a += 0.03;
    if (o.residual === false) a -= 0.02;
    return a;
  }

  /** No effect anywhere: 0.80 ± 0.01 by seed, for checking that nothing undecided is given a direction. */
  const flat = (config: ExperimentConfig) => 0.8 + (config.seed === 1 ? 0.01 : -0.01);

  /** Latency per image, in ms, at batch 1 and batch 64: by default 1 and 0.5 ms per million multiply-adds. */
  type Latency = (o: Options, macs: number) => {batch1: number; batch64: number};
  const proportional: Latency = (_, macs) => ({batch1: macs / 1e6, batch64: macs / 2e6});

  async function syntheticResult(of = plan, accuracyOf = accuracyFor, latencyOf = proportional): Promise<PlanResult> {
    const store = new ResultsStore(tempDir('ch02'));
    for (const run of expandPlan(of, 'wasm').runs) {
      const o = run.config.options as unknown as Options;
      const accuracy = accuracyOf(run.config);
      const macs = 1e6 * o.width * (o.segments === 0 ? 1 : 2);
      store.put(run.config, {
        backend: 'wasm', device: 'test', params: 1000, trainableParams: 900, macs, validationAccuracy: null,
        testAccuracy: accuracy, curves: [], seconds: 10, versions: {},
        stepCurve: [1, 2, 3, 4].map(i => ({images: 1024 * i, trainLoss: 1 - accuracy + 0.1 / i, trainAccuracy: accuracy})),
        timing: {trainImagesPerSecond: 400, latencyMsBatch1: latencyOf(o, macs).batch1, latencyMsBatch64: latencyOf(o, macs).batch64,
                 peakTensorBytes: 1},
      } as ExperimentResult);
    }
    return runPlan(of, {backend: 'wasm', store, train: false, progress: 'silent'});
  }

  it('judges each finding against the pooled seed noise, as the verdict rule says', async () => {
    const findings = xception.findings(await syntheticResult());
    const byId = new Map(findings.map(f => [f.id, f]));
    const noise = byId.get('noise')!;
    assert.ok(Math.abs(noise.measured['one run\'s standard deviation (accuracy)'] - 0.02 / Math.SQRT2) < 1e-9);
    // 11 configurations of two seeds: one run's std 0.014142 on 11 degrees of freedom; t(0.975; 11) = 2.2010,
    // t(0.95; 11) = 1.7959. Matched cost, single runs: +0.05 with standard error 0.02, half-width 0.04402:
    // +0.006 to +0.094, decided, in ShuffleNet's direction.
    assert.equal(byId.get('spectrum')!.verdict!.decision, 'differs');
    assert.equal(byId.get('spectrum')!.agrees, true);
    // None over ReLU: mean training loss -0.04 on means of two seeds (standard error 0.014142, half-width 0.031127):
    // -0.071 to -0.009, decided; the loss falls as accuracy rises.
    assert.equal(byId.get('activation')!.verdict!.decision, 'differs');
    assert.equal(byId.get('activation')!.agrees, true);
    assert.match(byId.get('activation')!.text, /^mean training loss, none against ReLU: -0\.040, differs \(95 % interval -0\.071 to -0\.009\)/);
    assert.equal(byId.get('activationFinal')!.agrees, true);
    assert.match(byId.get('activationFinal')!.text, /none against ELU: \+0\.005, undecided at this budget/);
    // ReLU at k = 1 +0.002, the shuffle's +0.03 (-0.001 to +0.061) and the residuals' +0.02: undecided, no direction said.
    for (const id of ['activationRegular', 'shuffle', 'residual']) {
      assert.equal(byId.get(id)!.verdict!.decision, 'undecided', id);
      assert.equal(byId.get(id)!.agrees, null, id);
    }
    // Order, +0.001 against a ±0.02 margin: 90 % interval -0.024 to +0.026 is not inside it, so "unimportant" is
    // neither confirmed nor refuted (under the old rule "within the noise" was read as agreement).
    assert.equal(byId.get('order')!.verdict!.decision, 'undecided');
    assert.equal(byId.get('order')!.agrees, null);
    for (const f of findings) assert.doesNotMatch(f.text, /NaN|undefined/, f.id);
  });

  it('on one seed (smoke) says nothing was checked against noise, and prints no NaN', async () => {
    const result = await syntheticResult(xception.plan('smoke'));
    for (const section of [xception.spectrumSection, xception.activationSection, xception.orderSection, xception.shuffleSection,
                           xception.residualSection, xception.inceptionXceptionSection, xception.costSection, xception.findingsSection]) {
      assert.doesNotMatch(proseOf(section(result)), /NaN|undefined/, section.name);
    }
    assert.match(proseOf(xception.spectrumSection(result)), /This budget runs one seed, so no difference here is checked against noise/);
    for (const f of xception.findings(result).filter(f => f.verdict)) assert.match(f.verdict!.label, /not checked/, f.id);
  });

  it('reads its tables, curves and prose from the runs', async () => {
    const result = await syntheticResult();
    const spectrum = xception.spectrumSection(result);
    const [table] = tablesOf(spectrum);
    assert.equal(table.rows.length, 2 * xception.SEGMENTS.length);
    // How well "matched" matched is shown, not assumed: a column against the k = 4 network and the range in the prose.
    assert.ok(table.headers.includes('MACs against k = 4'), table.headers.join(', '));
    // Synthetic costs grow with α alone, so most matched networks are far from the reference: each is named with its mismatch.
    assert.match(proseOf(spectrum), /each width is the one, to 0\.01, whose multiply-adds come nearest the k = 4 network's, and \d+ networks? come within/);
    assert.match(proseOf(spectrum), /k = 32 is \+50\.0 %: no width the plan tried came nearer, because the builder rounds its channels to multiples of 32/);
    assert.match(proseOf(spectrum), /k = C against k = 1 is \+0\.050, differs \(95 % interval \+0\.006 to \+0\.094\)/);
    const activation = xception.activationSection(result);
    const curves = activation.filter(i => i.kind === 'plotly');
    assert.equal(curves.length, 2);
    assert.match(proseOf(activation), /none \(linear\) against ReLU: test accuracy \+0\.040 \(differs \(95 % interval \+0\.009 to \+0\.071\)\), mean training loss -0\.040/);
    for (const section of [xception.orderSection, xception.shuffleSection, xception.residualSection, xception.inceptionXceptionSection,
                           xception.costSection, xception.findingsSection]) {
      assert.doesNotMatch(proseOf(section(result)), /NaN|undefined/, section.name);
    }
  });

  it('reads the time per multiply-add at the batch asked for, one row per k', async () => {
    // k = C: 3 ms per million multiply-adds at batch 1, 1.5 at batch 64; every other k: 1 and 1 (ms per image).
    const result = await syntheticResult(plan, accuracyFor, (o, macs) => o.segments === 0 ?
        {batch1: 3 * macs / 1e6, batch64: 1.5 * macs / 1e6} : {batch1: macs / 1e6, batch64: macs / 1e6});
    for (const [batch, ratio, ms] of [[1, '3.0', '3.0000'], [64, '1.5', '1.5000']] as const) {
      const items = xception.timePerMacSection(result, {batch});
      const [table] = tablesOf(items);
      const column = (header: string) => table.rows.map(row => row[table.headers.indexOf(header)]);
      assert.deepEqual(column('segments k'), ['1', '2', '4', '8', '16', '32', 'C']);
      assert.deepEqual(column(`ms per image per million MACs, batch ${batch}`), ['1.0000', '1.0000', '1.0000', '1.0000', '1.0000', '1.0000', ms]);
      assert.equal(column('against k = 1').at(-1), `${ratio}0×`);
      // Every run the plan made is in one row.
      assert.equal(column('runs').map(Number).reduce((a, n) => a + n, 0), result.all().length);
      assert.equal(proseOf(items), `At batch ${batch} on wasm, a multiply-add at k = C takes ${ratio}× the time of one at k = 1.`);
    }
    assert.match(proseOf(xception.costSection(result)), /k = 1 networks take 1\.000 ms and k = C networks 3\.000 ms on wasm: a depthwise separable multiply-add costs 3\.0× a regular one here\./);
    assert.throws(() => xception.timePerMacSection(result, {batch: 32}), /batch 1 and batch 64, not 32/);
  });

  it('states no direction and no agreement for a comparison it cannot decide (every run alike but for seed noise)', async () => {
    const findings = xception.findings(await syntheticResult(plan, flat));
    assert.ok(findings.some(f => f.verdict?.decision === 'undecided'), 'the flat runs leave comparisons undecided');
    assertNoDirectionWithoutDecision(findings);
  });
});
