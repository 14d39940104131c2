/**
 * Whole-model gradients on wasm (with the lab's kernels) against the stock
 * cpu backend, for one lab-scale model of each family: every kernel a
 * builder uses must exist and be right on wasm.
 */
import {strict as assert} from 'node:assert';

import {initEngine} from '../../lib/engine';
import {LAB_GRADIENT_CASES, modelGradients} from '../../lib/bench/gradients';
import {worstWeightError} from '../helpers/gradients';

/**
 * Each model's gradients must agree to 2e-4 per weight (float32 sums in a
 * different order: GoogLeNet's classifier bias, the worst, is 1.3e-4); the
 * cases and why some compare on moving statistics: LAB_GRADIENT_CASES.
 * With 16 images instead of 4, BN-Inception at 32 px agreed to 5e-5 on batch
 * statistics too; with moving statistics the networks agree to ~1e-6.
 * On moving statistics no image depends on another, so two images (still
 * more than one, as the kernels that split a batch by images need) check
 * the same kernels: the cpu reference's filter gradient is a scalar loop
 * that took 42 s of GoogLeNet's 44 s at four images.
 */
// Inception-v4 and Inception-ResNet-v2 at their smallest (75 px, one block
// per grid) take over 100 s each on the cpu reference; they add no kernel
// beyond the two above (asymmetric and valid stride-2 convs are in
// kernels/wasm-replacements.test.ts; ScaledAdd is a Mul and an Add).

describe('whole-model gradients: wasm with lab kernels equals cpu', () => {
  before(async () => { await initEngine('wasm'); });
  for (const {family, options, training} of LAB_GRADIENT_CASES) {
    it(`${family} ${JSON.stringify(options)}, batch norm on ${training ? 'batch' : 'moving'} statistics`, async () => {
      const batch = training ? 4 : 2;
      const reference = await modelGradients('cpu', family, options, {batch, training});
      const ours = await modelGradients('wasm', family, options, {batch, training});
      assert.equal(ours.length, reference.length);
      const worst = worstWeightError(ours, reference);
      assert.ok(worst.error <= 2e-4, `worst relative error over ${ours.length} weights: ${worst.error} (weight ${worst.weight})`);
    });
  }
});
