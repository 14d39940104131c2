/**
 * The generated 3x3 depthwise convolution (packages/tfjs-backend-wasm-train,
 * kernels/depthwise-conv.ts): forward pass and input gradient against cpu
 * on image sizes, strides and paddings that exercise every edge case of
 * its code (one row or column, two, three, more), the kernel shown to
 * run, and the shapes it does not cover left to the other routes.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../../lib/engine';
import {wave} from '../../../lib/bench/gradients';
import {compiledDepthwiseGeometries, withoutGeneratedDepthwise} from '../../../packages/tfjs-backend-wasm-train/src/kernels/depthwise-conv';
import {gradsOn, relativeError} from '../../helpers/gradients';

const TOLERANCE = 1e-5;

/** y, then dx and dfilter of sum(y * w) for a depthwise convolution. */
async function outputAndGradients(backend: string, xShape: number[], kernel: number, strides: number,
                                  pad: 'same' | 'valid' | number): Promise<Float32Array[]> {
  const C = xShape[3];
  const inputs = () => [wave(xShape, 3), wave([kernel, kernel, C, 1], 4)];
  const conv = (x: tf.Tensor, f: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides, pad as 'same');
  await tf.setBackend(backend);
  const y = tf.tidy(() => {
    const [x, f] = inputs();
    return Float32Array.from(conv(x, f).dataSync());
  });
  const weights = () => wave(tf.tidy(() => conv(...inputs() as [tf.Tensor, tf.Tensor]).shape), 9);
  const grads = await gradsOn(backend, (x, f) => conv(x, f).mul(tf.tidy(weights)).sum() as tf.Scalar, inputs);
  return [y, ...grads];
}

describe('the generated 3x3 depthwise convolution', function () {
  this.timeout(60_000);
  before(async () => { await initEngine('wasm'); });
  after(async () => { await tf.setBackend('wasm'); });

  /** The geometry keys the generated kernel compiles for x [N, H, W, C] at this stride and padding (computeConv2DInfo's). */
  const keyOf = (shape: number[], strides: number, pad: 'same' | 'valid', rotated: boolean) => {
    const info = tf.backend_util.computeConv2DInfo(shape as [number, number, number, number], [3, 3, shape[3], 1], strides, 1, pad, undefined, true);
    const {inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, padInfo: {top, left}} = info;
    return JSON.stringify({H, W, C, OH, OW, stride: strides, top, left, rotated});
  };

  // Rows and columns: 1 (the only-row code), 2 (first and last only), 3 (one middle), more; channels 4 to 32;
  // stride 2 on even sizes (no padding above) and odd (one row above), 'valid'. The input gradient takes the
  // turned kernel at stride 1 with one pixel of padding all round, the gathering one at stride 2.
  const COVERED: Array<[number[], number, 'same' | 'valid']> = [
    [[2, 5, 6, 8], 1, 'same'], [[3, 1, 1, 4], 1, 'same'], [[1, 2, 2, 4], 1, 'same'], [[2, 3, 7, 12], 1, 'same'],
    [[1, 7, 2, 16], 1, 'same'], [[2, 1, 5, 4], 1, 'same'], [[4, 14, 14, 32], 1, 'same'],
    [[2, 8, 6, 8], 2, 'same'], [[2, 7, 7, 8], 2, 'same'], [[2, 3, 2, 4], 2, 'same'], [[2, 6, 6, 8], 1, 'valid'], [[2, 9, 8, 12], 2, 'valid'],
  ];
  /**
   * The output, dx and dfilter of x [shape] equal cpu's, and the generated kernel compiled for `compiledShape`
   * (x's shape, or its channels padded to whole vectors): forward, and turned for dx where it takes that route.
   */
  async function expectGeneratedRun(shape: number[], strides: number, pad: 'same' | 'valid', compiledShape = shape): Promise<void> {
    const reference = await outputAndGradients('cpu', shape, 3, strides, pad);
    const ours = await outputAndGradients('wasm', shape, 3, strides, pad);
    ['y', 'dx', 'dfilter'].forEach((what, i) =>
        assert.ok(relativeError(ours[i], reference[i]) <= TOLERANCE, `${what}: ${relativeError(ours[i], reference[i])}`));
    const compiled = compiledDepthwiseGeometries();
    const turned = strides === 1 && pad === 'same';
    assert.ok(compiled.includes(keyOf(compiledShape, strides, pad, false)), `forward ${keyOf(compiledShape, strides, pad, false)}: ${compiled.join(' ')}`);
    assert.equal(compiled.includes(keyOf(compiledShape, strides, pad, true)), turned, `turned, for dx: ${keyOf(compiledShape, strides, pad, true)}`);
  }

  for (const [shape, strides, pad] of COVERED) {
    const turned = strides === 1 && pad === 'same';
    it(`x [${shape}], 3x3, stride ${strides}, '${pad}': the output, dx and dfilter equal cpu's; the kernel ran forward, for dfilter${turned || strides > 1 ? ' and for dx' : ''}`,
       () => expectGeneratedRun(shape, strides, pad));
  }

  // 16 or more channels that are not a multiple of 4 run padded to whole vectors (Xception α 0.25's 182):
  // 18 -> 20, 23 -> 24, 17 -> 20, at stride 1 (dx by the turned kernel) and 2, 'same' and 'valid'.
  const PADDED: Array<[number[], number, 'same' | 'valid']> = [[[2, 5, 6, 18], 1, 'same'], [[2, 7, 7, 23], 2, 'same'], [[2, 6, 5, 17], 2, 'valid']];
  for (const [shape, strides, pad] of PADDED) {
    const whole = [...shape.slice(0, 3), Math.ceil(shape[3] / 4) * 4];
    it(`x [${shape}], 3x3, stride ${strides}, '${pad}': padded to ${whole[3]} channels, the output, dx and dfilter equal cpu's`,
       () => expectGeneratedRun(shape, strides, pad, whole));
  }

  it('agrees with the routes it replaced (XNNPACK forward, the direct input gradient)', async () => {
    const shape = [3, 6, 5, 12];
    const generated = await outputAndGradients('wasm', shape, 3, 1, 'same');
    const replaced = await withoutGeneratedDepthwise(() => outputAndGradients('wasm', shape, 3, 1, 'same'));
    ['y', 'dx', 'dfilter'].forEach((what, i) =>
        assert.ok(relativeError(generated[i], replaced[i]) <= TOLERANCE, `${what}: ${relativeError(generated[i], replaced[i])}`));
  });

  // Not covered: 5x5, under 16 channels not a multiple of 4: other routes, the same results.
  const OTHERS: Array<[number[], number, number, 'same' | 'valid']> = [[[2, 6, 6, 8], 5, 1, 'same'], [[2, 5, 5, 6], 3, 1, 'same']];
  for (const [shape, kernel, strides, pad] of OTHERS) {
    it(`x [${shape}], ${kernel}x${kernel}, stride ${strides}, '${pad}': left to the other routes, which agree with cpu`, async () => {
      const before = compiledDepthwiseGeometries().length;
      const reference = await outputAndGradients('cpu', shape, kernel, strides, pad);
      const ours = await outputAndGradients('wasm', shape, kernel, strides, pad);
      ['y', 'dx', 'dfilter'].forEach((what, i) =>
          assert.ok(relativeError(ours[i], reference[i]) <= TOLERANCE, `${what}: ${relativeError(ours[i], reference[i])}`));
      assert.equal(compiledDepthwiseGeometries().length, before, 'no generated kernel for it');
    });
  }
});
