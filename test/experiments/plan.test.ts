/** Plans: expansion into keyed runs, shared runs, shards. */
import {strict as assert} from 'node:assert';

import {configKey} from '../../lib/results';
import {DEFAULT_TRAINING, configOf, expandPlan, inShard, parseShard} from '../../lib/experiments';
import {TINY, tinyPlan} from './fixtures';

describe('chapter plans', () => {
  it('expands to configs with the budget\'s recipe, the lab\'s defaults elsewhere, keyed by their hash', () => {
    const expanded = expandPlan(tinyPlan(), 'wasm');
    const first = expanded.runs[0];
    assert.deepEqual(first.config, {
      ...DEFAULT_TRAINING, dataset: 'synthetic', limit: 64, testLimit: 32, epochs: 1, batch: 32,
      model: 'mobilenet_v1', options: {...TINY, width: 0.25}, seed: 1, backend: 'wasm',
    });
    assert.equal(first.key, configKey(first.config));
    assert.notEqual(expandPlan(tinyPlan(), 'cpu').runs[0].key, first.key, 'the engine is part of the key');
  });

  it('trains a run two groups share once, and each group still reads it', () => {
    const expanded = expandPlan(tinyPlan(), 'wasm');
    // 4 widths + 2 seeds, of which seed 1 at width 0.25 is the widths group's first run.
    assert.equal(expanded.runs.length, 5);
    assert.deepEqual(expanded.runs[0].groups, ['widths', 'seeds']);
    assert.equal(expanded.groupKeys.get('seeds')![0], expanded.groupKeys.get('widths')![0]);
    assert.deepEqual(expanded.runs.map(r => r.index), [0, 1, 2, 3, 4]);
  });

  it('a spec may override the recipe for itself alone', () => {
    const spec = {model: 'mobilenet_v1', options: TINY, seed: 3, training: {epochs: 5}};
    assert.equal(configOf(spec, {epochs: 1, lr: 0.1}, 'wasm').epochs, 5);
    assert.equal(configOf(spec, {epochs: 1, lr: 0.1}, 'wasm').lr, 0.1);
  });

  it('refuses two groups with one name', () => {
    const plan = tinyPlan();
    plan.groups.push({...plan.groups[0]});
    assert.throws(() => expandPlan(plan, 'wasm'), /two plan groups are named 'widths'/);
  });

  it('shards split a plan\'s runs without overlap or gap, whatever is recorded when each starts', () => {
    const indices = [0, 1, 2, 3, 4, 5, 6];
    const parts = [1, 2, 3].map(index => indices.filter(i => inShard(i, {index, count: 3})));
    assert.deepEqual(parts, [[0, 3, 6], [1, 4], [2, 5]]);
    assert.deepEqual(parseShard('2/3'), {index: 2, count: 3});
    for (const bad of ['0/2', '3/2', '1', 'a/b', '1/0']) assert.throws(() => parseShard(bad, '--shard'), /--shard must be i\/n/);
  });
});
