/**
 * MobileNetV2 and V3 structure beyond their totals (published.test.ts checks
 * those): where the residuals, expansions and squeeze-excites fall in
 * Table 2 (V2) and Tables 1-2 (V3), the width rules and the lab-scale options.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {buildMobileNetV2} from '../../lib/models/mobilenet-v2';
import {buildMobileNetV3} from '../../lib/models/mobilenet-v3';
import {classCounts, configOf, layerNames, shapeAt} from '../helpers/graphs';

describe('MobileNetV2 (Sandler et al. 2018)', () => {
  afterEach(() => tf.disposeVariables());

  describe('the paper network, 1.0-224', () => {
    let model: tf.LayersModel;
    before(() => { model = buildMobileNetV2(); });
    after(() => model.dispose());

    it('has 1 + 2 + 3 + 4 + 3 + 3 + 1 = 17 bottlenecks, all but the first expanding', () => {
      const counts = classCounts(model);
      assert.equal(counts['DepthwiseConv2D'], 17);
      assert.ok(!layerNames(model).includes('stage1_block1_expand_conv'));
      assert.equal(layerNames(model).filter(n => n.endsWith('_expand_conv')).length, 16);
    });

    it('adds a residual only where stride 1 keeps the width: 1 + 2 + 3 + 2 + 2 = 10 of them', () => {
      // Stage 1 (32 -> 16), the first block of every other stage and stage 7 (160 -> 320) have none.
      assert.equal(classCounts(model)['Add'], 10);
      assert.ok(layerNames(model).includes('stage2_block2_add'));
      assert.ok(!layerNames(model).includes('stage5_block1_add'));   // stride 1, but 64 -> 96
    });

    it("follows Table 2's grids down to 7x7x320, then the 1x1 head to 1280", () => {
      assert.deepEqual(shapeAt(model, 'stem_act'), [null, 112, 112, 32]);
      assert.deepEqual(shapeAt(model, 'stage2_block2_add'), [null, 56, 56, 24]);
      assert.deepEqual(shapeAt(model, 'stage4_block4_add'), [null, 14, 14, 64]);
      assert.deepEqual(shapeAt(model, 'stage7_block1_project_bn'), [null, 7, 7, 320]);
      assert.deepEqual(shapeAt(model, 'head_act'), [null, 7, 7, 1280]);
    });
  });

  it('width: make_divisible by 8, the head never below 1280 (§5.1)', () => {
    const narrow = buildMobileNetV2({width: 0.35, resolution: 32, classes: 10, stemStride: 1, stages: 2});
    // 32 * 0.35 = 11.2: nearest multiple 8 is below 0.9 * 11.2, so 16; 16 * 0.35 = 5.6 -> 8.
    assert.equal(configOf(narrow, 'stem_conv', 'filters'), 16);
    assert.equal(configOf(narrow, 'stage1_block1_project_conv', 'filters'), 8);
    assert.equal(configOf(narrow, 'head_conv', 'filters'), 1280);
    narrow.dispose();
    const wide = buildMobileNetV2({width: 1.4, resolution: 32, classes: 10, stemStride: 1, stages: 1});
    assert.equal(configOf(wide, 'head_conv', 'filters'), 1792);   // 1280 * 1.4, already a multiple of 8
    wide.dispose();
  });

  it('expansion and linearBottleneck: t = 4 widens 16 to 64; false puts ReLU6 after every projection', () => {
    const model = buildMobileNetV2({expansion: 4, linearBottleneck: false, resolution: 32, classes: 10, stemStride: 1, stages: 3});
    assert.equal(configOf(model, 'stage2_block1_expand_conv', 'filters'), 16 * 4);
    // Stage 1 keeps its t = 1: no expansion.
    assert.ok(!layerNames(model).includes('stage1_block1_expand_conv'));
    assert.equal(layerNames(model).filter(n => n.endsWith('_project_act')).length, 1 + 2 + 3);
    model.dispose();
  });

  it('lab scale: stemStride 1, four stages on 28 px end at 4x4x64', () => {
    const model = buildMobileNetV2({resolution: 28, channels: 1, classes: 10, stemStride: 1, stages: 4});
    // Stages 2-4 stride 2: 28 -> 14 -> 7 -> 4.
    assert.deepEqual(shapeAt(model, 'stage4_block4_add'), [null, 4, 4, 64]);
    model.dispose();
  });

  it('refuses an expansion or stage count out of range', () => {
    assert.throws(() => buildMobileNetV2({expansion: 0}), /mobilenet_v2: expansion must be a number in \[1, 12\], got 0/);
    assert.throws(() => buildMobileNetV2({stages: 8}), /mobilenet_v2: stages must be a whole number in \[1, 7\], got 8/);
  });
});

describe('MobileNetV3 (Howard et al. 2019)', () => {
  afterEach(() => tf.disposeVariables());

  it('Large: 15 bnecks, SE in 8 (Table 1), 10 residuals, h-swish from the 7th, 960 -> 1280 head', () => {
    const model = buildMobileNetV3({size: 'large'});
    const counts = classCounts(model);
    assert.equal(counts['DepthwiseConv2D'], 15);
    assert.equal(counts['Multiply'], 8);
    // Stride 1 at equal width: rows 1, 3, 5, 6, 8, 9, 10, 12, 14, 15.
    assert.equal(counts['Add'], 10);
    assert.equal(model.getLayer('block6_dw_act').getClassName(), 'ReLU');
    assert.equal(model.getLayer('block7_dw_act').getClassName(), 'HardSwish');
    // Row 1's expansion (16) equals its input (16): no expansion conv.
    assert.ok(!layerNames(model).includes('block1_expand_conv'));
    assert.deepEqual(shapeAt(model, 'block13_project_bn'), [null, 7, 7, 160]);
    assert.deepEqual(shapeAt(model, 'head_act'), [null, 7, 7, 960]);
    assert.equal(configOf(model, 'hidden', 'units'), 1280);
    model.dispose();
  });

  it('SE squeezes to make_divisible(expansion / 4): 72 -> 24 (18 rounds up), 120 -> 32', () => {
    const model = buildMobileNetV3({size: 'large', resolution: 32, classes: 10, stemStride: 1});
    assert.equal(configOf(model, 'block4_se_reduce', 'units'), 24);
    assert.equal(configOf(model, 'block5_se_reduce', 'units'), 32);
    model.dispose();
  });

  it('Small: 11 bnecks, SE in 9 (Table 2), 576 -> 1024 head, hidden width kept at width 0.5', () => {
    const model = buildMobileNetV3({size: 'small', width: 0.5, resolution: 32, classes: 10, stemStride: 1});
    const counts = classCounts(model);
    assert.equal(counts['DepthwiseConv2D'], 11);
    assert.equal(counts['Multiply'], 9);
    // 576 * 0.5 = 288 for the last conv; the hidden layer is not scaled below 1.
    assert.equal(configOf(model, 'head_conv', 'filters'), 288);
    assert.equal(configOf(model, 'hidden', 'units'), 1024);
    model.dispose();
  });

  it('hardSwish: false puts ReLU wherever h-swish was, at the same parameters; squeezeExcite: false drops exactly the SE layers', () => {
    const lab = {size: 'small', resolution: 28, channels: 1, classes: 10, stemStride: 1} as const;
    const paper = buildMobileNetV3(lab);
    const relu = buildMobileNetV3({...lab, hardSwish: false});
    const plain = buildMobileNetV3({...lab, squeezeExcite: false});
    assert.ok((classCounts(paper)['HardSwish'] ?? 0) > 0);
    assert.equal(classCounts(relu)['HardSwish'] ?? 0, 0);
    assert.equal(relu.getLayer('stem_act').getClassName(), 'ReLU');
    assert.equal(relu.getLayer('hidden_act').getClassName(), 'ReLU');
    assert.equal(relu.countParams(), paper.countParams());
    // SE's gate is a hard sigmoid in both: only the swish changes.
    assert.equal(classCounts(relu)['HardSigmoid'], classCounts(paper)['HardSigmoid']);
    assert.equal(classCounts(plain)['Multiply'] ?? 0, 0);
    const seParams = paper.layers.filter(l => /_se_(reduce|expand)$/.test(l.name)).reduce((n, l) => n + l.countParams(), 0);
    assert.ok(seParams > 0);
    assert.equal(plain.countParams(), paper.countParams() - seParams);
    for (const m of [paper, relu, plain]) m.dispose();
  });

  it('refuses a size it does not know', () => {
    assert.throws(() => buildMobileNetV3({size: 'medium' as 'large'}), /mobilenet_v3: size must be 'large' or 'small', got 'medium'/);
  });
});
