/**
 * Every registered variant must reproduce every number it claims to match
 * (the torchvision `test_schema_meta_validation` idea, with sources kept).
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {CostTotals, modelCost, totals} from '../../lib/cost';
import {MEASURE_OF} from '../../lib/chapters';
import {Published, PublishedMeasure, REGISTRY, buildModel} from '../../lib/models';

const MEASURES = Object.entries(MEASURE_OF) as Array<[PublishedMeasure, (t: CostTotals) => number]>;

function assertClose(actual: number, claim: Published): void {
  const diff = Math.abs(actual - claim.value);
  assert.ok(diff <= claim.tolerance,
      `got ${actual.toLocaleString('en-US')}, published ${claim.value.toLocaleString('en-US')} ± ` +
      `${claim.tolerance.toLocaleString('en-US')} (${claim.source})${claim.convention ? ` [${claim.convention}]` : ''}`);
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
