/**
 * lib/bench/kernel-clock.ts: every call of a kernel is counted once under
 * its input and output shapes, a kernel run inside another is not counted
 * again, a convolution's multiply-adds match its geometry for the forward
 * pass and both gradients, and stopping the clock puts the kernels back.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {KernelClock, clockKernels, kernelCategory} from '../../lib/bench/kernel-clock';

const OUTER = 'KernelClockTestOuter';

/** Runs `body` with a clock around cpu's kernels, stopped whatever happens. */
function withClock(body: (clock: KernelClock) => void): void {
  const clock = clockKernels('cpu');
  try {
    body(clock);
  } finally {
    clock.stop();
  }
}

describe('bench: a clock around every kernel', () => {
  before(async () => {
    await tf.setBackend('cpu');
    // A kernel that runs another through the registry, as fused kernels can.
    tf.registerKernel({kernelName: OUTER, backendName: 'cpu', kernelFunc: ({inputs}) => {
      return tf.engine().runKernel('Add', {a: inputs['a'] as tf.Tensor, b: inputs['b'] as tf.Tensor}) as tf.TensorInfo;
    }});
  });
  after(() => tf.unregisterKernel(OUTER, 'cpu'));

  it('counts each call under its shapes, and an inner kernel\'s call only in the outer one', () => {
    withClock(clock => {
      const a = tf.ones([2, 3]), b = tf.ones([2, 3]), c = tf.ones([4]);
      tf.add(a, b).dispose();
      tf.add(a, b).dispose();
      tf.add(c, c).dispose();
      (tf.engine().runKernel(OUTER, {a, b}) as tf.Tensor).dispose();
      const byShape = clock.times('shape');
      const adds = byShape.filter(t => t.kernel === 'Add');
      assert.deepEqual(adds.map(t => [t.shapes, t.calls]).sort(),
                       [['[2,3] [2,3] -> [2,3]', 2], ['[4] [4] -> [4]', 1]]);
      assert.equal(byShape.find(t => t.kernel === OUTER)?.calls, 1);
      const byKernel = clock.times('kernel');
      assert.equal(byKernel.find(t => t.kernel === 'Add')?.calls, 3);
      assert.ok(byKernel.every(t => t.ms >= 0 && t.shapes === ''));
      clock.reset();
      assert.deepEqual(clock.times('kernel'), []);
      tf.dispose([a, b, c]);
    });
  });

  it('gives a convolution\'s multiply-adds for its forward pass and both gradients', () => {
    // [2, 7, 7, 3] -> 5 channels, 3x3, stride 2, 'same': 4 x 4 outputs, each 3 * 3 * 3 taps.
    const expected = 2 * 4 * 4 * 5 * 3 * 3 * 3;
    withClock(clock => {
      const x = tf.randomNormal([2, 7, 7, 3]), filter = tf.randomNormal([3, 3, 3, 5]);
      const grads = tf.grads((xs: tf.Tensor, fs: tf.Tensor) => tf.conv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, 2, 'same').sum());
      tf.dispose([...grads([x, filter]), x, filter]);
      const byKernel = new Map(clock.times('shape').map(t => [t.kernel, t.macs]));
      for (const kernel of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']) assert.equal(byKernel.get(kernel), expected, kernel);
      assert.equal(byKernel.get('Sum'), null);
    });
  });

  it('gives a depthwise convolution one tap a channel', () => {
    withClock(clock => {
      const x = tf.randomNormal([1, 5, 5, 4]), filter = tf.randomNormal([3, 3, 4, 1]);
      tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same').dispose();
      assert.equal(clock.times('shape').find(t => t.kernel === 'DepthwiseConv2dNative')?.macs, 5 * 5 * 4 * 9);
      tf.dispose([x, filter]);
    });
  });

  it('sums kernels by category', () => {
    withClock(clock => {
      const x = tf.randomNormal([1, 4, 4, 2]), filter = tf.randomNormal([3, 3, 2, 2]);
      const grads = tf.grads((xs: tf.Tensor, fs: tf.Tensor) => tf.maxPool(tf.conv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, 1, 'same'), 2, 2, 'same').sum());
      tf.dispose([...grads([x, filter]), x, filter]);
      const byCategory = new Map(clock.times('category').map(t => [t.kernel, t.calls]));
      assert.equal(byCategory.get('convolutions, forward'), 1);
      assert.equal(byCategory.get('convolution gradients'), 2);
      assert.equal(byCategory.get('pooling'), 2);  // MaxPool and its gradient
      const byKernel = clock.times('kernel');
      assert.equal(clock.times('category').reduce((sum, t) => sum + t.calls, 0), byKernel.reduce((sum, t) => sum + t.calls, 0));
    });
    assert.equal(kernelCategory('LabBatchNormTrainGrad'), 'batch norm');
    assert.equal(kernelCategory('LabGroupConv2DBackpropFilter'), 'convolution gradients');
    assert.equal(kernelCategory('DepthwiseConv2dNative'), 'convolutions, forward');
    assert.equal(kernelCategory('LabAdamUpdate'), 'optimiser (Adam)');
    assert.equal(kernelCategory('_FusedMatMul'), 'matrix products');
    assert.equal(kernelCategory('SplitV'), 'copies and reshapes');
    assert.equal(kernelCategory('Relu'), 'element-wise and reductions');
  });

  it('puts the kernels back when stopped', () => {
    const before = tf.getKernel('Add', 'cpu')!.kernelFunc;
    const clock = clockKernels('cpu');
    assert.notEqual(tf.getKernel('Add', 'cpu')!.kernelFunc, before);
    clock.stop();
    assert.equal(tf.getKernel('Add', 'cpu')!.kernelFunc, before);
    tf.add(tf.ones([1]), tf.ones([1])).dispose();
    assert.deepEqual(clock.times('kernel'), []);
  });

  it('names a backend with no kernels', () => {
    assert.throws(() => clockKernels('no-such-backend'), /no kernels are registered for backend 'no-such-backend'/);
  });
});
