/**
 * 3x3 stride-1 convolutions by Winograd's F(2x2, 3x3)
 * (packages/tfjs-backend-wasm-train/src/kernels/winograd-conv.ts): the
 * forward pass (bias, ReLU) and the input gradient's stride-1 convolution
 * against the cpu backend, with fused multiply-add, with plain SIMD, on
 * the direct convolution (the route switched off); where the route takes
 * a convolution; and its filter transform against G g G^T computed here.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../../lib/engine';
import {wave} from '../../../lib/bench/gradients';
import {
  compiledWinogradFilterGradGeometries, compiledWinogradGeometries, setWinogradFilterChunk, setWinogradStrides, winogradFilterGradientPays,
  winogradPays, withoutWinograd,
} from '../../../packages/tfjs-backend-wasm-train/src/kernels/winograd-conv';
import {
  compileKernelsNow, memoryOf, simdKernels, withPlainSimd, withScratch,
} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';
import {transformedFilterFloats, winogradModuleText} from '../../../packages/tfjs-backend-wasm-train/src/wasm/sources/winograd';
import {ConvCase, convOutputsOn, describeConvCase, expectRunsEqualCpu} from '../../helpers/conv-cases';
import {relativeError} from '../../helpers/gradients';

/** Winograd's route takes 3x3 convolutions at stride 1. */
const THREE_BY_THREE = {kernel: [3, 3] as [number, number], strides: [1, 1] as [number, number]};

const CASES: ConvCase[] = [
  // Odd rows and columns (the last tiles hold one output row or column), a block of 16 and a tail of 4, bias and ReLU.
  {batch: 2, size: [7, 9], inChannels: 16, outChannels: 20, ...THREE_BY_THREE, padding: 'same', bias: true, activation: 'relu'},
  // Even sizes, whole blocks; 'valid' (the frame is the image, nothing padded but the tiles' last row and column).
  {batch: 2, size: [8, 8], inChannels: 32, outChannels: 32, ...THREE_BY_THREE, padding: 'same', bias: false, activation: 'linear'},
  {batch: 2, size: [9, 6], inChannels: 20, outChannels: 24, ...THREE_BY_THREE, padding: 'valid', bias: true, activation: 'linear'},
  // Tails of 12 (three 4-tile products) and 8, one tile an image and a remainder of tiles.
  {batch: 3, size: [5, 5], inChannels: 16, outChannels: 28, ...THREE_BY_THREE, padding: 'same', bias: true, activation: 'relu'},
  {batch: 2, size: [2, 3], inChannels: 16, outChannels: 40, ...THREE_BY_THREE, padding: 'same', bias: false, activation: 'linear'},
  // Narrow: 8 -> 12 (a tail block of 12 on its own); the filter gradient's route with odd sizes and 'valid'.
  {batch: 2, size: [6, 7], inChannels: 8, outChannels: 12, ...THREE_BY_THREE, padding: 'same', bias: true, activation: 'relu'},
  {batch: 3, size: [7, 5], inChannels: 32, outChannels: 40, ...THREE_BY_THREE, padding: 'valid', bias: false, activation: 'linear'},
  // Wide channels, as the spectrum's last stage.
  {batch: 2, size: [4, 4], inChannels: 128, outChannels: 128, ...THREE_BY_THREE, padding: 'same', bias: true, activation: 'linear'},
];

/** Whether the route compiled a geometry of `inChannels` -> `outChannels` channels on images of `size` (forward or input gradient). */
function compiledFor(size: [number, number], inChannels: number, outChannels: number): boolean {
  return compiledWinogradGeometries().some(key => {
    const s = JSON.parse(key) as {H: number; W: number; Ci: number; Co: number};
    return s.H === size[0] && s.W === size[1] && s.Ci === inChannels && s.Co === outChannels;
  });
}

describe('Winograd\'s 3x3 convolution', function () {
  this.timeout(120_000);
  before(async () => { await initEngine('wasm'); });
  after(async () => { await tf.setBackend('wasm'); });

  for (const c of CASES) {
    it(`${describeConvCase(c)}: output and gradients equal cpu's`, async () => {
      await expectRunsEqualCpu(c, [
        ['wasm', () => convOutputsOn('wasm', c)],
        ['wasm, plain SIMD (no fused multiply-add)', () => withPlainSimd(() => convOutputsOn('wasm', c))],
        ['wasm with the direct convolution', () => withoutWinograd(() => convOutputsOn('wasm', c))],
      ]);
      assert.ok(compiledFor(c.size, c.inChannels, c.outChannels), 'the forward pass ran on Winograd\'s route');
      if (c.padding === 'same') assert.ok(compiledFor(c.size, c.outChannels, c.inChannels), 'the input gradient ran on it');
      const filterGradient = compiledWinogradFilterGradGeometries().some(key => {
        const s = JSON.parse(key) as {H: number; W: number; Ci: number; Co: number; N: number};
        return s.H === c.size[0] && s.W === c.size[1] && s.Ci === c.inChannels && s.Co === c.outChannels && s.N === c.batch;
      });
      assert.equal(filterGradient, c.inChannels >= 16 && c.outChannels >= 24 && c.outChannels % 8 === 0,
                   'the filter gradient ran on Winograd\'s route where it pays');
    });
  }

  it('takes 3x3 stride-1 convolutions of 8 or more channels each way in multiples of 4, and no others', async () => {
    const info = (ci: number, co: number, filter = 3, stride = 1, dilation = 1) =>
        tf.backend_util.computeConv2DInfo([2, 8, 8, ci], [filter, filter, ci, co], stride, dilation, 'same');
    assert.equal(winogradPays(info(16, 16)), true);
    assert.equal(winogradPays(info(20, 64)), true);
    assert.equal(winogradPays(info(8, 12)), true);
    assert.equal(winogradPays(info(4, 16)), false, 'fewer than 8 inputs');
    assert.equal(winogradPays(info(16, 4)), false, 'fewer than 8 outputs');
    assert.equal(winogradPays(info(18, 16)), false, 'inputs not a multiple of 4');
    assert.equal(winogradPays(info(16, 18)), false, 'outputs not a multiple of 4');
    // The filter gradient: 16 or more inputs, 24 or more outputs in multiples of 8.
    assert.equal(winogradFilterGradientPays(info(32, 32)), true);
    assert.equal(winogradFilterGradientPays(info(128, 48)), true);
    assert.equal(winogradFilterGradientPays(info(16, 24)), true);
    assert.equal(winogradFilterGradientPays(info(8, 32)), false, 'fewer than 16 inputs');
    assert.equal(winogradFilterGradientPays(info(64, 16)), false, 'fewer than 24 outputs');
    assert.equal(winogradFilterGradientPays(info(32, 36)), false, 'outputs not a multiple of 8');
    assert.equal(winogradFilterGradientPays(info(32, 32, 3, 2)), false, 'stride 2');
    assert.equal(winogradPays(info(16, 16, 5)), false, '5x5');
    assert.equal(winogradPays(info(16, 16, 3, 2)), false, 'stride 2 under 128 channels (unless setWinogradStrides takes it)');
    // Stride 2 from 128 channels each way with an even output: the forward pass from 4 x 4 outputs, the filter gradient from 2 x 2.
    const stride2 = (size: number, ci: number, co: number) =>
        tf.backend_util.computeConv2DInfo([2, size, size, ci], [3, 3, ci, co], 2, 1, 'same');
    assert.equal(winogradPays(stride2(8, 128, 128)), true, 'stride 2, 128 channels, 4 x 4 outputs');
    assert.equal(winogradFilterGradientPays(stride2(8, 128, 128)), true);
    assert.equal(winogradPays(stride2(7, 128, 256)), true, 'stride 2, 7 x 7 in, 4 x 4 out');
    assert.equal(winogradPays(stride2(6, 128, 128)), false, 'stride 2, 3 x 3 outputs (odd)');
    assert.equal(winogradFilterGradientPays(stride2(6, 128, 128)), false, 'stride 2, 3 x 3 outputs (odd)');
    assert.equal(winogradPays(stride2(8, 64, 128)), false, 'stride 2, 64 inputs');
    assert.equal(winogradPays(stride2(8, 128, 64)), false, 'stride 2, 64 outputs');
    assert.equal(winogradPays(stride2(4, 128, 128)), false, 'stride 2 forward, 2 x 2 outputs');
    assert.equal(winogradFilterGradientPays(stride2(4, 128, 128)), true, 'stride 2 filter gradient, 2 x 2 outputs');
    setWinogradStrides([1]);
    try {
      assert.equal(winogradPays(stride2(8, 128, 128)), false, 'stride 1 only, as set');
      assert.equal(winogradFilterGradientPays(stride2(8, 128, 128)), false, 'stride 1 only, as set');
    } finally {
      setWinogradStrides();
    }
    assert.equal(winogradPays(info(16, 16, 3, 1, 2)), false, 'dilated');
    await withoutWinograd(() => assert.equal(winogradPays(info(16, 16)), false, 'switched off'));
    // A stride-2 convolution still equals cpu's, on the direct kernel, and compiles no Winograd geometry.
    const before = compiledWinogradGeometries().length;
    const strided = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => Float32Array.from(tf.conv2d(wave([1, 9, 9, 16], 1) as tf.Tensor4D, wave([3, 3, 16, 16], 2) as tf.Tensor4D, 2, 'same').dataSync()));
    };
    assert.ok(relativeError(await strided('wasm'), await strided('cpu')) < 1e-5);
    assert.equal(compiledWinogradGeometries().length, before);
  });

  it('at stride 2, where it pays by default or a benchmark switches it on, equals cpu (forward pass and filter gradient)', async () => {
    const strided = async (backend: string, c: {size: [number, number]; ci: number; co: number; padding: 'same' | 'valid'; bias: boolean}) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = wave([2, ...c.size, c.ci], 1) as tf.Tensor4D, w = wave([3, 3, c.ci, c.co], 2) as tf.Tensor4D;
        const y = tf.fused.conv2d({x, filter: w, strides: 2, pad: c.padding, bias: c.bias ? wave([c.co], 3) as tf.Tensor1D : undefined,
                                   activation: 'relu'});
        const dw = tf.grad(ww => { const z = tf.conv2d(x, ww as tf.Tensor4D, 2, c.padding); return z.mul(wave(z.shape, 4)).sum(); })(w);
        return [y, dw].map(t => Float32Array.from(t.dataSync()));
      });
    };
    const strideTwo = () => compiledWinogradGeometries().concat(compiledWinogradFilterGradGeometries())
        .filter(key => (JSON.parse(key) as {stride: number}).stride === 2).length;
    const cases = [{size: [14, 14] as [number, number], ci: 32, co: 32, padding: 'same' as const, bias: true},
                   {size: [9, 8] as [number, number], ci: 36, co: 40, padding: 'valid' as const, bias: false}];
    const before = strideTwo();
    await strided('wasm', cases[0]);
    assert.equal(strideTwo(), before, 'stride 2 under 128 channels stays on the direct kernel by default');
    const wide = {size: [7, 7] as [number, number], ci: 128, co: 128, padding: 'same' as const, bias: true};
    const [oursWide, referenceWide] = [await strided('wasm', wide), await strided('cpu', wide)];
    ['output', 'filter gradient'].forEach((what, i) =>
        assert.ok(relativeError(oursWide[i], referenceWide[i]) < 1e-5, `${what}, ${JSON.stringify(wide)}: ${relativeError(oursWide[i], referenceWide[i])}`));
    assert.equal(strideTwo(), before + 3, 'from 128 channels with an even output, the forward passes (with the ReLU and without) and the filter gradient took stride 2 by default');
    setWinogradStrides([1, 2]);
    try {
      for (const c of cases) {
        const [ours, reference] = [await strided('wasm', c), await strided('cpu', c)];
        ['output', 'filter gradient'].forEach((what, i) =>
            assert.ok(relativeError(ours[i], reference[i]) < 1e-5, `${what}, ${JSON.stringify(c)}: ${relativeError(ours[i], reference[i])}`));
      }
      assert.ok(strideTwo() >= before + 3 + 4, 'the forward passes and filter gradients ran at stride 2');
    } finally {
      setWinogradStrides();
    }
    assert.throws(() => setWinogradStrides([1, 3]), /setWinogradStrides: strides must be 'auto' or among 1, 2, got 1, 3/);
  });

  it('sums the filter gradient chunk by chunk of images bit for bit as over the whole batch', async () => {
    const filterGradient = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = wave([6, 7, 7, 16], 1) as tf.Tensor4D, w = wave([3, 3, 16, 24], 2) as tf.Tensor4D;
        const dw = tf.grad(ww => { const z = tf.conv2d(x, ww as tf.Tensor4D, 1, 'same'); return z.mul(wave(z.shape, 4)).sum(); })(w);
        return Float32Array.from(dw.dataSync());
      });
    };
    const chunked = () => compiledWinogradFilterGradGeometries().map(key => (JSON.parse(key) as {N: number; chunk?: number}))
        .filter(s => s.N === 6 && s.chunk != null).map(s => s.chunk!);
    try {
      setWinogradFilterChunk('whole');
      const whole = await filterGradient('wasm');
      assert.ok(relativeError(whole, await filterGradient('cpu')) < 1e-5);
      // 4 images do not divide 6: chunks of 3.
      for (const [images, chunk] of [[1, 1], [2, 2], [4, 3]] as const) {
        setWinogradFilterChunk(images);
        assert.deepEqual(await filterGradient('wasm'), whole, `chunks of ${chunk} images`);
        assert.ok(chunked().includes(chunk), `the module for chunks of ${chunk} images ran`);
      }
    } finally {
      setWinogradFilterChunk();
    }
    assert.throws(() => setWinogradFilterChunk(0), /setWinogradFilterChunk: images must be a whole number from 1, 'whole' or 'auto', got 0/);
  });

  it('transforms the filter to G g G^T, packed by blocks of 16 output channels', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as Parameters<typeof simdKernels>[0];
    const Ci = 4, Co = 20;
    const module = compileKernelsNow(backend, 'winograd-test.wat', memory =>
        winogradModuleText({H: 4, W: 4, Ci, top: 1, left: 1, OH: 4, OW: 4, Co, stride: 1, activation: 'linear'}, memory));
    assert.ok(module != null, 'the module compiled');
    const filter = Float32Array.from({length: 9 * Ci * Co}, (_, i) => Math.sin(i + 1));
    const floats = transformedFilterFloats(Ci, Co, 1);
    const transformed = withScratch(backend, (filter.length + floats) * 4, at => {
      new Float32Array(memoryOf(backend)!.buffer, at, filter.length).set(filter);
      (module.exports['transformFilter'] as (w: number, u: number) => void)(at, at + filter.length * 4);
      return Float32Array.from(new Float32Array(memoryOf(backend)!.buffer, at + filter.length * 4, floats));
    });
    const G = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]];
    let worst = 0;
    for (let ci = 0; ci < Ci; ci++) {
      for (let co = 0; co < Co; co++) {
        const g = (kh: number, kw: number) => filter[((kh * 3 + kw) * Ci + ci) * Co + co];
        const co0 = co < 16 ? 0 : 16, width = co < 16 ? 16 : Co - 16;
        for (let i = 0; i < 4; i++) {
          for (let j = 0; j < 4; j++) {
            let u = 0;
            for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) u += G[i][kh] * g(kh, kw) * G[j][kw];
            const packed = transformed[co0 * 16 * Ci + ((i * 4 + j) * Ci + ci) * width + (co - co0)];
            worst = Math.max(worst, Math.abs(packed - u));
          }
        }
      }
    }
    assert.ok(worst < 1e-6, `the packed transform is off by ${worst}`);
  });
});
