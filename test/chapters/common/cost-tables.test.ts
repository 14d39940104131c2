/** The per-layer cost table the chapters share, on a built network. */
import {strict as assert} from 'node:assert';

import {layerCostTable} from '../../../lib/chapters/common/cost-tables';
import {costOf} from '../../../lib/cost';
import {buildMobileNetV1} from '../../../lib/models';

describe('per-layer cost table', () => {
  const cost = costOf(buildMobileNetV1({resolution: 32, channels: 1, classes: 10, width: 0.25}));

  it('has one row per layer that computes, with its output shape, parameters and multiply-adds', () => {
    const item = layerCostTable(cost.layers, 'caption');
    assert.equal(item.kind, 'table');
    if (item.kind !== 'table') return;
    const computing = cost.layers.filter(l => l.macs > 0);
    assert.ok(computing.length < cost.layers.length, 'the network has layers that do not compute (activations, batch norm folded)');
    assert.deepEqual(item.table.headers, ['layer', 'kind', 'output', 'params', 'MACs']);
    assert.deepEqual(item.table.rows.map(r => r[0]), computing.map(l => l.name));
    assert.deepEqual(item.table.rows.map(r => r[3]), computing.map(l => l.params));
    assert.equal(item.table.rows.reduce((a, r) => a + (r[4] as number), 0), cost.totals.macs);
    assert.equal(item.table.rows[0][2], computing[0].outputShape.join(' × '));
  });

  it('speaks the paper\'s words where asked: weights only, "Mult-Adds"', () => {
    const item = layerCostTable(cost.layers, 'caption', {macs: 'Mult-Adds', weightsOnly: true});
    if (item.kind !== 'table') throw new Error('not a table');
    assert.deepEqual(item.table.headers, ['layer', 'kind', 'output', 'weights', 'Mult-Adds']);
    const computing = cost.layers.filter(l => l.macs > 0);
    assert.deepEqual(item.table.rows.map(r => r[3]), computing.map(l => l.weightParams));
  });
});
