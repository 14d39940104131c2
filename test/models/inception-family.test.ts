/**
 * Structure of the Inception builders beyond their totals (which
 * published.test.ts checks): the widths their papers print per module, the
 * residual scaling of Inception-ResNet, and the errors for bad options.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {costOf} from '../../lib/cost';
import {ScaledAdd} from '../../lib/layers';
import {BODY as BN_INCEPTION_BODY} from '../../lib/models/inception-v2';
import {buildInceptionResNetV2, buildInceptionV1, buildInceptionV2, buildInceptionV4} from '../../lib/models';

function outputShapeOf(model: tf.LayersModel, layerName: string): number[] {
  return model.getLayer(layerName).outputShape as number[];
}

describe('Inception v2 / BN-Inception (Ioffe & Szegedy 2015, Fig. 5)', () => {
  let model: tf.LayersModel;
  before(() => { model = buildInceptionV2(); });
  after(() => model.dispose());

  it('each module has the output size of Fig. 5', () => {
    // Fig. 5's "output size" column, module by module.
    const printed: Record<string, [number, number]> = {
      '3a': [28, 256], '3b': [28, 320], '3c': [14, 576], '4a': [14, 576], '4b': [14, 576], '4c': [14, 576],
      '4d': [14, 576], '4e': [7, 1024], '5a': [7, 1024], '5b': [7, 1024],
    };
    for (const row of BN_INCEPTION_BODY) {
      const [, h, w, c] = outputShapeOf(model, `inception${row.name}_concat`);
      assert.deepEqual([h, w, c], [printed[row.name][0], printed[row.name][0], printed[row.name][1]], row.name);
    }
  });

  it('has no 5x5 convolution: every 5x5 became two 3x3', () => {
    const kernels = model.layers.filter(l => l.getClassName() === 'Conv2D')
        .map(l => (l.getConfig()['kernelSize'] as number[]).join('x'));
    assert.ok(!kernels.includes('5x5'));
    assert.equal(kernels.filter(k => k === '3x3').length, 1 + 3 * BN_INCEPTION_BODY.length);
  });

  it('refuses a stem it does not know', () => {
    assert.throws(() => buildInceptionV2({stem: 'dilated' as 'conv'}), /stem must be 'conv' or 'separable', got 'dilated'/);
  });
});

describe('Inception-v4 and Inception-ResNet-v2 (Szegedy et al. 2016)', () => {
  it('Inception-v4 grids: 35x35x384 after the stem, 17x17x1024, 8x8x1536', () => {
    const model = buildInceptionV4();
    assert.deepEqual(outputShapeOf(model, 'mixed5a'), [null, 35, 35, 384]);
    assert.deepEqual(outputShapeOf(model, 'reductionA_concat'), [null, 17, 17, 1024]);
    assert.deepEqual(outputShapeOf(model, 'inceptionC3_concat'), [null, 8, 8, 1536]);
    model.dispose();
  });

  it('Inception-ResNet-v2 has 10 + 20 + 10 residual blocks scaled 0.17, 0.1, 0.2 (the last at 1, no ReLU)', () => {
    const model = buildInceptionResNetV2();
    const scales = model.layers.filter(l => l instanceof ScaledAdd).map(l => (l as ScaledAdd).scale);
    assert.deepEqual(scales, [...Array(10).fill(0.17), ...Array(20).fill(0.1), ...Array(9).fill(0.2), 1]);
    assert.throws(() => model.getLayer('block8_10_act'));
    assert.deepEqual(outputShapeOf(model, 'mixed7a'), [null, 8, 8, 2080]);
    model.dispose();
  });

  it('ScaledAdd computes shortcut + scale * residual and survives serialisation', () => {
    const layer = new ScaledAdd({scale: 0.17});
    const [a, b] = [tf.tensor([1, 2, 3]), tf.tensor([10, 20, 30])];
    const y = layer.apply([a, b]) as tf.Tensor;
    assert.deepEqual(Array.from(y.dataSync()).map(v => Math.round(v * 1000) / 1000), [2.7, 5.4, 8.1]);
    const copy = ScaledAdd.fromConfig(ScaledAdd, layer.getConfig()) as ScaledAdd;
    assert.equal(copy.scale, 0.17);
    assert.throws(() => new ScaledAdd({scale: NaN}), /scale must be a finite number, got NaN/);
    tf.dispose([a, b, y]);
  });

  it('bad options name the option, the value and what is accepted', () => {
    assert.throws(() => buildInceptionV4({width: 0.5}),
        /inception_v4: width must be 1 \(the paper defines no width multiplier\), got 0\.5; for a smaller network set blocks/);
    assert.throws(() => buildInceptionV1({width: 2}), /inception_v1: width must be 1 .*got 2; .*use inception_lab, which has a width option/);
    assert.throws(() => buildInceptionResNetV2({resolution: 64}), /inception_resnet_v2: resolution must be a whole number of pixels in \[75, 1024\].*got 64/);
    assert.throws(() => buildInceptionV4({classes: 0}), /classes must be a whole number in \[1, 100000\], got 0/);
  });

  it('lab scale from the same builders: fewer blocks, 1 channel, 10 classes', () => {
    const small = buildInceptionResNetV2({resolution: 96, channels: 1, classes: 10, blocks: [1, 2, 1]});
    assert.equal(small.layers.filter(l => l instanceof ScaledAdd).length, 4);
    assert.throws(() => small.getLayer('block8_1_act'));   // the only 8x8 block is the unscaled last one
    small.dispose();
    const v4 = buildInceptionV4({resolution: 96, channels: 1, classes: 10, blocks: [1, 1, 1]});
    assert.deepEqual(v4.outputs[0].shape, [null, 10]);
    v4.dispose();
    assert.throws(() => buildInceptionV4({blocks: [4, 7]}), /inception_v4: blocks must be 3 whole numbers in \[1, 100\].*got \[4,7\]/);
  });

  it('the smallest accepted input still builds (75 px leaves a 1x1 grid)', () => {
    for (const build of [buildInceptionV4, buildInceptionResNetV2]) {
      const model = build({resolution: 75, classes: 10, channels: 1});
      assert.deepEqual(model.outputs[0].shape, [null, 10]);
      model.dispose();
    }
  });
});

describe('GoogLeNet auxiliary classifiers (Szegedy et al. 2014, §5)', () => {
  it('sit on 4a and 4d and add exactly the layers §5 describes', () => {
    const plain = buildInceptionV1();
    const withAux = buildInceptionV1({auxHeads: true});
    assert.equal(withAux.outputs.length, 3);
    // Per head: 1x1 conv 512|528 -> 128 (+ BN), 4x4x128 -> 1024 FC, 1024 -> 1000 FC.
    const head = (c: number) => c * 128 + 4 * 128 + (4 * 4 * 128 * 1024 + 1024) + (1024 * 1000 + 1000);
    assert.equal(costOf(withAux).totals.params - costOf(plain).totals.params, head(512) + head(528));
    plain.dispose();
    withAux.dispose();
  });
});
