/**
 * MobileNet v1's structure beyond its totals (published.test.ts checks
 * those): Table 1's layers and grids, the lab-scale options (depth,
 * stemStride), Conv and Shallow MobileNet, the width rounding and the errors.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {BODY, buildMobileNetV1} from '../../lib/models/mobilenet-v1';
import {classCounts, configOf, layerNames, paramsOf, shapeAt} from '../helpers/graphs';

describe('MobileNet v1 (Howard et al. 2017)', () => {
  afterEach(() => tf.disposeVariables());

  describe('the paper network, 1.0-224', () => {
    let model: tf.LayersModel;
    before(() => { model = buildMobileNetV1(); });
    after(() => model.dispose());

    it('has 28 layers counting depthwise and pointwise separately (§3.2): 1 conv + 13 x 2 + 1 FC', () => {
      const counts = classCounts(model);
      assert.equal(counts['Conv2D'], 1 + 13);
      assert.equal(counts['DepthwiseConv2D'], 13);
      assert.equal(counts['Dense'], 1);
      assert.equal(counts['Conv2D'] + counts['DepthwiseConv2D'] + counts['Dense'], 28);
    });

    it("follows Table 1's grids: 112x112x32 after the stem, 56, 28, 14 and 7 at the strided rows", () => {
      assert.deepEqual(shapeAt(model, 'stem_act'), [null, 112, 112, 32]);
      assert.deepEqual(shapeAt(model, 'block2_pw_act'), [null, 56, 56, 128]);
      assert.deepEqual(shapeAt(model, 'block4_pw_act'), [null, 28, 28, 256]);
      assert.deepEqual(shapeAt(model, 'block6_pw_act'), [null, 14, 14, 512]);
      assert.deepEqual(shapeAt(model, 'block12_pw_act'), [null, 7, 7, 1024]);
      // Table 1 prints s2 for the last separable layer; it runs at stride 1 on the 7x7 grid.
      assert.deepEqual(shapeAt(model, 'block13_pw_act'), [null, 7, 7, 1024]);
    });
  });

  it("Conv MobileNet (Table 4) has no depthwise layer: fourteen full 3x3 convolutions", () => {
    const model = buildMobileNetV1({convolution: 'full', resolution: 32, classes: 10});
    const counts = classCounts(model);
    assert.equal(counts['DepthwiseConv2D'], undefined);
    assert.equal(counts['Conv2D'], 14);
    assert.deepEqual(configOf(model, 'block13_conv', 'kernelSize'), [3, 3]);
    model.dispose();
  });

  it('Shallow MobileNet (Table 5) drops the five 14x14x512 layers: 8 separable layers remain', () => {
    const model = buildMobileNetV1({shallow: true, resolution: 64, classes: 10});
    assert.equal(classCounts(model)['DepthwiseConv2D'], 13 - 5);
    assert.equal(BODY.filter(r => r.repeated512).length, 5);
    model.dispose();
  });

  it('lab scale: stemStride 1 and depth 5 keep 28 px at the stem and reach 7x7x256', () => {
    const model = buildMobileNetV1({resolution: 28, channels: 1, classes: 10, stemStride: 1, depth: 5});
    assert.deepEqual(shapeAt(model, 'stem_act'), [null, 28, 28, 32]);
    // Rows 1-5 have strides 1, 2, 1, 2, 1: 28 -> 14 -> 7.
    assert.deepEqual(shapeAt(model, 'block5_pw_act'), [null, 7, 7, 256]);
    assert.equal(classCounts(model)['DepthwiseConv2D'], 5);
    assert.ok(!layerNames(model).includes('block6_dw_conv'));
    const strided = buildMobileNetV1({resolution: 28, channels: 1, classes: 10, stemStride: 2, depth: 5});
    assert.deepEqual(shapeAt(strided, 'stem_act'), [null, 14, 14, 32]);
    model.dispose();
    strided.dispose();
  });

  it('a small network counted by hand: width 0.25, depth 2, one input channel, 10 classes', () => {
    const model = buildMobileNetV1({resolution: 32, channels: 1, classes: 10, width: 0.25, stemStride: 1, depth: 2});
    // Channels: stem 32/4 = 8, block1 64/4 = 16, block2 128/4 = 32.
    const weights = 3 * 3 * 1 * 8        // stem
        + 3 * 3 * 8 + 8 * 16             // block1: depthwise, pointwise
        + 3 * 3 * 16 + 16 * 32           // block2
        + 32 * 10 + 10;                  // logits
    const bnChannels = 8 + 8 + 16 + 16 + 32;
    assert.deepEqual(paramsOf(model), {total: weights + 4 * bnChannels, trainable: weights + 2 * bnChannels});
    model.dispose();
  });

  it("rounds widths TF-slim's way: int(c * alpha), at least 8", () => {
    const model = buildMobileNetV1({resolution: 32, classes: 10, width: 0.3, stemStride: 1, depth: 2});
    // Stem int(32 * 0.3) = int(9.6) = 9, not 10 or 16; block1 int(19.2) = 19; block2 int(38.4) = 38.
    assert.equal(configOf(model, 'stem_conv', 'filters'), 9);
    assert.equal(configOf(model, 'block1_pw_conv', 'filters'), 19);
    assert.equal(configOf(model, 'block2_pw_conv', 'filters'), 38);
    model.dispose();
    const narrow = buildMobileNetV1({resolution: 32, classes: 10, width: 0.2, stemStride: 1, depth: 1});
    // int(32 * 0.2) = 6, raised to 8.
    assert.equal(configOf(narrow, 'stem_conv', 'filters'), 8);
    narrow.dispose();
  });

  it('refuses options outside what the paper and the lab define, naming the value', () => {
    assert.throws(() => buildMobileNetV1({stemStride: 3}), /mobilenet_v1: stemStride must be 1 or 2, got 3/);
    assert.throws(() => buildMobileNetV1({depth: 14}), /mobilenet_v1: depth must be a whole number in \[1, 13\], got 14/);
    assert.throws(() => buildMobileNetV1({convolution: 'grouped' as 'full'}), /convolution must be 'separable' or 'full', got 'grouped'/);
    assert.throws(() => buildMobileNetV1({width: 0}), /mobilenet_v1: width multiplier must be in \(0, 4\], got 0/);
    // Five stride-2 steps need 2^4 + 1 = 17 px to leave one pixel.
    assert.throws(() => buildMobileNetV1({resolution: 16}), /resolution must be a whole number of pixels in \[17, 1024\].*got 16/);
  });
});
