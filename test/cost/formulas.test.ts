/**
 * The papers' arithmetic (lib/cost/formulas.ts) against the same layers
 * built in TF.js and costed by the rules, and against the numbers the seed
 * texts and papers print.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {costOf} from '../../lib/cost';
import * as f from '../../lib/cost/formulas';
import {TABLE_2, TABLE_3, buildMobileNetV1} from '../../lib/models/mobilenet-v1';
import {applyTo} from '../../lib/layers/apply';

/** Cost of the layers `build` stacks on an input of `shape` (batch axis omitted). */
function costOfLayers(shape: number[], build: (x: tf.SymbolicTensor) => tf.SymbolicTensor) {
  const input = tf.input({shape});
  const model = tf.model({inputs: input, outputs: build(input)});
  const {totals} = costOf(model);
  model.dispose();
  return totals;
}
const conv = (filters: number, kernelSize: number | [number, number], strides = 1) =>
    (x: tf.SymbolicTensor) => applyTo(tf.layers.conv2d({filters, kernelSize, strides, padding: 'same', useBias: false}), x);
const depthwise = (kernelSize: number) =>
    (x: tf.SymbolicTensor) => applyTo(tf.layers.depthwiseConv2d({kernelSize, padding: 'same', useBias: false}), x);

describe('cost formulas agree with layers built in TF.js', () => {
  afterEach(() => tf.disposeVariables());

  it('standard conv DK·DK·M·N·DF·DF and MobileNet Table 3, row 1 (462M, 2.36M)', () => {
    const t = costOfLayers([14, 14, 512], conv(512, 3));
    assert.equal(t.macs, f.standardConvMacs(3, 512, 512, 14));
    assert.equal(t.weightParams, f.convWeights(3, 3, 512, 512));
    assert.ok(Math.abs(t.macs / 1e6 - TABLE_3.rows[0].macsM) < 0.5);
    assert.ok(Math.abs(t.weightParams / 1e6 - TABLE_3.rows[0].paramsM) < 0.005);
  });

  it('depthwise separable and its reduction 1/N + 1/DK² (Table 3, rows 2-4)', () => {
    for (const row of TABLE_3.rows.slice(1)) {
      const channels = TABLE_3.channels * row.alpha;
      const t = costOfLayers([row.size, row.size, channels], x => conv(channels, 1)(depthwise(3)(x)));
      assert.equal(t.macs, f.scaledSeparableMacs(3, 512, 512, 14, row.alpha, row.size / 14));
      assert.equal(t.weightParams, f.separableWeights(3, channels, channels));
      assert.ok(Math.abs(t.macs / 1e6 - row.macsM) < 0.05, `${row.label}: ${t.macs}`);
      assert.ok(Math.abs(t.weightParams / 1e6 - row.paramsM) < 0.005, `${row.label}: ${t.weightParams}`);
    }
    const full = f.standardConvMacs(3, 512, 512, 14);
    assert.ok(Math.abs(f.separableMacs(3, 512, 512, 14) / full - f.separableRatio(3, 512)) < 1e-12);
    // "8 to 9 times less computation" for 3x3 (§3.1).
    const saving = 1 / f.separableRatio(3, 512);
    assert.ok(saving > 8 && saving < 9, `saving ${saving}`);
  });

  it('a 1x1 reduction before a 5x5: 819,200 weights, 204,800 for the 5x5 after 32 1x1 filters', () => {
    const direct = costOfLayers([100, 100, 128], conv(256, 5));
    assert.equal(direct.weightParams, 819_200);
    const reduced = costOfLayers([100, 100, 128], x => conv(256, 5)(conv(32, 1)(x)));
    assert.equal(reduced.weightParams, f.reducedConvWeights(5, 128, 32, 256));
    assert.equal(reduced.weightParams - f.convWeights(1, 1, 128, 32), 204_800);
  });

  it('the bottleneck 256 -> 64 -> 256: 69,632 weights against 589,824 for one 3x3', () => {
    const t = costOfLayers([28, 28, 256], x => conv(256, 1)(conv(64, 3)(conv(64, 1)(x))));
    assert.equal(t.weightParams, f.bottleneckWeights(256, 64));
    assert.equal(t.weightParams, 69_632);
    assert.equal(costOfLayers([28, 28, 256], conv(256, 3)).weightParams, 589_824);
  });

  it('5x5 against two 3x3: 25/9 = 2.78x, a 28 % saving', () => {
    const five = costOfLayers([17, 17, 64], conv(64, 5));
    const twoThree = costOfLayers([17, 17, 64], x => conv(64, 3)(conv(64, 3)(x)));
    assert.equal(twoThree.macs / five.macs, f.twoThreeByThreeOverFiveByFive());
    assert.equal((25 / 9).toFixed(2), '2.78');
    assert.equal(Math.round(100 * (1 - f.twoThreeByThreeOverFiveByFive())), 28);
  });

  it('n x n against 1 x n + n x 1: 33 % cheaper for 3x3; two 2x2 only 11 %', () => {
    const square = costOfLayers([17, 17, 64], conv(64, 3));
    const asym = costOfLayers([17, 17, 64], x => conv(64, [3, 1])(conv(64, [1, 3])(x)));
    assert.equal(asym.macs / square.macs, f.asymmetricOverSquare(3));
    assert.equal(Math.round(100 * (1 - f.asymmetricOverSquare(3))), 33);
    const twoByTwo = costOfLayers([17, 17, 64], x => conv(64, 2)(conv(64, 2)(x)));
    assert.equal(twoByTwo.macs / square.macs, f.twoTwoByTwoOverThreeByThree());
    assert.equal(Math.round(100 * (1 - f.twoTwoByTwoOverThreeByThree())), 11);
  });

  it('grid reduction: conv-then-pool 2d²k² against pool-then-conv 2(d/2)²k²', () => {
    const [d, k] = [34, 32];
    // A k -> 2k 3x3 conv at d x d (per tap), then at d/2 x d/2.
    const before = costOfLayers([d, d, k], conv(2 * k, 1)).macs;
    const after = costOfLayers([d / 2, d / 2, k], conv(2 * k, 1)).macs;
    assert.equal(before, f.gridReductionConvThenPool(d, k));
    assert.equal(after, f.gridReductionPoolThenConv(d, k));
    assert.equal(before / after, 4);
  });

  it('group convolution keeps 1/G of the weights; CondenseNet keeps 1/C', () => {
    assert.equal(f.groupConvWeights(3, 64, 128, 4) * 4, f.convWeights(3, 3, 64, 128));
    assert.equal(f.condensedWeights(64, 128, 4) * 4, f.convWeights(1, 1, 64, 128));
    assert.throws(() => f.groupConvWeights(3, 30, 64, 4), /do not divide into 4 groups/);
  });

  it('alpha² and rho² scaling of MobileNet v1 (eq. 6, 7), layer type by layer type', () => {
    const costAt = (width: number, resolution: number) => {
      const model = buildMobileNetV1({width, resolution});
      const cost = costOf(model);
      model.dispose();
      return cost;
    };
    const kindMacs = (cost: ReturnType<typeof costAt>, kind: string) => cost.byKind.find(k => k.kind === kind)!.macs;
    const base = costAt(1, 224);
    for (const alpha of [0.75, 0.5, 0.25]) {
      const scaled = costAt(alpha, 224);
      // These alphas leave every width a whole number, so no rounding: the
      // 1x1 convolutions scale exactly by alpha², the depthwise ones by alpha.
      assert.equal(kindMacs(scaled, 'conv1x1') / kindMacs(base, 'conv1x1'), alpha ** 2);
      assert.equal(kindMacs(scaled, 'depthwise') / kindMacs(base, 'depthwise'), alpha);
      // In total "roughly alpha²": between alpha² and alpha.
      const ratio = scaled.totals.macs / base.totals.macs;
      assert.ok(ratio >= alpha ** 2 && ratio < alpha, `alpha ${alpha}: ratio ${ratio}`);
    }
    for (const resolution of [192, 160, 128]) {
      const scaled = costAt(1, resolution);
      const rho = resolution / 224;
      // Every map is resolution/32 times a power of two here, so convolutions
      // scale by exactly rho²; only the classifier (0.18 %) does not.
      for (const kind of ['conv1x1', 'depthwise', 'conv3x3']) {
        assert.ok(Math.abs(kindMacs(scaled, kind) / kindMacs(base, kind) - rho ** 2) < 1e-12, `${kind} at rho ${rho}`);
      }
      assert.equal(scaled.totals.weightParams, base.totals.weightParams, 'parameters do not depend on rho');
    }
  });

  it('MobileNet v1 Table 2: shares by layer type, with the 1.91 % cell', () => {
    const model = buildMobileNetV1();
    const {byKind} = costOf(model);
    model.dispose();
    for (const row of TABLE_2.rows) {
      const ours = byKind.find(k => k.kind === row.kind)!;
      const macsPct = 'typo' in row ? row.typo.macsPct : row.macsPct;
      assert.equal((100 * ours.macsShare).toFixed(2), macsPct.toFixed(2), row.label);
      // Parameters: the paper's column rounds the 1x1 share to 74.59 where the
      // layers give 74.57 (the FC bias, 1,000 weights, moves it).
      assert.ok(Math.abs(100 * ours.weightParamsShare - row.paramsPct) < 0.03, `${row.label}: ${ours.weightParamsShare}`);
    }
  });
});
