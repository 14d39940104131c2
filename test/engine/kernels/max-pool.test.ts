/**
 * Max pooling on wasm with the lab's kernel (packages/
 * tfjs-backend-wasm-train/src/kernels/pooling.ts), SIMD and JavaScript,
 * against the cpu backend, bit for bit: windows and strides square and
 * not, same and valid padding, channel counts with and without a scalar
 * tail, and the values where a maximum could go wrong (NaN, which cpu
 * never takes, -0 beside +0, ties, infinities).
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../../lib/engine';
import {wave} from '../../../lib/bench/gradients';
import {withStockWasmKernel} from '../../../packages/tfjs-backend-wasm-train/src/kernels/wasm-replacements';
import {withoutSimdKernels} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';

/** Each element's float32 bits (so -0 and +0 differ), every NaN as 'NaN'. */
function bits(t: tf.Tensor): Array<number | 'NaN'> {
  const values = Float32Array.from(t.dataSync());
  return Array.from(new Uint32Array(values.buffer), (b, i) => Number.isNaN(values[i]) ? 'NaN' : b);
}

type Window = [number, number];
interface PoolCase {x: number[]; size: Window; strides: Window; pad: 'same' | 'valid' | number}

const CASES: PoolCase[] = [
  {x: [2, 9, 9, 8], size: [3, 3], strides: [1, 1], pad: 'same'},     // Inception's pool branch
  {x: [2, 9, 9, 8], size: [3, 3], strides: [2, 2], pad: 'valid'},    // a grid reduction
  {x: [2, 15, 15, 6], size: [3, 3], strides: [2, 2], pad: 'same'},   // Xception's: 6 channels, a vector and a tail of 2
  {x: [3, 11, 6, 5], size: [2, 2], strides: [2, 2], pad: 'same'},    // even window, odd non-square input
  {x: [1, 8, 10, 1], size: [2, 3], strides: [1, 2], pad: 'same'},    // one channel: the tail alone
  {x: [2, 7, 7, 13], size: [7, 7], strides: [1, 1], pad: 'valid'},   // the whole image
  {x: [2, 5, 5, 4], size: [5, 5], strides: [3, 3], pad: 'same'},
  {x: [1, 2, 2, 3], size: [1, 1], strides: [2, 2], pad: 1},           // cpu's rule: a 1x1 window that keeps the shape copies x
];

/** x for a case: the `wave` values, with `special` ones (NaN, -0, infinities, ties) at every seventh value. */
function input(c: PoolCase, special: boolean): tf.Tensor4D {
  const values = wave(c.x, 3).mul(special ? 1 : 4).dataSync() as Float32Array;
  if (special) {
    const odd = [NaN, -0, 0, Infinity, -Infinity, 1.5, 1.5, NaN];
    for (let i = 0; i < values.length; i += 7) values[i] = odd[(i / 7) % odd.length];
  }
  return tf.tensor4d(values, c.x as [number, number, number, number]);
}

describe('max pooling on wasm: the lab\'s SIMD kernel', () => {
  before(async () => { await initEngine('wasm'); });
  after(async () => initEngine('wasm'));

  /** The case's output on wasm's SIMD kernel, on its JavaScript loop, and on cpu. */
  async function onEach(c: PoolCase, special: boolean): Promise<Record<'simd' | 'javascript' | 'cpu', Array<number | 'NaN'>>> {
    const pool = () => tf.tidy(() => bits(tf.maxPool(input(c, special), c.size, c.strides, c.pad)));
    await tf.setBackend('cpu');
    const cpu = pool();
    await tf.setBackend('wasm');
    return {simd: pool(), javascript: await withoutSimdKernels(async () => pool()), cpu};
  }

  for (const c of CASES) {
    const name = `${c.size.join('x')} s${c.strides.join('x')} ${c.pad} on x${JSON.stringify(c.x)}`;
    for (const special of [false, true]) {
      it(`${name}${special ? ' with NaN, -0, infinities and ties' : ''}: SIMD and JavaScript equal cpu's bit for bit`, async () => {
        const {simd, javascript, cpu} = await onEach(c, special);
        assert.deepEqual(simd, cpu);
        assert.deepEqual(javascript, cpu);
      });
    }
  }

  it('stock tfjs-backend-wasm MaxPool gives -Infinity for a window that starts with NaN (why the lab replaces it)', async () => {
    // Two 2x2 windows: NaN, 1, 0, -0 (cpu: 1) and -0, 0, NaN, NaN (cpu: -0).
    const x = tf.tensor4d([NaN, 1, -0, 0, 0, -0, NaN, NaN], [1, 2, 4, 1]);
    const pool = () => Array.from(tf.maxPool(x, 2, 2, 'valid').dataSync(), v => Object.is(v, -0) ? '-0' : v);
    assert.deepEqual(pool(), [1, '-0']);
    assert.deepEqual(await withStockWasmKernel('MaxPool', async () => pool()), [-Infinity, '-0']);
  });

  it('takes the call from the stock kernel (whose results it matches on ordinary values)', async () => {
    const c = CASES[0];
    const x = input(c, false);
    const ours = bits(tf.maxPool(x, c.size, c.strides, c.pad));
    const stock = await withStockWasmKernel('MaxPool', () => bits(tf.maxPool(x, c.size, c.strides, c.pad)));
    assert.deepEqual(ours, stock);
    assert.ok(tf.getKernel('MaxPool', 'wasm') != null);
  });

  it('int32 tensors go to the stock kernel, which refuses them as before', () => {
    const x = tf.tensor4d([1, 5, -2, 3], [1, 2, 2, 1], 'int32');
    assert.throws(() => tf.maxPool(x, 2, 1, 'valid'), /MaxPool: only float32 input is supported\. Got int32/);
  });

  it('a shape that is not [N, H, W, C] is an error naming it', () => {
    assert.throws(() => tf.engine().runKernel('MaxPool', {x: tf.zeros([4, 4, 2])}, {filterSize: 2, strides: 2, pad: 'valid'}),
                  {message: 'Error in maxPool: input must be rank 4, but got shape [4, 4, 2]'});
  });
});
