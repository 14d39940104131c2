/**
 * The lab's generated convolution kernel (packages/tfjs-backend-wasm-train/src/kernels/direct-conv.ts):
 * Conv2D, FusedConv2D (bias, ReLU) and the input gradient's convolutions
 * on wasm against the cpu backend, with fused multiply-add, with plain
 * SIMD, and without the SIMD kernels (XNNPACK's convolutions then run).
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../../lib/engine';
import {wave} from '../../../lib/bench/gradients';
import {
  compiledDirectConvGeometries, directConvPays, setDirectConvolutionFloor, withoutDirectConvolution,
} from '../../../packages/tfjs-backend-wasm-train/src/kernels/direct-conv';
import {withoutWinograd} from '../../../packages/tfjs-backend-wasm-train/src/kernels/winograd-conv';
import {withPlainSimd, withoutSimdKernels} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';
import {ConvCase, convOutputsOn, describeConvCase, expectRunsEqualCpu} from '../../helpers/conv-cases';
import {relativeError} from '../../helpers/gradients';

const CASES: ConvCase[] = [
  // One whole block of 16 outputs and a tail of 4; an odd width (a one-pixel tile); bias and ReLU.
  {batch: 2, size: [7, 9], inChannels: 12, outChannels: 20, kernel: [3, 3], strides: [1, 1], padding: 'same', bias: true, activation: 'relu'},
  // Stride 2 with 'same' and 'valid' (a remainder row and column no tap reads), tails of 8 and 12.
  {batch: 2, size: [9, 8], inChannels: 16, outChannels: 24, kernel: [3, 3], strides: [2, 2], padding: 'same', bias: true, activation: 'linear'},
  {batch: 2, size: [10, 11], inChannels: 8, outChannels: 28, kernel: [3, 3], strides: [2, 2], padding: 'valid', bias: false, activation: 'linear'},
  // Different strides along the two axes; rectangular and large filters.
  {batch: 1, size: [9, 10], inChannels: 8, outChannels: 16, kernel: [3, 3], strides: [1, 2], padding: 'same', bias: false, activation: 'relu'},
  {batch: 2, size: [6, 11], inChannels: 8, outChannels: 32, kernel: [1, 3], strides: [1, 1], padding: 'same', bias: true, activation: 'linear'},
  {batch: 2, size: [11, 6], inChannels: 8, outChannels: 16, kernel: [3, 1], strides: [1, 1], padding: 'valid', bias: false, activation: 'linear'},
  {batch: 1, size: [12, 12], inChannels: 16, outChannels: 32, kernel: [5, 5], strides: [1, 1], padding: 'same', bias: false, activation: 'linear'},
  // 1x1: x read in place; its input gradient is a 1x1 convolution too.
  {batch: 2, size: [5, 7], inChannels: 20, outChannels: 48, kernel: [1, 1], strides: [1, 1], padding: 'same', bias: true, activation: 'relu'},
  // Narrow blocks take more pixels a tile: 8 x 4 (width 9: a whole tile and a one-pixel rest), 4 x 8 (width 7:
  // a whole tile and a rest of 3), and a block of 16 followed by a tail of 8 in 4-pixel tiles.
  {batch: 2, size: [9, 9], inChannels: 8, outChannels: 4, kernel: [3, 3], strides: [1, 1], padding: 'same', bias: true, activation: 'relu'},
  {batch: 2, size: [7, 7], inChannels: 4, outChannels: 8, kernel: [3, 3], strides: [1, 1], padding: 'same', bias: false, activation: 'linear'},
  {batch: 2, size: [6, 9], inChannels: 12, outChannels: 24, kernel: [1, 3], strides: [1, 1], padding: 'same', bias: true, activation: 'linear'},
  // Output channels not a multiple of 4: the last vector stores 3 of its lanes (16 + 7), 2 (6), 1 (5); the
  // 1x1 case's filter gradient pads both channel counts (13 -> 16, 23 -> 24) for the SIMD products, and its
  // input gradient, a 1x1 convolution to 13 channels, stores 1 lane of its last vector; stride 2's phases 2 of 10.
  {batch: 2, size: [5, 6], inChannels: 13, outChannels: 23, kernel: [1, 1], strides: [1, 1], padding: 'same', bias: true, activation: 'relu'},
  {batch: 2, size: [7, 7], inChannels: 6, outChannels: 6, kernel: [3, 3], strides: [1, 1], padding: 'same', bias: false, activation: 'relu'},
  {batch: 2, size: [9, 8], inChannels: 10, outChannels: 5, kernel: [3, 3], strides: [2, 2], padding: 'same', bias: true, activation: 'linear'},
  // Stems: one and three input channels.
  {batch: 2, size: [14, 14], inChannels: 1, outChannels: 16, kernel: [3, 3], strides: [2, 2], padding: 'same', bias: false, activation: 'linear'},
  {batch: 2, size: [8, 8], inChannels: 3, outChannels: 16, kernel: [3, 3], strides: [1, 1], padding: 'same', bias: true, activation: 'relu'},
];

/** Whether a geometry of this case (its forward pass) was compiled in this process. */
function compiledFor(c: ConvCase): boolean {
  return compiledDirectConvGeometries().some(key => {
    const s = JSON.parse(key) as {Ci: number; Co: number; KH: number; KW: number; sh: number; sw: number};
    return s.Ci === c.inChannels && s.Co === c.outChannels && s.KH === c.kernel[0] && s.KW === c.kernel[1] &&
        s.sh === c.strides[0] && s.sw === c.strides[1];
  });
}

describe('the generated convolution kernel', function () {
  this.timeout(120_000);
  before(async () => { await initEngine('wasm'); });
  after(async () => { await tf.setBackend('wasm'); });

  for (const c of CASES) {
    it(`${describeConvCase(c)}: output and gradients equal cpu's`, async () => {
      // The 3x3 stride-1 cases would take Winograd's route (winograd-conv.test.ts): here the direct kernel runs.
      await expectRunsEqualCpu(c, [
        ['wasm', () => withoutWinograd(() => convOutputsOn('wasm', c))],
        ['wasm, plain SIMD (no fused multiply-add)', () => withPlainSimd(() => withoutWinograd(() => convOutputsOn('wasm', c)))],
        ['wasm with XNNPACK\'s convolutions', () => withoutDirectConvolution(() => convOutputsOn('wasm', c))],
        ['wasm without SIMD kernels', () => withoutSimdKernels(() => convOutputsOn('wasm', c))],
      ]);
      assert.ok(compiledFor(c), 'the generated kernel ran for this geometry');
    });
  }

  it('takes 4 or more output channels and no dilation, and leaves the rest to XNNPACK', async () => {
    const info = (co: number, dilation = 1) =>
        tf.backend_util.computeConv2DInfo([2, 8, 8, 8], [3, 3, 8, co], 1, dilation, 'same');
    assert.equal(directConvPays(info(16)), true);
    assert.equal(directConvPays(info(20)), true);
    assert.equal(directConvPays(info(8)), true);
    assert.equal(directConvPays(info(4)), true);
    assert.equal(directConvPays(info(18)), true, 'not a multiple of 4: its last vector partly stored');
    assert.equal(directConvPays(info(3)), false, 'fewer than 4');
    assert.equal(directConvPays(info(16, 2)), false, 'dilated');
    // Such a convolution still computes cpu's result, on XNNPACK.
    const narrow: ConvCase = {batch: 1, size: [6, 6], inChannels: 8, outChannels: 3, kernel: [3, 3], strides: [1, 1], padding: 'same',
                          bias: false, activation: 'linear'};
    const [ours, reference] = [await convOutputsOn('wasm', narrow), await convOutputsOn('cpu', narrow)];
    assert.ok(relativeError(ours[0], reference[0]) < 1e-5);
    assert.ok(!compiledFor(narrow), 'no kernel compiled for 3 outputs');
    // A raised floor leaves narrow convolutions to XNNPACK (how docs/engine.md compares the two in one process).
    setDirectConvolutionFloor(16);
    try {
      assert.equal(directConvPays(info(8)), false);
      assert.equal(directConvPays(info(16)), true);
    } finally {
      setDirectConvolutionFloor();
    }
    assert.equal(directConvPays(info(8)), true);
    assert.throws(() => setDirectConvolutionFloor(6), /setDirectConvolutionFloor: channels must be a positive multiple of 4, got 6/);
  });

  it('leaves activations it does not apply (ELU, PReLU) to the stock kernel', async () => {
    const c: ConvCase = {batch: 1, size: [6, 6], inChannels: 8, outChannels: 36, kernel: [3, 3], strides: [1, 1], padding: 'same',
                     bias: true, activation: 'linear'};
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => Float32Array.from(tf.fused.conv2d({
        x: wave([1, 6, 6, 8], 1) as tf.Tensor4D, filter: wave([3, 3, 8, 36], 2) as tf.Tensor4D, pad: 'same', strides: 1,
        bias: wave([36], 3), activation: 'elu'}).dataSync()));
    };
    assert.ok(relativeError(await run('wasm'), await run('cpu')) < 1e-5);
    assert.ok(!compiledFor(c), 'no kernel compiled for an ELU convolution');
  });
});
