/**
 * The convolution gradients' routes on wasm against the cpu backend: the
 * input gradients by phases of the stride (packages/tfjs-backend-wasm-train/src/kernels/input-grad-phases.ts;
 * the phases' bookkeeping on its own, then Conv2DBackpropInput), the
 * depthwise input gradient (the direct SIMD kernel, XNNPACK's phases and
 * spread), the filter gradient by taps
 * (packages/tfjs-backend-wasm-train/src/kernels/filter-grad-taps.ts) and the routes that run where
 * the lab's SIMD kernels do not, over strides 1-3, filters smaller and
 * larger than the stride, 'same', 'valid' and explicit padding, odd and
 * even sizes.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../../lib/engine';
import {withFilterGradientRoute} from '../../../packages/tfjs-backend-wasm-train/src/kernels/conv-grads';
import {compiledFilterGradGeometries} from '../../../packages/tfjs-backend-wasm-train/src/kernels/direct-filter-grad';
import {withDepthwiseInputRoute} from '../../../packages/tfjs-backend-wasm-train/src/kernels/depthwise-grads';
import {axisPhases} from '../../../packages/tfjs-backend-wasm-train/src/kernels/input-grad-phases';
import {withPlainSimd, withoutSimdKernels} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';
import {wave} from '../../../lib/bench/gradients';
import {gradsOn, relativeError} from '../../helpers/gradients';

type Padding = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  size: [number, number]; channels: number; outChannels: number;
  kernel: [number, number]; stride: [number, number]; padding: Padding;
}

const CASES: Case[] = [
  {size: [14, 14], channels: 8, outChannels: 8, kernel: [3, 3], stride: [2, 2], padding: 'same'},
  {size: [7, 7], channels: 8, outChannels: 12, kernel: [3, 3], stride: [2, 2], padding: 'same'},
  {size: [8, 7], channels: 4, outChannels: 8, kernel: [3, 3], stride: [2, 2], padding: 'valid'},
  {size: [9, 10], channels: 4, outChannels: 4, kernel: [5, 5], stride: [2, 2], padding: 'same'},
  {size: [9, 8], channels: 8, outChannels: 4, kernel: [3, 3], stride: [3, 3], padding: 'same'},
  {size: [6, 9], channels: 4, outChannels: 8, kernel: [1, 3], stride: [1, 2], padding: 'same'},
  {size: [8, 8], channels: 8, outChannels: 4, kernel: [2, 2], stride: [2, 2], padding: 'valid'},
  // A filter smaller than the stride: some rows of dx meet no tap and stay zero.
  {size: [7, 8], channels: 4, outChannels: 8, kernel: [1, 1], stride: [2, 2], padding: 'same'},
  {size: [7, 6], channels: 8, outChannels: 8, kernel: [3, 3], stride: [1, 1], padding: 'same'},
  // Pixels of 6 floats (24 bytes): copied one memory.copy at a time instead of with SIMD loads.
  {size: [7, 7], channels: 6, outChannels: 6, kernel: [3, 3], stride: [2, 2], padding: 'same'},
  {size: [6, 6], channels: 4, outChannels: 4, kernel: [3, 3], stride: [2, 2], padding: [[0, 0], [2, 1], [0, 2], [0, 0]]},
  // Stride 1 with channels the filter gradient's taps route tiles (inputs a multiple of 4, outputs of 8).
  {size: [9, 7], channels: 4, outChannels: 8, kernel: [5, 5], stride: [1, 1], padding: 'same'},
  {size: [6, 9], channels: 8, outChannels: 16, kernel: [1, 3], stride: [1, 1], padding: 'same'},
  {size: [8, 7], channels: 12, outChannels: 8, kernel: [3, 3], stride: [1, 1], padding: 'valid'},
  {size: [5, 6], channels: 4, outChannels: 8, kernel: [2, 2], stride: [1, 1], padding: 'same'},
  {size: [4, 4], channels: 8, outChannels: 8, kernel: [3, 3], stride: [1, 1], padding: [[0, 0], [0, 2], [2, 1], [0, 0]]},
  // Strides above 1 with channels the taps route tiles: each tap a shift within its phase of the stride.
  {size: [9, 8], channels: 8, outChannels: 8, kernel: [3, 3], stride: [3, 3], padding: 'same'},
  {size: [9, 10], channels: 4, outChannels: 8, kernel: [5, 5], stride: [2, 2], padding: 'same'},
  {size: [7, 9], channels: 4, outChannels: 8, kernel: [3, 3], stride: [2, 1], padding: 'same'},
  {size: [6, 6], channels: 8, outChannels: 8, kernel: [3, 3], stride: [2, 2], padding: [[0, 0], [2, 1], [0, 2], [0, 0]]},
  {size: [8, 8], channels: 4, outChannels: 16, kernel: [2, 2], stride: [2, 2], padding: 'valid'},
  // The generated filter gradient: pairs of input channels (6), an output tail of 3 vectors (12 = 16 - 4) and of 1 (20),
  // 'valid' with a column x leaves unread, and images large enough that a block holds one image (two blocks).
  {size: [6, 7], channels: 6, outChannels: 12, kernel: [3, 3], stride: [1, 1], padding: 'same'},
  {size: [9, 8], channels: 4, outChannels: 20, kernel: [3, 3], stride: [2, 2], padding: 'valid'},
  {size: [24, 24], channels: 16, outChannels: 16, kernel: [3, 3], stride: [1, 1], padding: 'same'},
  // 1x1 at stride 1: dW = x^T @ dy on the products kernel, its 8-wide tiles and its 4-wide tail (4, 12, 20 outputs),
  // over more than one block of 128 rows.
  {size: [12, 12], channels: 8, outChannels: 4, kernel: [1, 1], stride: [1, 1], padding: 'same'},
  {size: [12, 11], channels: 4, outChannels: 12, kernel: [1, 1], stride: [1, 1], padding: 'valid'},
  {size: [9, 9], channels: 12, outChannels: 20, kernel: [1, 1], stride: [1, 1], padding: 'same'},
  // Stems (fewer than 4 input channels): the few-channel kernels, their output channels 4 vectors at a time (16),
  // one vector at a time (8), and both (20).
  {size: [10, 10], channels: 1, outChannels: 16, kernel: [3, 3], stride: [2, 2], padding: 'same'},
  {size: [9, 8], channels: 1, outChannels: 8, kernel: [3, 3], stride: [1, 1], padding: 'same'},
  {size: [8, 9], channels: 3, outChannels: 20, kernel: [3, 3], stride: [2, 2], padding: 'valid'},
];

const describeCase = (c: Case) => `${c.size.join('x')}x${c.channels} -> ${c.outChannels}, ${c.kernel.join('x')}, ` +
    `stride ${c.stride.join('x')}, ${typeof c.padding === 'string' ? c.padding : JSON.stringify(c.padding.slice(1, 3))}`;

describe('convolution gradients on wasm: phases of the stride, taps of the filter', function () {
  this.timeout(120_000);
  before(() => initEngine('wasm'));

  it('the phases of an axis meet every input index once and every tap once', () => {
    for (const [size, outSize, filter, stride, pad] of [[14, 7, 3, 2, 0], [14, 7, 3, 2, 1], [9, 3, 3, 3, 0], [7, 4, 1, 2, 0], [10, 5, 5, 2, 2]]) {
      const phases = axisPhases(size, outSize, filter, stride, pad);
      const indices = phases.flatMap(p => Array.from({length: p.count}, (_, r) => p.first + r * stride)).sort((a, b) => a - b);
      assert.deepEqual(indices, Array.from({length: size}, (_, i) => i), `${[size, outSize, filter, stride, pad]}`);
      assert.deepEqual(phases.flatMap(p => p.taps).sort((a, b) => a - b), Array.from({length: filter}, (_, k) => k));
      // Within a phase, input index i meets tap k exactly where i + pad - k is a multiple of the stride.
      for (const p of phases) for (const k of p.taps) assert.equal(((p.first + pad - k) % stride + stride) % stride, 0);
    }
  });

  for (const c of CASES) {
    const inputs = () => [wave([2, ...c.size, c.channels], 1), wave([...c.kernel, c.channels, c.outChannels], 2)];
    const loss = (x: tf.Tensor, w: tf.Tensor) => {
      const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.padding);
      return y.mul(wave(y.shape, 3)).sum() as tf.Scalar;
    };
    it(`Conv2DBackpropInput and Conv2DBackpropFilter ${describeCase(c)}: wasm (and without the SIMD kernels) equals cpu`, async () => {
      const expected = await gradsOn('cpu', loss, inputs);
      const routes = {
        'the SIMD kernels, dW generated where it fits': await gradsOn('wasm', loss, inputs),
        'plain SIMD, dW generated where it fits': await withPlainSimd(() => gradsOn('wasm', loss, inputs)),
        'the SIMD kernels, dW by taps where they fit': await withFilterGradientRoute('taps', () => gradsOn('wasm', loss, inputs)),
        'the SIMD kernels, dW on XNNPACK': await withFilterGradientRoute('convolution', () => gradsOn('wasm', loss, inputs)),
        'plain SIMD, dW by taps where they fit': await withPlainSimd(() => withFilterGradientRoute('taps', () => gradsOn('wasm', loss, inputs))),
        'no SIMD kernels': await withoutSimdKernels(() => gradsOn('wasm', loss, inputs)),
      };
      for (const [route, grads] of Object.entries(routes)) {
        ['dx', 'dW'].forEach((gradient, i) => {
          assert.ok(relativeError(grads[i], expected[i]) < 1e-5, `${gradient} with ${route}: ${relativeError(grads[i], expected[i])}`);
        });
      }
    });
  }

  it('the generated filter gradient ran for every case it fits (a 1x1 at stride 1 keeps x^T @ dy; stems their own kernel)', () => {
    const compiled = compiledFilterGradGeometries().map(key => JSON.parse(key) as {Ci: number; Co: number; KH: number; KW: number; sh: number; sw: number});
    const fits = CASES.filter(c => c.channels >= 4 && c.channels % 2 === 0 && c.outChannels % 4 === 0 &&
                                   !(c.kernel[0] * c.kernel[1] === 1 && c.stride[0] * c.stride[1] === 1));
    assert.ok(fits.length >= 15, `${fits.length} cases fit`);
    for (const c of fits) {
      assert.ok(compiled.some(g => g.Ci === c.channels && g.Co === c.outChannels && g.KH === c.kernel[0] && g.KW === c.kernel[1] &&
                                   g.sh === c.stride[0] && g.sw === c.stride[1]), `no geometry compiled for ${describeCase(c)}`);
    }
    assert.ok(!compiled.some(g => g.Ci < 4), 'a stem ran on the generated filter gradient');
  });

  for (const c of CASES.filter(c => typeof c.padding === 'string' && c.stride[0] === c.stride[1])) {
    const multiplier = c.outChannels % c.channels === 0 ? c.outChannels / c.channels : 1;
    const inputs = () => [wave([2, ...c.size, c.channels], 1), wave([...c.kernel, c.channels, multiplier], 2)];
    const loss = (x: tf.Tensor, w: tf.Tensor) => {
      const y = tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride as [number, number], c.padding as 'same' | 'valid');
      return y.mul(wave(y.shape, 3)).sum() as tf.Scalar;
    };
    it(`depthwise input gradient ${describeCase(c)}, multiplier ${multiplier}: wasm equals cpu`, async () => {
      const [expected] = await gradsOn('cpu', loss, inputs);
      // With the SIMD kernels: the direct kernel at multiplier 1; XNNPACK's phases (stride 1) or spread otherwise.
      const routes = {
        'SIMD kernels': await gradsOn('wasm', loss, inputs),
        'plain SIMD': await withPlainSimd(() => gradsOn('wasm', loss, inputs)),
        'XNNPACK': await withDepthwiseInputRoute('xnnpack', () => gradsOn('wasm', loss, inputs)),
        'no SIMD kernels': await withoutSimdKernels(() => gradsOn('wasm', loss, inputs)),
      };
      for (const [route, [dx]] of Object.entries(routes)) {
        assert.ok(relativeError(dx, expected) < 1e-5, `${route}: ${relativeError(dx, expected)}`);
      }
    });
  }
});
