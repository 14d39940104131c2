/**
 * The lab-scale Inception network's switches build what they say: kernel
 * shapes of each factorisation, the activation between factors, the grid
 * reductions' shapes and costs, batch norm and sigmoid, residual modules.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {costOf} from '../../lib/cost';
import {networkCost} from '../../lib/models/costs';
import {buildInceptionLab} from '../../lib/models/inception-lab';

const kernelShapes = (model: tf.LayersModel, pattern: RegExp) => model.layers.filter(l => pattern.test(l.name) && l.getClassName() === 'Conv2D')
    .map(l => (l.getWeights()[0].shape.slice(0, 2)).join('x'));

describe('inception_lab', () => {
  it('builds the widest branch as a 5x5, two 3x3, or 1x3 then 3x1 twice', () => {
    const shapes = (kernels: '5x5' | '3x3-3x3' | '1x3-3x1') => {
      const model = buildInceptionLab({kernels, width: 0.5});
      try {
        return kernelShapes(model, /^stage1_module1_wide_/);
      } finally {
        model.dispose();
      }
    };
    assert.deepEqual(shapes('5x5'), ['1x1', '5x5']);
    assert.deepEqual(shapes('3x3-3x3'), ['1x1', '3x3', '3x3']);
    assert.deepEqual(shapes('1x3-3x1'), ['1x1', '1x3', '3x1', '1x3', '3x1']);
  });

  it("wideReduction 'full' keeps the widest branch one width throughout: two 3x3 then cost 18/25 of the 5x5", () => {
    const wide = (kernels: '5x5' | '3x3-3x3', wideReduction: 'half' | 'full') =>
        networkCost('inception_lab', {kernels, wideReduction, width: 0.5}).layers.filter(l => /^stage1_module1_wide_.*conv$/.test(l.name));
    // Stage 1 at width 0.5: modules of 32 channels, branches of 8, the half-width reduction 4.
    assert.deepEqual(wide('5x5', 'half').map(l => l.outputShape[2]), [4, 8]);
    assert.deepEqual(wide('5x5', 'full').map(l => l.outputShape[2]), [8, 8]);
    const replaced = (kernels: '5x5' | '3x3-3x3') => wide(kernels, 'full').slice(1).reduce((n, l) => n + l.macs, 0);
    assert.equal(replaced('3x3-3x3') / replaced('5x5'), 18 / 25);
    assert.throws(() => buildInceptionLab({wideReduction: 'quarter' as never}), /inception_lab: wideReduction must be one of half, full, got 'quarter'/);
  });

  it('puts the network\'s activation, or none, between the factors', () => {
    const activations = (between: 'activation' | 'linear') => {
      const model = buildInceptionLab({kernels: '3x3-3x3', between, width: 0.5});
      try {
        return model.layers.filter(l => /^stage1_module1_wide_3x3a_act$/.test(l.name)).length;
      } finally {
        model.dispose();
      }
    };
    assert.equal(activations('activation'), 1);
    assert.equal(activations('linear'), 0);
  });

  it('halves the grid three ways; a module before the pool costs the most, after it the least', () => {
    const macs = new Map<string, number>();
    for (const reduction of ['conv-pool', 'pool-conv', 'parallel'] as const) {
      const model = buildInceptionLab({reduction, width: 0.5});
      const grid = (name: string) => model.getLayer(name).outputShape.slice(1, 3);
      assert.deepEqual(grid('stage1_module2_concat'), [14, 14]);
      assert.deepEqual(grid('stage2_module2_concat'), [7, 7]);
      assert.deepEqual(grid('stage3_module2_concat'), [4, 4]);
      macs.set(reduction, costOf(model).totals.macs);
      model.dispose();
    }
    assert.ok(macs.get('conv-pool')! > macs.get('parallel')! && macs.get('parallel')! > macs.get('pool-conv')!, JSON.stringify([...macs]));
  });

  it('drops batch norm (convolutions get biases), uses sigmoid, and adds scaled residuals where the width is kept', () => {
    const plain = buildInceptionLab({batchNorm: false, act: 'sigmoid', width: 0.5});
    assert.equal(plain.layers.filter(l => l.getClassName() === 'BatchNormalization').length, 0);
    assert.ok(plain.layers.filter(l => l.getClassName() === 'Conv2D').every(l => l.getWeights().length === 2));
    assert.ok(plain.layers.some(l => l.getClassName() === 'Activation' && /sigmoid/.test(JSON.stringify(l.getConfig()))));
    plain.dispose();
    const residual = buildInceptionLab({residual: true, residualScale: 0.2, width: 0.5});
    const adds = residual.layers.filter(l => l.name.endsWith('_add'));
    // Every module after a stage's first keeps its width: two per stage.
    assert.equal(adds.length, 6);
    assert.ok(adds.every(l => (l.getConfig() as {scale: number}).scale === 0.2));
    residual.dispose();
  });

  it('refuses options it does not know, naming them', () => {
    assert.throws(() => buildInceptionLab({kernels: '7x7' as never}), /inception_lab: kernels must be one of 5x5, 3x3-3x3, 1x3-3x1, got '7x7'/);
    assert.throws(() => buildInceptionLab({reduction: 'stride' as never}), /reduction must be one of conv-pool, pool-conv, parallel/);
    assert.throws(() => buildInceptionLab({residualScale: 0}), /residualScale/);
  });
});
