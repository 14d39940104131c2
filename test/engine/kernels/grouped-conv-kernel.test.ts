/**
 * The lab's grouped-convolution kernel (packages/tfjs-backend-wasm-train/src/kernels/grouped-conv-kernel.ts): forward
 * pass and both gradients against the split route on the cpu backend (G
 * stock convolutions), on cpu (JavaScript loops), on wasm with the code
 * compiled for each geometry (the generated convolution's, where each
 * group fills its tiles, and the grouped module's), and on wasm with the
 * SIMD kernels switched off.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../../lib/engine';
import {GROUP_CONV, compiledGroupConvGeometries, groupConvSimdHere} from '../../../packages/tfjs-backend-wasm-train/src/kernels/grouped-conv-kernel';
import {compiledDirectConvGeometries, withoutDirectConvolution} from '../../../packages/tfjs-backend-wasm-train/src/kernels/direct-conv';
import {
  compiledWinogradGeometries, groupedWinogradPays, withoutGroupedWinograd,
} from '../../../packages/tfjs-backend-wasm-train/src/kernels/winograd-conv';
import {withPlainSimd, withoutSimdKernels} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';
import {wave} from '../../../lib/bench/gradients';
import {gradsOn, relativeError} from '../../helpers/gradients';
import {groupedConv2d, resolveRoute} from '../../../lib/layers/group-conv';

interface Case {
  batch: number; size: [number, number]; inChannels: number; outChannels: number; groups: number;
  kernel: [number, number]; stride: number; padding: 'same' | 'valid';
  /** Whether wasm runs it as compiled SIMD code (inputs a group and outputs in multiples of 4). */
  compiled: boolean;
}

const CASES: Case[] = [
  // CondenseNet's shape (8 inputs, 2 outputs a group), an odd width, both strides and paddings.
  {batch: 3, size: [7, 6], inChannels: 32, outChannels: 8, groups: 4, kernel: [3, 3], stride: 1, padding: 'same', compiled: true},
  {batch: 2, size: [7, 6], inChannels: 32, outChannels: 8, groups: 4, kernel: [3, 3], stride: 2, padding: 'same', compiled: true},
  {batch: 2, size: [8, 7], inChannels: 16, outChannels: 8, groups: 2, kernel: [3, 3], stride: 1, padding: 'valid', compiled: true},
  {batch: 2, size: [8, 7], inChannels: 16, outChannels: 8, groups: 2, kernel: [3, 3], stride: 2, padding: 'valid', compiled: true},
  // 5x5 and 1x3 kernels; 6 outputs a group (blocks of 4 outputs straddle groups unevenly); 1 output a group.
  {batch: 1, size: [9, 9], inChannels: 8, outChannels: 12, groups: 2, kernel: [5, 5], stride: 1, padding: 'same', compiled: true},
  {batch: 2, size: [5, 8], inChannels: 24, outChannels: 8, groups: 2, kernel: [1, 3], stride: 1, padding: 'same', compiled: true},
  {batch: 2, size: [6, 6], inChannels: 32, outChannels: 8, groups: 8, kernel: [3, 3], stride: 1, padding: 'same', compiled: true},
  // Larger groups: 32 inputs and 8 outputs a group (two tiles of the filter gradient), 1x1.
  {batch: 2, size: [3, 3], inChannels: 64, outChannels: 16, groups: 2, kernel: [3, 3], stride: 1, padding: 'same', compiled: true},
  {batch: 2, size: [4, 4], inChannels: 16, outChannels: 16, groups: 4, kernel: [1, 1], stride: 1, padding: 'same', compiled: true},
  // Outputs a group in whole tiles of the generated convolution (forward and input gradient run there): 8 a
  // group (chapter 02's k = 4) at strides 1 and 2, 16, and 32 (two blocks a group).
  {batch: 2, size: [7, 9], inChannels: 32, outChannels: 32, groups: 4, kernel: [3, 3], stride: 1, padding: 'same', compiled: true},
  {batch: 2, size: [7, 9], inChannels: 32, outChannels: 32, groups: 4, kernel: [3, 3], stride: 2, padding: 'same', compiled: true},
  {batch: 2, size: [5, 5], inChannels: 32, outChannels: 32, groups: 2, kernel: [3, 3], stride: 1, padding: 'valid', compiled: true},
  {batch: 1, size: [4, 4], inChannels: 64, outChannels: 64, groups: 2, kernel: [3, 3], stride: 1, padding: 'same', compiled: true},
  // Winograd's route (3x3, stride 1, 8 or more channels a group, outputs that fill their 2x2 tiles): 8 a group, 16 in and 8 out
  // (the input gradient 8 in and 16 out), 16 a group with 'valid' (an 8 x 4 output).
  {batch: 2, size: [6, 8], inChannels: 32, outChannels: 32, groups: 4, kernel: [3, 3], stride: 1, padding: 'same', compiled: true},
  {batch: 3, size: [4, 6], inChannels: 64, outChannels: 32, groups: 4, kernel: [3, 3], stride: 1, padding: 'same', compiled: true},
  {batch: 2, size: [10, 6], inChannels: 48, outChannels: 48, groups: 3, kernel: [3, 3], stride: 1, padding: 'valid', compiled: true},
  // Not in multiples of 4: the JavaScript loops, on wasm too.
  {batch: 2, size: [6, 5], inChannels: 6, outChannels: 6, groups: 3, kernel: [3, 3], stride: 1, padding: 'same', compiled: false},
  {batch: 2, size: [6, 5], inChannels: 16, outChannels: 6, groups: 2, kernel: [3, 3], stride: 2, padding: 'valid', compiled: false},
];

function describeCase(c: Case): string {
  return `${c.batch}x${c.size.join('x')}x${c.inChannels} -> ${c.outChannels}, G=${c.groups}, ${c.kernel.join('x')}, ` +
         `stride ${c.stride}, ${c.padding}`;
}

/** Output, input gradient and kernel gradient of sum(y * probe), by one route, on one backend. */
async function outputsOn(backend: string, c: Case, route: 'split' | 'direct'): Promise<Float32Array[]> {
  const inputs = () => [wave([c.batch, ...c.size, c.inChannels], 1), wave([...c.kernel, c.inChannels / c.groups, c.outChannels], 2)];
  const conv = (x: tf.Tensor, k: tf.Tensor) => groupedConv2d(x as tf.Tensor4D, k as tf.Tensor4D, c.groups, c.stride, c.padding, route);
  const loss = (x: tf.Tensor, k: tf.Tensor) => {
    const y = conv(x, k);
    return y.mul(wave(y.shape, 3)).sum() as tf.Scalar;
  };
  const grads = await gradsOn(backend, loss, inputs);
  await tf.setBackend(backend);
  const [x, k] = inputs();
  const y = tf.tidy(() => conv(x, k).dataSync() as Float32Array);
  tf.dispose([x, k]);
  return [y, ...grads];
}

describe('the grouped-convolution kernel', function () {
  this.timeout(120_000);
  before(async () => { await initEngine('wasm'); });
  after(async () => { await tf.setBackend('wasm'); });

  for (const c of CASES) {
    it(`${describeCase(c)}: output and gradients equal the split route's`, async () => {
      const reference = await outputsOn('cpu', c, 'split');
      const runs: Array<[string, () => Promise<Float32Array[]>]> = [
        ['cpu', () => outputsOn('cpu', c, 'direct')],
        ['wasm', () => outputsOn('wasm', c, 'direct')],
        ['wasm, plain SIMD (no fused multiply-add)', () => withPlainSimd(() => outputsOn('wasm', c, 'direct'))],
        ['wasm, the generated direct convolution where Winograd\'s would run', () => withoutGroupedWinograd(() => outputsOn('wasm', c, 'direct'))],
        ['wasm, the grouped module only (no generated convolution)', () => withoutDirectConvolution(() => outputsOn('wasm', c, 'direct'))],
        ['wasm without SIMD kernels', () => withoutSimdKernels(() => outputsOn('wasm', c, 'direct'))],
      ];
      for (const [where, run] of runs) {
        const ours = await run();
        ['output', 'input gradient', 'kernel gradient'].forEach((what, i) =>
            assert.ok(relativeError(ours[i], reference[i]) < 1e-5, `${what} on ${where}: ${relativeError(ours[i], reference[i])}`));
      }
      const [H, W] = c.size;
      const compiledHere = compiledGroupConvGeometries().some(key => {
        const [shape] = JSON.parse(key) as [{H: number; W: number; Cin: number; Cout: number; n: number; stride: number; KH: number; KW: number}];
        return shape.H === H && shape.W === W && shape.Cin === c.inChannels && shape.Cout === c.outChannels &&
               shape.n === c.inChannels / c.groups && shape.stride === c.stride && shape.KH === c.kernel[0] && shape.KW === c.kernel[1];
      });
      assert.equal(compiledHere, c.compiled, `compiled SIMD code ${c.compiled ? 'ran' : 'did not run'} for this geometry`);
      // Winograd's route: the forward pass on x's images, the input gradient on dy's (its channels swapped).
      const [OH, OW] = c.padding === 'same' ? [H, W] : [H - 2, W - 2];
      const winograd = (h: number, w: number, ci: number, co: number) => compiledWinogradGeometries().some(key => {
        const s = JSON.parse(key) as {H: number; W: number; Ci: number; Co: number; groups?: number};
        return s.groups === c.groups && s.H === h && s.W === w && s.Ci === ci && s.Co === co;
      });
      const winogradPays = groupedWinogradPays({KH: c.kernel[0], KW: c.kernel[1], sh: c.stride, sw: c.stride, Ci: c.inChannels,
                                                Co: c.outChannels, groups: c.groups, OH, OW});
      assert.equal(winograd(H, W, c.inChannels, c.outChannels), winogradPays, 'the forward pass on Winograd\'s route where it pays');
      assert.equal(winograd(OH, OW, c.outChannels, c.inChannels), winogradPays, 'the input gradient on Winograd\'s route where it pays');
    });
  }

  it('takes Winograd\'s route for 3x3 stride-1 groups of 8 or more channels whose outputs fill their 2x2 tiles, and no others', async () => {
    const shape = (over: Partial<Parameters<typeof groupedWinogradPays>[0]> = {}) =>
        ({KH: 3, KW: 3, sh: 1, sw: 1, Ci: 64, Co: 64, groups: 4, OH: 14, OW: 14, ...over});
    assert.equal(groupedWinogradPays(shape()), true);
    assert.equal(groupedWinogradPays(shape({OH: 4, OW: 4, Ci: 128, Co: 128})), true);
    assert.equal(groupedWinogradPays(shape({OH: 15, OW: 15})), true, '12 % of the tiles\' sums wasted');
    assert.equal(groupedWinogradPays(shape({OH: 7, OW: 7})), false, '23 % wasted');
    assert.equal(groupedWinogradPays(shape({groups: 16})), false, '4 channels a group');
    assert.equal(groupedWinogradPays(shape({Co: 16, groups: 4})), false, '4 outputs a group');
    assert.equal(groupedWinogradPays(shape({Co: 96, groups: 4})), false, '24 outputs a group: a block and a half');
    assert.equal(groupedWinogradPays(shape({groups: 1})), false, 'one group: the dense route');
    assert.equal(groupedWinogradPays(shape({sh: 2, sw: 2})), false, 'stride 2');
    assert.equal(groupedWinogradPays(shape({KH: 5, KW: 5})), false, '5x5');
    await withoutGroupedWinograd(() => assert.equal(groupedWinogradPays(shape()), false, 'switched off'));
  });

  it('runs the forward pass and the input gradient on the generated convolution where each group fills whole tiles', async () => {
    const c: Case = {batch: 1, size: [6, 10], inChannels: 32, outChannels: 32, groups: 4, kernel: [3, 3], stride: 2, padding: 'same',
                     compiled: true};
    await outputsOn('wasm', c, 'direct');
    const grouped = compiledDirectConvGeometries()
        .map(key => JSON.parse(key) as {groups?: number; OH: number; OW: number; sh: number; KH: number; KW: number})
        .filter(s => s.groups === 4);
    assert.ok(grouped.some(s => s.OH === 3 && s.OW === 5 && s.sh === 2), 'the forward pass ([6, 10] at stride 2 -> [3, 5])');
    // The input gradient: one stride-1 convolution of dy per phase of the stride, each with the taps it meets (2 or 1 a side).
    for (const [KH, KW] of [[2, 2], [2, 1], [1, 2], [1, 1]]) {
      assert.ok(grouped.some(s => s.sh === 1 && s.KH === KH && s.KW === KW), `the input gradient's ${KH}x${KW} phase`);
    }
  });

  it("'auto' takes the kernel on wasm for few outputs a group or one tile of them, in multiples of 4 inputs a group, and split elsewhere", async () => {
    await tf.setBackend('wasm');
    assert.equal(resolveRoute('auto', 4, 32, 8), 'direct');      // CondenseNet: 8 inputs, 2 outputs a group
    assert.equal(resolveRoute('auto', 16, 64, 64), 'direct');    // 4 and 4
    assert.equal(resolveRoute('auto', 8, 64, 64), 'direct');     // 8 outputs a group: one tile
    assert.equal(resolveRoute('auto', 4, 64, 64), 'direct');     // 16
    assert.equal(resolveRoute('auto', 2, 128, 64), 'split');     // 32: two tiles, slower than split at two threads
    assert.equal(resolveRoute('auto', 2, 64, 48), 'split');      // 24 outputs a group: a tile and a half
    assert.equal(resolveRoute('auto', 4, 64, 24), 'split');      // 6 outputs a group
    assert.equal(resolveRoute('auto', 2, 12, 6), 'split');       // 6 inputs a group
    assert.equal(resolveRoute('auto', 32, 64, 64), 'depthwise'); // 2 inputs a group
    assert.ok(groupConvSimdHere(32, 8, 4));
    await withoutSimdKernels(async () => {
      assert.equal(resolveRoute('auto', 4, 32, 8), 'split');
      assert.equal(resolveRoute('auto', 8, 64, 64), 'split');
    });
    await tf.setBackend('cpu');
    assert.equal(resolveRoute('auto', 4, 32, 8), 'split');
    await tf.setBackend('wasm');
  });

  it('refuses inputs that do not fit, naming them', async () => {
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const x = tf.zeros([1, 4, 4, 8]), filter = tf.zeros([3, 3, 2, 8]);
      assert.throws(() => tf.engine().runKernel(GROUP_CONV, {x, filter}, {groups: 3, strides: 1, pad: 'same'}),
          /LabGroupConv2D: a kernel for 2 inputs a group x 3 groups does not fit 8 input channels/);
      assert.throws(() => tf.engine().runKernel(GROUP_CONV, {x, filter}, {groups: 4, strides: 0, pad: 'same'}),
          /LabGroupConv2D: strides must be a whole number >= 1, got 0/);
      assert.throws(() => tf.engine().runKernel(GROUP_CONV, {x, filter}, {groups: 4, strides: 1, pad: 'full'}),
          /LabGroupConv2D: pad must be 'same' or 'valid', got 'full'/);
      assert.throws(() => tf.engine().runKernel('LabGroupConv2DBackpropInput', {dy: tf.zeros([1, 3, 3, 8]), filter},
                                                 {groups: 4, strides: 1, pad: 'same', inputShape: [1, 4, 4, 8]}),
          /LabGroupConv2DBackpropInput: dy must have shape \[1, 4, 4, 8\] \(the convolution's output\), got \[1, 3, 3, 8\]/);
      tf.dispose([x, filter]);
    }
    await tf.setBackend('wasm');
  });
});
