/** GroupConv2D and ChannelShuffle against independent constructions. */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {modelCost} from '../../lib/cost';
import {initEngine} from '../../lib/engine';
import {ChannelShuffle, GroupConv2D} from '../../lib/layers';
import {applyTo} from '../../lib/layers/apply';
import {GROUP_CONV_ROUTES, groupedConv2d, resolveRoute} from '../../lib/layers/group-conv';
import {wave} from '../../lib/bench/gradients';
import {gradsOn, relativeError} from '../helpers/gradients';

function applyLayer(layer: tf.layers.Layer, x: tf.Tensor, kernel?: tf.Tensor): tf.Tensor {
  layer.build(x.shape);
  if (kernel) layer.setWeights([kernel]);
  return layer.apply(x) as tf.Tensor;
}

/** The dense kernel [kh, kw, C_in, C_out] that is zero outside each group's block. */
function blockDiagonal(grouped: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [kh, kw, cinPerGroup, cout] = grouped.shape;
  const coutPerGroup = cout / groups;
  const values = grouped.arraySync();
  const dense = tf.buffer([kh, kw, cinPerGroup * groups, cout]);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < cinPerGroup; c++) {
    for (let o = 0; o < cout; o++) {
      const g = Math.floor(o / coutPerGroup);
      dense.set(values[i][j][c][o], i, j, g * cinPerGroup + c, o);
    }
  }
  return dense.toTensor() as tf.Tensor4D;
}

describe('GroupConv2D and ChannelShuffle', () => {
  before(async () => { await initEngine('wasm'); await tf.setBackend('cpu'); });
  afterEach(() => tf.disposeVariables());

  for (const route of GROUP_CONV_ROUTES) {
    for (const [groups, strides, padding] of [[1, 1, 'same'], [2, 1, 'same'], [4, 2, 'valid'], [8, 2, 'same']] as const) {
      it(`route ${route}, G=${groups}, stride ${strides}, ${padding}: equals a dense conv with a block-diagonal kernel`, () => {
        const x = wave([2, 9, 9, 8], 1);
        const kernel = wave([3, 3, 8 / groups, 16], 2) as tf.Tensor4D;
        const ours = applyLayer(new GroupConv2D({filters: 16, kernelSize: 3, groups, strides, padding, route}), x, kernel);
        const reference = tf.conv2d(x as tf.Tensor4D, blockDiagonal(kernel, groups), strides, padding);
        assert.deepEqual(ours.shape, reference.shape);
        assert.ok(relativeError(ours.dataSync() as Float32Array, reference.dataSync() as Float32Array) < 1e-6);
      });
    }
  }

  it('every route has the same gradients, for the input and the kernel, on wasm as on cpu', async () => {
    // Inputs per group n and outputs per group m both above 1, and the depthwise end.
    for (const [groups, inChannels, outChannels] of [[4, 8, 12], [6, 6, 6], [2, 8, 4]]) {
      const inputs = () => [wave([2, 7, 7, inChannels], 6), wave([3, 3, inChannels / groups, outChannels], 7)];
      const [dxRef, dkRef] = await gradsOn('cpu', (x, k) =>
          groupedConv2d(x as tf.Tensor4D, k as tf.Tensor4D, groups, 2, 'same', 'split').square().sum() as tf.Scalar, inputs);
      for (const route of ['split', 'depthwise', 'masked', 'direct'] as const) {
        for (const backend of ['cpu', 'wasm']) {
          const [dx, dk] = await gradsOn(backend, (x, k) =>
              groupedConv2d(x as tf.Tensor4D, k as tf.Tensor4D, groups, 2, 'same', route).square().sum() as tf.Scalar, inputs);
          const where = `G=${groups}, ${inChannels} -> ${outChannels}, ${route} on ${backend}`;
          assert.ok(relativeError(dx, dxRef) < 1e-5, `dx ${where}`);
          assert.ok(relativeError(dk, dkRef) < 1e-5, `dkernel ${where}`);
        }
      }
    }
    await tf.setBackend('cpu');
  });

  it("'auto' takes a regular convolution for one group, the depthwise route for few inputs per group, else split (on cpu)", () => {
    assert.equal(resolveRoute('auto', 1, 64), 'conv');
    assert.equal(resolveRoute('auto', 64, 64), 'depthwise');
    assert.equal(resolveRoute('auto', 32, 64), 'depthwise');
    assert.equal(resolveRoute('auto', 16, 64), 'split');
    assert.equal(resolveRoute('auto', 2, 64), 'split');
    assert.equal(resolveRoute('masked', 2, 64), 'masked');
    assert.throws(() => new GroupConv2D({filters: 8, kernelSize: 3, groups: 2, route: 'fast' as never}),
        /GroupConv2D: route must be one of auto, split, depthwise, masked, direct, got 'fast'/);
  });

  it('G = channels is a depthwise convolution', () => {
    const x = wave([1, 6, 6, 4], 3);
    const kernel = wave([3, 3, 1, 4], 4);
    const ours = applyLayer(new GroupConv2D({filters: 4, kernelSize: 3, groups: 4}), x, kernel);
    const depthwise = tf.depthwiseConv2d(x as tf.Tensor4D, kernel.reshape([3, 3, 4, 1]) as tf.Tensor4D, 1, 'same');
    assert.ok(relativeError(ours.dataSync() as Float32Array, depthwise.dataSync() as Float32Array) < 1e-6);
  });

  it('gradients on wasm equal cpu', async () => {
    const layer = new GroupConv2D({filters: 8, kernelSize: 3, groups: 4, strides: 2});
    layer.build([2, 7, 7, 8]);
    const kernel = wave([3, 3, 2, 8], 5);
    const fn = (x: tf.Tensor, k: tf.Tensor) => {
      layer.setWeights([k]);
      return (layer.apply(x) as tf.Tensor).square().sum() as tf.Scalar;
    };
    // Gradients with respect to the input (the kernel is set, not traced).
    const [reference] = await gradsOn('cpu', x => fn(x, kernel), () => [wave([2, 7, 7, 8], 6)]);
    const [ours] = await gradsOn('wasm', x => fn(x, kernel), () => [wave([2, 7, 7, 8], 6)]);
    assert.ok(relativeError(ours, reference) < 1e-5);
    await tf.setBackend('cpu');
  });

  it('costs 1/G of the dense convolution, counted as "group" weights', () => {
    const input = tf.input({shape: [14, 14, 64]});
    const model = tf.model({inputs: input, outputs: applyTo(new GroupConv2D({filters: 128, kernelSize: 3, groups: 4}), input)});
    const [, row] = modelCost(model);
    assert.equal(row.macs, 14 * 14 * 128 * 9 * 64 / 4);
    assert.equal(row.weightParams, 9 * 16 * 128);
    assert.equal(row.kind, 'group');
    model.dispose();
  });

  it('ChannelShuffle interleaves the groups: [0..5] with G = 2 -> 0 3 1 4 2 5', () => {
    const x = tf.tensor4d([0, 1, 2, 3, 4, 5], [1, 1, 1, 6]);
    const y = new ChannelShuffle({groups: 2}).apply(x) as tf.Tensor;
    assert.deepEqual(Array.from(y.dataSync()), [0, 3, 1, 4, 2, 5]);
  });

  it('refuses channels that do not divide into the groups, naming them', () => {
    assert.throws(() => new GroupConv2D({filters: 10, kernelSize: 3, groups: 4}), /10 output channels do not divide into 4 groups/);
    assert.throws(() => new GroupConv2D({filters: 8, kernelSize: 3, groups: 4}).build([1, 5, 5, 6]), /6 input channels do not divide into 4 groups/);
  });
});
