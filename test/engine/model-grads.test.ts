/**
 * Whole-model gradients on wasm (with the lab's kernels) against the stock
 * cpu backend, for one lab-scale model of each family: every kernel a
 * builder uses must exist and be right on wasm.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../lib/engine';
import {LAB_GRADIENT_CASES, modelGradients} from '../../lib/bench/gradients';
import {withPlainCpuFilterGradient} from '../../lib/bench/plain-filter-gradient';
import {relativeError, worstWeightError} from '../helpers/gradients';

/**
 * Each model's gradients must agree to 2e-4 per weight (float32 sums in a
 * different order: GoogLeNet's classifier bias, the worst, is 1.3e-4); the
 * cases and why some compare on moving statistics: LAB_GRADIENT_CASES.
 * With 16 images instead of 4, BN-Inception at 32 px agreed to 5e-5 on batch
 * statistics too; with moving statistics the networks agree to ~1e-6.
 * On moving statistics no image depends on another, so two images (still
 * more than one, as the kernels that split a batch by images need) check
 * the same kernels. The cpu reference's filter gradient is a plain loop
 * (lib/bench/plain-filter-gradient.ts, checked below against TF.js's
 * own): TF.js's reads each element through TensorBuffer.get and took 20 s
 * of GoogLeNet's 25 s at two images.
 */
// Inception-v4 and Inception-ResNet-v2 at their smallest (75 px, one block
// per grid) take over 100 s each on the cpu reference; they add no kernel
// beyond the two above (asymmetric and valid stride-2 convs are in
// kernels/wasm-replacements.test.ts; ScaledAdd is a Mul and an Add).

describe('whole-model gradients: wasm with lab kernels equals cpu', () => {
  before(async () => { await initEngine('wasm'); });

  it('the reference\'s plain-loop filter gradient equals TF.js\'s cpu kernel', async () => {
    const cases: Array<{x: [number, number, number, number]; filter: [number, number, number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | number}> = [
      {x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same'},
      {x: [2, 9, 8, 2], filter: [3, 2, 2, 5], strides: 2, pad: 'valid'},
      {x: [1, 9, 7, 4], filter: [5, 5, 4, 3], strides: [2, 1], pad: 'same'},
      {x: [2, 6, 6, 3], filter: [1, 1, 3, 6], strides: 2, pad: 1},
    ];
    await tf.setBackend('cpu');
    for (const c of cases) {
      const filterGradient = () => tf.tidy(() => {
        const x = tf.tensor4d(Float32Array.from({length: tf.util.sizeFromShape(c.x)}, (_, i) => Math.sin(i * 0.7)), c.x);
        const dyShape = tf.conv2d(x, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad).shape;
        const dy = tf.tensor4d(Float32Array.from({length: tf.util.sizeFromShape(dyShape)}, (_, i) => Math.cos(i * 0.3)), dyShape);
        const attrs = {strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter};
        const dW = tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
        return dW.dataSync() as Float32Array;
      });
      const theirs = filterGradient();
      const ours = await withPlainCpuFilterGradient(async () => filterGradient());
      assert.ok(relativeError(ours, theirs) <= 1e-6, `${JSON.stringify(c)}: ${relativeError(ours, theirs)}`);
    }
    await tf.setBackend('wasm');
  });
  for (const {family, options, training} of LAB_GRADIENT_CASES) {
    it(`${family} ${JSON.stringify(options)}, batch norm on ${training ? 'batch' : 'moving'} statistics`, async () => {
      const batch = training ? 4 : 2;
      const reference = await withPlainCpuFilterGradient(() => modelGradients('cpu', family, options, {batch, training}));
      const ours = await modelGradients('wasm', family, options, {batch, training});
      assert.equal(ours.length, reference.length);
      const worst = worstWeightError(ours, reference);
      assert.ok(worst.error <= 2e-4, `worst relative error over ${ours.length} weights: ${worst.error} (weight ${worst.weight})`);
    });
  }
});
