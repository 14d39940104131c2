/** Seeded initial weights: by name, so that two arms compared at one seed start their shared layers alike. */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../lib/engine';
import {buildInceptionLab} from '../../lib/models';
import {nameHash, seedWeights, weightSeed} from '../../lib/train/seed';

const LAB = {resolution: 28, channels: 1, classes: 10, stemStride: 2, modulesPerStage: 1, width: 0.5} as const;

/** Every kernel of a model by its name (without the `_1` a second build adds), as plain arrays. */
function kernels(model: tf.LayersModel): Map<string, number[]> {
  const named = new Map<string, number[]>();
  for (const weight of model.trainableWeights) {
    const name = (weight.originalName ?? weight.name).replace(/_\d+$/, '');
    if (/kernel$/.test(name)) named.set(name, Array.from(weight.read().dataSync()));
  }
  return named;
}

function seeded(options: Parameters<typeof buildInceptionLab>[0], seed: number): Map<string, number[]> {
  const model = buildInceptionLab(options);
  seedWeights(model, seed);
  const result = kernels(model);
  model.dispose();
  return result;
}

describe('seeded initial weights', function () {
  this.timeout(60_000);
  before(async () => { await initEngine('wasm'); });

  it('FNV-1a gives the published hashes of the empty string and "a"', () => {
    // The FNV-1a 32-bit test vectors: offset basis 0x811c9dc5 for "", 0xe40c292c for "a".
    assert.equal(nameHash(''), 0x811c9dc5);
    assert.equal(nameHash('a'), 0xe40c292c);
  });

  it('a weight\'s seed ignores the suffix of a second build and depends on the run\'s seed', () => {
    assert.equal(weightSeed(3, 'm1_b1_conv/kernel_1'), weightSeed(3, 'm1_b1_conv/kernel'));
    assert.notEqual(weightSeed(3, 'm1_b1_conv/kernel'), weightSeed(4, 'm1_b1_conv/kernel'));
    assert.ok(weightSeed(1e6, 'x/kernel') < 2 ** 31);
  });

  it('two arms at one seed share every layer they both have, even after the layers where they differ', () => {
    const fiveByFive = seeded({...LAB, kernels: '5x5'}, 1);
    const twoThrees = seeded({...LAB, kernels: '3x3-3x3'}, 1);
    const shared = [...fiveByFive.keys()].filter(name => twoThrees.has(name));
    const onlyOne = [...fiveByFive.keys()].filter(name => !twoThrees.has(name));
    assert.ok(onlyOne.length > 0, 'the 5x5 arm has kernels the other has not');
    // Shared layers come after the first differing one too (the later modules, the classifier): by position they would all differ.
    const names = [...fiveByFive.keys()];
    assert.ok(shared.some(name => names.indexOf(name) > names.indexOf(onlyOne[0])), 'a shared layer after the first difference');
    for (const name of shared) assert.deepEqual(fiveByFive.get(name), twoThrees.get(name), name);
  });

  it('another seed gives other weights, and the same seed the same', () => {
    const a = seeded(LAB, 1);
    const again = seeded(LAB, 1);
    const b = seeded(LAB, 2);
    for (const [name, values] of a) {
      assert.deepEqual(again.get(name), values, name);
      assert.notDeepEqual(b.get(name), values, name);
    }
  });
});
