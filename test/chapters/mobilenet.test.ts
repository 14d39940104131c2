/**
 * Chapter 03's module on synthetic records: its plan asks for the runs the
 * chapter reads, and its findings judge hand-made accuracies the way the
 * verdict rule says (no training: the records are written straight into a
 * results folder, then read through the plan runner).
 */
import {strict as assert} from 'node:assert';

import {erratumText} from '../../lib/chapters/common/errata';
import {transposed} from '../../lib/chapters/mobilenet/paper';

import {mobilenet} from '../../lib/chapters';
import {columnOf, proseOf, tablesOf} from '../../lib/display';
import {ExperimentConfig, ExperimentResult, PlanResult, expandPlan, runPlan} from '../../lib/experiments';
import {networkCost} from '../../lib/models/costs';
import {ResultsStore} from '../../lib/results';
import {tempDir} from '../helpers/cli';
import {assertNoDirectionWithoutDecision} from '../helpers/directions';

type Options = {width: number; resolution: number; depth?: number; convolution?: string; linearBottleneck?: boolean;
                hardSwish?: boolean; squeezeExcite?: boolean};

describe('chapter 03 module (MobileNet multipliers)', function () {
  this.timeout(60_000);
  const plan = mobilenet.plan('quick');
  const thin = plan.groups.find(g => g.name === 'thinShallow')!.specs[0].options['width'] as number;

  /**
   * Accuracy by construction: +0.1 per unit of α, -0.002 per pixel below 28, +-0.01 by seed (so one run's
   * noise is 0.01·√2 = 0.0141), full convolutions +0.005, the shallow network 0.025 below the thin one; V3-Small 0.78,
   * with ReLU for h-swish 0.72, without squeeze-and-excite 0.77.
   */
  function accuracyFor(config: ExperimentConfig): number {
    const o = config.options as unknown as Options;
    const bySeed = config.seed === 1 ? 0.01 : -0.01;
    if (config.model === 'mobilenet_v2') return (o.linearBottleneck === false ? 0.75 : 0.80) + bySeed;
    if (config.model === 'mobilenet_v3') return o.hardSwish === false ? 0.72 : o.squeezeExcite === false ? 0.77 : 0.78;
    const v1 = (width: number) => 0.7 + 0.1 * width - 0.002 * (28 - o.resolution) + bySeed;
    if (o.depth === 3) return v1(thin) - 0.025;
    return v1(o.width) + (o.convolution === 'full' ? 0.005 : 0);
  }

  /** No effect anywhere: 0.80 ± 0.01 by seed, for checking that nothing undecided is given a direction. */
  const flat = (config: ExperimentConfig) => 0.8 + (config.seed === 1 ? 0.01 : -0.01);

  async function syntheticResult(accuracyOf = accuracyFor): Promise<PlanResult> {
    const store = new ResultsStore(tempDir('ch03'));
    for (const run of expandPlan(plan, 'wasm').runs) {
      const o = run.config.options as unknown as Options;
      const macs = 1e6 * o.width ** 2 * (o.resolution / 28) ** 2 * (o.convolution === 'full' ? 7 : 1);
      store.put(run.config, {
        backend: 'wasm', device: 'test', params: 1000, trainableParams: 900, macs, validationAccuracy: null,
        // As a real record has it: the training loss falls as accuracy rises.
        stepCurve: [{images: 4096, trainLoss: 1 - accuracyOf(run.config), trainAccuracy: accuracyOf(run.config)}],
        testAccuracy: accuracyOf(run.config), curves: [], seconds: 10, versions: {},
        timing: {trainImagesPerSecond: 400, latencyMsBatch1: macs / 1e6, latencyMsBatch64: macs / 2e6, peakTensorBytes: 1},
      } as ExperimentResult);
    }
    return runPlan(plan, {backend: 'wasm', store, train: false, progress: 'silent'});
  }

  it('plans the grid, the seeds and the comparisons, each run once', () => {
    const expanded = expandPlan(plan, 'wasm');
    const grid = expanded.groupKeys.get('grid')!;
    assert.equal(grid.length, mobilenet.GRID_WIDTHS.length * mobilenet.GRID_RESOLUTIONS.length);
    const seeds = expanded.groupKeys.get('seeds')!;
    assert.equal(seeds.length, mobilenet.GRID_WIDTHS.length * plan.seeds.length);
    // Seed 1 of the α sweep at 28 px is the grid's own 28 px run.
    const shared = seeds.filter(k => grid.includes(k));
    assert.equal(shared.length, mobilenet.GRID_WIDTHS.length);
    const total = [...expanded.groupKeys.values()].reduce((n, keys) => n + keys.length, 0);
    assert.ok(expanded.runs.length < total, 'shared runs are planned once');
    assert.deepEqual(plan.training, {limit: 4096, testLimit: 1000, epochs: 1, batch: 64, lr: 5e-3});
    assert.equal(mobilenet.plan('smoke').seeds.length, 1);
  });

  it('matches the thinner network to the shallower one\'s cost, and V2/V3 to V1 α = 0.5', () => {
    const [thinSpec, shallowSpec] = plan.groups.find(g => g.name === 'thinShallow')!.specs;
    assert.equal(shallowSpec.options['depth'], 3);
    assert.ok(thin > 0.25 && thin < 1, `thin width ${thin}`);
    assert.equal(thinSpec.options['depth'], 5);
    const families = plan.groups.find(g => g.name === 'families')!.specs;
    assert.equal(families[1].options['width'], families[2].options['width'], 'V2 with and without the linear bottleneck: same width');
  });

  it("takes V3's parts one at a time: ReLU for h-swish at the same width, no squeeze-and-excite widened to the same cost", () => {
    const expanded = expandPlan(plan, 'wasm');
    const [paper, relu, noSqueeze] = plan.groups.find(g => g.name === 'v3Parts')!.specs;
    assert.equal(expanded.groupKeys.get('v3Parts')![0], expanded.groupKeys.get('families')![3], "the paper's V3 is the families' run, trained once");
    assert.equal(relu.options['width'], paper.options['width']);
    assert.equal(relu.options['hardSwish'], false);
    assert.equal(noSqueeze.options['squeezeExcite'], false);
    assert.ok((noSqueeze.options['width'] as number) > (paper.options['width'] as number), 'widened to make up for the removed cost');
    const macs = (options: Record<string, unknown>) => networkCost('mobilenet_v3', options).totals.macs;
    assert.ok(Math.abs(macs(noSqueeze.options) / macs(paper.options) - 1) < 0.02, 'within 2 % of the paper network\'s multiply-adds');
    assert.equal(macs(relu.options), macs(paper.options), 'an activation costs no multiply-adds');
  });

  it('judges each finding against the pooled seed noise, as the verdict rule says', async () => {
    const findings = mobilenet.findings(await syntheticResult());
    const byId = new Map(findings.map(f => [f.id, f]));
    const noise = byId.get('noise')!;
    // Each configuration's two seeds differ by 0.02: std 0.0141, pooled over six (the four widths of the seed group, and the
    // headline claims' α = 0.5 at 14 px and full convolutions at α = 0.25 at their second seed), 6 degrees of freedom.
    assert.ok(Math.abs(noise.measured['one run\'s standard deviation (accuracy)'] - 0.02 / Math.SQRT2) < 1e-9);
    assert.equal(noise.measured['degrees of freedom'], 6);
    // One run's std s = 0.014142 on 6 degrees of freedom: t(0.975; 6) = 2.4469119.
    // Width: means of two runs differ by 0.075; standard error s·√(1/2 + 1/2) = 0.014142, half-width 0.034604:
    // 95 % interval +0.040 to +0.110 excludes zero, so it differs, in the paper's direction.
    assert.equal(byId.get('width')!.verdict!.decision, 'differs');
    assert.match(byId.get('width')!.verdict!.label, /^differs \(95 % interval \+0\.040 to \+0\.110\)$/);
    assert.equal(byId.get('width')!.agrees, true);
    assert.match(byId.get('width')!.text, /Accuracy falls as the network thins, as in the paper/);
    // Single runs: standard error s·√2 = 0.02, half-width 0.048938. Resolution +0.036, full convolutions +0.005 and
    // thin over shallow +0.025 have intervals that contain zero: undecided, and no sentence of theirs states a direction.
    for (const id of ['resolution', 'separable', 'thinShallow']) {
      assert.equal(byId.get(id)!.verdict!.decision, 'undecided', id);
      assert.equal(byId.get(id)!.agrees, null, id);
    }
    // Linear over ReLU6 +0.05: +0.001 to +0.099 excludes zero.
    assert.match(byId.get('linearBottleneck')!.verdict!.label, /^differs \(95 % interval \+0\.001 to \+0\.099\)$/);
    // h-swish over ReLU +0.06: +0.011 to +0.109, with the paper; squeeze-and-excite +0.01 is undecided.
    assert.match(byId.get('hardSwish')!.verdict!.label, /^differs \(95 % interval \+0\.011 to \+0\.109\)$/);
    assert.equal(byId.get('hardSwish')!.agrees, true);
    assert.match(byId.get('hardSwish')!.text, /h-swish helps here too\.$/);
    assert.equal(byId.get('squeezeExcite')!.verdict!.decision, 'undecided');
    assert.match(byId.get('squeezeExcite')!.text, /without it widened to α = [0-9.]+ .*: \+0\.010, undecided at this budget .* This budget cannot decide it\.$/);
    assert.match(byId.get('thinShallow')!.text, /^thinner over shallower: \+0\.025, undecided at this budget .* This budget cannot decide it\.$/);
    assert.doesNotMatch(byId.get('resolution')!.text, /cost accuracy|did \*better\*/);
    for (const f of findings) assert.doesNotMatch(f.text, /NaN|undefined/, f.id);
  });

  it('reads its tables and prose from the runs', async () => {
    const result = await syntheticResult();
    const [grid] = tablesOf(mobilenet.gridSection(result));
    assert.equal(grid.rows.length, 16);
    // α = 0.25 at 10, 14, 20, 28 px: 0.7 + 0.025 + 0.01 - 0.002 x (18, 14, 8, 0).
    assert.deepEqual(columnOf(grid, 'test accuracy').slice(0, 4), ['0.699', '0.707', '0.719', '0.735']);
    const seeds = mobilenet.seedSection(result);
    assert.match(proseOf(seeds), /pooled over 6 configurations repeated over seeds \(these widths and the headline claims' arms; 6 degrees of freedom\), is 0\.014\./);
    assert.match(proseOf(mobilenet.familiesSection(result)), /Linear bottleneck: 0\.810; with a ReLU6 after the projection: 0\.760; linear over ReLU6: \+0\.050, differs \(95 % interval \+0\.001 to \+0\.099\)/);
    // Synthetic records all have 900 trainable parameters: the ratios are 1.0.
    assert.match(proseOf(mobilenet.familiesSection(result)), /V2 carries 1\.0× and V3-Small 1\.0× V1's 900 parameters/);
    const v3 = mobilenet.v3PartsSection(result);
    assert.deepEqual(columnOf(tablesOf(v3)[0], 'test accuracy'), ['0.780', '0.720', '0.770']);
    // The share is computed from the built network at the paper run's width against the record's (synthetic) MACs: only its form is checked here.
    assert.match(proseOf(v3), /h-swish over ReLU: \+0\.060, differs \(95 % interval \+0\.011 to \+0\.109\); .* Squeeze-and-excite is -?\d+ % of the multiply-adds at 28 px; widened to α = [0-9.]+ without it, the network holds 1\.00× the parameters; with it over without: \+0\.010, undecided/);
    // Seven comparisons have a verdict (width, resolution, separable, thin/shallow, linear, h-swish, squeeze-and-excite):
    // three differ. Holm over seven: width's p (t = 0.075 / 0.014142 = 5.30 on 6 degrees of freedom, p ≈ 0.002) is below
    // 0.05 / 7; h-swish's (t = 0.06 / 0.02 = 3.0, p ≈ 0.024) is not below 0.05 / 6, so one of the three survives.
    assert.match(proseOf(mobilenet.findingsSection(result)), /Of the 7 comparisons above, 3 differ, 0 are equivalent within their margin, 4 undecided\. .* Holm's correction over all 7 keeps 1 of the 3 "differs"/);
    const decided = mobilenet.findingsSection(result).find(i => i.kind === 'headline' && i.headline.label === 'Comparisons decided');
    assert.ok(decided && decided.kind === 'headline');
    assert.equal(decided.headline.text, '3 of 7 on the quick budget: 3 differ (1 after Holm\'s correction), 0 equivalent within their margin, 4 undecided');
    const findings = mobilenet.findingsSection(result);
    const time = findings.find(i => i.kind === 'findings');
    assert.ok(time && time.kind === 'findings');
    const estimate = time.findings.find(f => f.id === 'time')!;
    // Full budget: every run at 600,000 images (60,000 x 10 epochs) at the measured 400 img/s.
    const fullRuns = expandPlan(mobilenet.plan('full'), 'wasm').runs.length;
    assert.ok(Math.abs(estimate.measured['estimated hours'] - fullRuns * 600000 / 400 / 3600) < 1e-9);
  });

  it('says which paper numbers are off by more than rounding, from the comparison rows', () => {
    const prose = proseOf(mobilenet.paperTablesSection());
    assert.match(prose, /^\d+ of \d+ numbers agree with the paper to its printed precision/);
    assert.match(prose, /Not explained by rounding: mobilenet_v1_conv_1\.0_224 Mult-Adds/);
  });

  it('shows how the paper printed its Mult-Adds by its own rows: 568.74M rounded to 569, 290.68M truncated to 290', () => {
    const prose = proseOf(mobilenet.paperTablesSection());
    assert.match(prose, /Printed Mult-Adds: 568\.74M as 569M \(rounded\), 290\.68M as 290M \(truncated\)\./);
    // On hand-made rows: 10.6M printed 11 is rounded, 20.7M printed 20 truncated; 30.2M (fraction under .5) and a recount are neither.
    const row = (ours: number, published: number, source = `${mobilenet.PAPER}, Table 6`) => ({
      variant: 'v', measure: 'macs' as const, published, ours, difference: ours - published, tolerance: 1e6,
      withinTolerance: Math.abs(ours - published) <= 1e6, source});
    assert.deepEqual(mobilenet.printedMacsExamples([row(30.2e6, 30e6), row(40.7e6, 40.7e6, 'a recount'), row(20.7e6, 20e6), row(10.6e6, 11e6)]),
        {rounded: '10.60M as 11M', truncated: '20.70M as 20M'});
    assert.deepEqual(mobilenet.printedMacsExamples([row(30.2e6, 30e6)]), {rounded: undefined, truncated: undefined});
  });

  it('names Table 2\'s 1.19 % as an erratum: the built network\'s first 3 × 3 convolution is 1.91 %, the same digits transposed', () => {
    const e = mobilenet.table2Erratum();
    // The first layer: 112 × 112 outputs × 3 × 3 × 3 × 32 = 10,838,016 of the 568,740,352 multiply-adds, 1.9056 %.
    assert.ok(Math.abs(e.oursPct - 100 * 10_838_016 / 568_740_352) < 1e-9, `${e.oursPct}`);
    assert.equal(e.printedPct, 1.19);
    // Printed: 94.86 + 3.06 + 1.19 + 0.18 = 99.29; with 1.9056 in its place, 100.0056.
    assert.ok(Math.abs(e.printedSum - 99.29) < 1e-9 && Math.abs(e.withOursSum - 100.0056) < 1e-4, `${e.printedSum} ${e.withOursSum}`);
    assert.match(erratumText(e), /carries 1\.19 % of the Mult-Adds\. Computed from the built layers: 1\.91 % .*: the same digits, transposed\.$/);
    assert.match(proseOf(mobilenet.paperV1Section()), /\*\*Erratum\*\* \(MobileNet's Table 2\)/);
    assert.equal(transposed('1.19', '1.91'), true);
    assert.equal(transposed('1.19', '1.19'), false);
    assert.equal(transposed('1.19', '1.92'), false);
  });

  it('separableLayerSection() builds any one layer both ways: its cost follows DK²MN·DF² against DK²M·DF² + MN·DF²', () => {
    // The raw cells: [layer, Mult-Adds, weights].
    const column = (items: ReturnType<typeof mobilenet.separableLayerSection>, i: number) => tablesOf(items)[0].rows.map(r => r[i]);
    const cost = (items: ReturnType<typeof mobilenet.separableLayerSection>) => column(items, 1);
    // Default: Table 3's layer, 3 × 3, 512 → 512 on 14 × 14: 9·512·512·196 = 462,422,016 against 9·512·196 + 512·512·196 = 52,283,392.
    assert.deepEqual(cost(mobilenet.separableLayerSection()), [462_422_016, 52_283_392]);
    // 5 × 5, 32 → 32 on 10 × 10: 25·32·32·100 = 2,560,000 against 25·32·100 + 32·32·100 = 182,400; ratio 14.04, and 1/32 + 1/25 = 0.0713.
    const five = mobilenet.separableLayerSection({kernel: 5, channels: 32, size: 10});
    assert.deepEqual(cost(five), [2_560_000, 182_400]);
    assert.deepEqual(column(five, 2), [25_600, 1_824]);
    assert.match(proseOf(five), /1\/N \+ 1\/DK² = 1\/32 \+ 1\/25 = 0\.0713, i\.e\. \*\*14\.04× fewer\*\* multiply-adds; the built layers give 14\.04×\./);
    // 32 → 64 on 7 × 7: 9·32·64·49 = 903,168 against 9·32·49 + 32·64·49 = 114,464; the ratio uses N = 64.
    const wider = mobilenet.separableLayerSection({kernel: 3, channels: 32, outputs: 64, size: 7});
    assert.deepEqual(cost(wider), [903_168, 114_464]);
    assert.match(proseOf(wider), /1\/64 \+ 1\/9 = 0\.1267, i\.e\. \*\*7\.89× fewer\*\*.*give 7\.89×/);
  });

  it('table3Rows() rebuilds Table 3 from built layers within its printed precision', () => {
    for (const row of mobilenet.table3Rows()) {
      assert.ok(Math.abs(row.macs / 1e6 - row.paperMacsM) < 0.5 && Math.abs(row.weightParams / 1e6 - row.paperParamsM) < 0.005,
          `${row.label}: ${row.macs} / ${row.weightParams}`);
    }
  });

  it('states no direction and no agreement for a comparison it cannot decide (every run alike but for seed noise)', async () => {
    const findings = mobilenet.findings(await syntheticResult(flat));
    assert.ok(findings.some(f => f.verdict?.decision === 'undecided'), 'the flat runs leave comparisons undecided');
    assertNoDirectionWithoutDecision(findings);
  });

  it('names the MobileNet notes\' "2.5× fewer parameters than GoogLeNet" as an erratum: built, it is about 1.7×', () => {
    const e = mobilenet.googLeNetErratum();
    // GoogLeNet as the paper builds it holds about 6.98M conv and dense weights, MobileNet 1.0-224 about 4.23M: 1.65×.
    // Multiply-adds: 1.50 G against 569 M, 2.6×: the computation claim holds, the parameter claim does not.
    assert.ok(e.paramsRatio > 1.5 && e.paramsRatio < 1.8, `parameters ${e.paramsRatio}`);
    assert.ok(e.macsRatio > 2.5 && e.macsRatio < 2.8, `multiply-adds ${e.macsRatio}`);
    assert.match(proseOf(mobilenet.paperTablesSection()), /\*\*Erratum\*\* \(the notes on MobileNet\)/);
  });

  it('counts MobileNet v1\'s 28 layers as the paper does: 1 full + 13 depthwise + 13 pointwise + 1 fully connected', () => {
    assert.deepEqual(mobilenet.mobileNetDepth(), {full: 1, depthwise: 13, pointwise: 13, classifier: 1, depth: 28});
  });

  it('recomputes MobileNet against VGG-16, AlexNet and SqueezeNet from networks built at paper scale: 32x, 27x, 9.4x, and 11x not 22x', () => {
    const [vgg, alexnet, squeezeNet] = mobilenet.referenceComparisonRows();
    // VGG-16 138.36M / 15.47G (torchvision) against MobileNet 1.0-224's 4.21M / 568.7M: 32.9x and 27.2x.
    assert.ok(Math.abs(vgg.paramsRatio - 32.9) < 0.1 && Math.abs(vgg.macsRatio - 27.2) < 0.1, `${vgg.paramsRatio} ${vgg.macsRatio}`);
    // AlexNet (torchvision, 714M MACs) against 0.50 MobileNet-160's 76.5M: 9.3x, the paper's 720/76 = 9.5x.
    assert.ok(Math.abs(alexnet.macsRatio - 9.3) < 0.1, `${alexnet.macsRatio}`);
    // SqueezeNet 1.0 built: 1,248,424 parameters and 818.9M MACs (torchvision's 0.819 GFLOPs) against 76.5M: 10.7x, where the
    // paper's 1,700M gives 22.4x. Weights as both count them: 1,248,424 against 1,320,648, so SqueezeNet is the smaller.
    assert.ok(Math.abs(squeezeNet.macsRatio - 10.7) < 0.05, `${squeezeNet.macsRatio}`);
    assert.ok(Math.abs(squeezeNet.paperMacsRatio - 22.4) < 0.05);
    const erratum = mobilenet.squeezeNetErratum();
    assert.match(erratumText(erratum), /needs 10\.7× less/);
    assert.ok(erratum.paramsRatio < 1, 'SqueezeNet has fewer weights');
  });
});
