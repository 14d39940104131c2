/**
 * Every registered variant must reproduce every number it claims to match
 * (the torchvision `test_schema_meta_validation` idea, with sources kept).
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {CostTotals, modelCost, totals} from '../../lib/cost';
import {MEASURE_OF, Published, PublishedMeasure, REGISTRY, buildModel} from '../../lib/models';

const MEASURES = Object.entries(MEASURE_OF) as Array<[PublishedMeasure, (t: CostTotals) => number]>;

function assertClose(actual: number, claim: Published): void {
  const diff = Math.abs(actual - claim.value);
  assert.ok(diff <= claim.tolerance,
      `got ${actual.toLocaleString('en-US')}, published ${claim.value.toLocaleString('en-US')} ± ` +
      `${claim.tolerance.toLocaleString('en-US')} (${claim.source})${claim.countingNote ? ` [${claim.countingNote}]` : ''}`);
}

describe('registered variants reproduce their published numbers', () => {
  for (const variant of REGISTRY) {
    describe(variant.name, () => {
      let ours: CostTotals;
      before(() => {
        const model = buildModel(variant.name);
        ours = totals(modelCost(model, variant.convention ?? 'macs'));
        model.dispose();
        tf.disposeVariables();
      });
      for (const [measure, read] of MEASURES) {
        for (const claim of variant.published[measure] ?? []) {
          it(`${measure} ${claim.value.toLocaleString('en-US')} ± ${claim.tolerance.toLocaleString('en-US')}: ${claim.source}`,
              () => assertClose(read(ours), claim));
        }
      }
    });
  }
});

describe('the registry checks options by name and type', () => {
  it('refuses an option the family does not have, listing the ones it has', () => {
    assert.throws(() => buildModel('mobilenet_v1', {widht: 0.5}), /mobilenet_v1 has no option 'widht'; its options: resolution, width, /);
  });
  it('refuses a value of the wrong type', () => {
    assert.throws(() => buildModel('condensenet', {stages: '14-14-14'}), /condensenet: option 'stages' must be a list, got "14-14-14"/);
    assert.throws(() => buildModel('mobilenet_v1', {width: '0.5'}), /mobilenet_v1: option 'width' must be a number, got "0\.5"/);
  });
});
