/**
 * The lab's wasm kernels against the stock `cpu` backend: every gradient
 * over a table of shapes (strides 1 and 2, same and valid padding, kernels
 * 1/3/5/7 and 1x7/7x1, depth multipliers > 1, non-square inputs) must agree
 * to a relative error of 1e-5.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {initEngine} from '../../../lib/engine';
import {withStockWasmKernel} from '../../../packages/tfjs-backend-wasm-train/src/kernels/wasm-replacements';
import {smallMatMulRuns, withoutSmallMatMul} from '../../../packages/tfjs-backend-wasm-train/src/kernels/matmul';
import {registerBatchNormKernels} from '../../../packages/tfjs-backend-wasm-train/src/kernels/batch-norm';
import {contiguousAxesReduce} from '../../../packages/tfjs-backend-wasm-train/src/kernels/reductions';
import type {WasmKernel, WasmKernelArgs} from '../../../packages/tfjs-backend-wasm-train/src/wasm/heap';
import {simdKernels, withoutSimdKernels} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';
import {wave} from '../../../lib/bench/gradients';
import {gradsOn, relativeError} from '../../helpers/gradients';

const TOLERANCE = 1e-5;

type Pad = 'same' | 'valid';
interface ConvCase {x: number[]; f: number[]; strides: number | [number, number]; pad: Pad}

const CONV_CASES: ConvCase[] = [
  {x: [2, 9, 9, 3], f: [3, 3, 3, 5], strides: 1, pad: 'same'},
  {x: [2, 9, 9, 3], f: [3, 3, 3, 5], strides: 2, pad: 'same'},
  {x: [2, 10, 10, 3], f: [3, 3, 3, 5], strides: 2, pad: 'valid'},
  {x: [2, 8, 8, 4], f: [1, 1, 4, 6], strides: 1, pad: 'valid'},
  {x: [2, 8, 8, 4], f: [1, 1, 4, 6], strides: 2, pad: 'same'},
  {x: [3, 11, 11, 2], f: [5, 5, 2, 4], strides: 2, pad: 'same'},
  {x: [2, 12, 12, 2], f: [7, 7, 2, 3], strides: 2, pad: 'same'},
  {x: [2, 9, 9, 3], f: [1, 7, 3, 4], strides: 1, pad: 'same'},
  {x: [2, 9, 9, 3], f: [7, 1, 3, 4], strides: 1, pad: 'same'},
  {x: [2, 7, 9, 3], f: [3, 3, 3, 4], strides: [1, 2], pad: 'valid'},
  {x: [1, 6, 10, 5], f: [3, 3, 5, 2], strides: 1, pad: 'same'},
  // A stem: fewer than 4 input channels and outputs in multiples of 4, whose
  // input gradient is the lab's SIMD dot products over dy's channels.
  {x: [2, 10, 10, 1], f: [3, 3, 1, 16], strides: 2, pad: 'same'},
  {x: [2, 9, 8, 1], f: [3, 3, 1, 8], strides: 1, pad: 'same'},
  {x: [2, 8, 9, 3], f: [3, 3, 3, 20], strides: 2, pad: 'valid'},
  // From 8 input channels the filter gradient is itself a convolution
  // (dilated by the stride; 'valid' remainders cropped): the same grid again.
  {x: [2, 9, 9, 8], f: [3, 3, 8, 5], strides: 1, pad: 'same'},
  {x: [2, 9, 9, 9], f: [3, 3, 9, 4], strides: 2, pad: 'same'},
  {x: [2, 10, 10, 8], f: [3, 3, 8, 4], strides: 2, pad: 'valid'},
  {x: [2, 8, 8, 12], f: [1, 1, 12, 6], strides: 2, pad: 'same'},
  {x: [3, 11, 11, 8], f: [5, 5, 8, 4], strides: 2, pad: 'same'},
  {x: [2, 9, 11, 8], f: [1, 7, 8, 3], strides: 1, pad: 'same'},
  {x: [2, 9, 11, 8], f: [7, 1, 8, 3], strides: 1, pad: 'same'},
  {x: [2, 7, 9, 8], f: [3, 3, 8, 4], strides: [1, 2], pad: 'valid'},
  {x: [2, 9, 7, 8], f: [3, 3, 8, 4], strides: [2, 1], pad: 'same'},
  {x: [1, 13, 12, 8], f: [7, 7, 8, 2], strides: 3, pad: 'valid'},
  // 1x1 stride 1 with input channels a multiple of 4 and outputs of 8: the
  // filter gradient is the lab's SIMD x^T @ dy (tiles of 4 x 8, blocks of
  // 128 positions: 270 and 98 positions here, several tiles each way).
  {x: [3, 9, 10, 8], f: [1, 1, 8, 16], strides: 1, pad: 'valid'},
  {x: [2, 7, 7, 12], f: [1, 1, 12, 24], strides: 1, pad: 'same'},
];

const DEPTHWISE_CASES: ConvCase[] = [
  {x: [2, 9, 9, 3], f: [3, 3, 3, 1], strides: 1, pad: 'same'},
  {x: [2, 9, 9, 3], f: [3, 3, 3, 1], strides: 2, pad: 'same'},
  {x: [2, 10, 10, 4], f: [5, 5, 4, 2], strides: 2, pad: 'valid'},
  {x: [2, 8, 8, 4], f: [3, 3, 4, 3], strides: 1, pad: 'same'},
  {x: [2, 7, 11, 2], f: [3, 3, 2, 1], strides: 2, pad: 'same'},
  {x: [1, 12, 12, 3], f: [7, 7, 3, 1], strides: 1, pad: 'same'},
  // From 4 channels (multiplier 1) the filter gradient runs on the SIMD
  // kernels: 16 and 4 lanes at a time plus a tail, over in-bounds column ranges.
  {x: [2, 9, 9, 9], f: [3, 3, 9, 1], strides: 2, pad: 'same'},
  {x: [2, 8, 10, 16], f: [3, 3, 16, 1], strides: 1, pad: 'same'},
  {x: [2, 11, 10, 6], f: [5, 5, 6, 1], strides: 2, pad: 'valid'},
  {x: [1, 7, 8, 13], f: [3, 3, 13, 1], strides: [1, 2], pad: 'same'},
  // 16 channels at a time, then 4, then 1 (21), and two blocks of 16 (32).
  {x: [2, 9, 8, 21], f: [3, 3, 21, 1], strides: 2, pad: 'same'},
  {x: [2, 6, 7, 32], f: [3, 3, 32, 1], strides: 1, pad: 'valid'},
];

interface PoolCase {x: number[]; size: number; strides: number; pad: Pad}
const POOL_CASES: PoolCase[] = [
  {x: [2, 8, 8, 3], size: 3, strides: 1, pad: 'same'},
  {x: [2, 9, 9, 3], size: 3, strides: 2, pad: 'same'},
  {x: [2, 8, 8, 3], size: 2, strides: 2, pad: 'valid'},
  {x: [1, 7, 9, 2], size: 3, strides: 2, pad: 'valid'},
  {x: [3, 11, 6, 2], size: 2, strides: 2, pad: 'same'},
  {x: [1, 7, 9, 5], size: 2, strides: 1, pad: 'same'},
  {x: [3, 11, 6, 2], size: 3, strides: 1, pad: 'same'},
  // From 4 channels, 4 SIMD lanes at a time (plus a tail at 6).
  {x: [2, 9, 9, 8], size: 3, strides: 2, pad: 'same'},
  {x: [2, 8, 10, 6], size: 2, strides: 2, pad: 'valid'},
  {x: [1, 7, 7, 4], size: 3, strides: 1, pad: 'same'},
  // Windows that tile x (window = stride, no padding): the average's gradient written once a pixel (spreadWindows),
  // with the rows and columns past the last window 0 (7 = 3 x 2 + 1, 11 = 3 x 3 + 2).
  {x: [2, 7, 9, 8], size: 2, strides: 2, pad: 'valid'},
  {x: [1, 11, 9, 5], size: 3, strides: 3, pad: 'valid'},
  {x: [2, 6, 6, 12], size: 2, strides: 2, pad: 'same'},
];

// A non-linear head so that dy is not constant (a plain sum would hide bugs).
const head = (y: tf.Tensor) => y.mul(y.add(0.3)).sum() as tf.Scalar;

async function compare(fn: (...xs: tf.Tensor[]) => tf.Scalar, inputs: () => tf.Tensor[]): Promise<number[]> {
  const reference = await gradsOn('cpu', fn, inputs);
  const ours = await gradsOn('wasm', fn, inputs);
  return reference.map((r, i) => relativeError(ours[i], r));
}

describe('lab wasm kernels: gradients equal the cpu backend', () => {
  before(async () => {
    await initEngine('wasm');
    // Otherwise the depthwise cases below would test only the JavaScript fallback.
    assert.ok(simdKernels(tf.backend() as BackendWasm) != null, 'the wasm SIMD kernels are loaded');
  });

  for (const c of CONV_CASES) {
    it(`conv2d x${JSON.stringify(c.x)} f${JSON.stringify(c.f)} s${c.strides} ${c.pad}`, async () => {
      const errors = await compare(
          (x, f) => head(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad)),
          () => [wave(c.x, 1), wave(c.f, 2)]);
      assert.ok(errors.every(e => e <= TOLERANCE), `relative errors dX, dW = ${errors}`);
    });
  }

  for (const c of DEPTHWISE_CASES) {
    it(`depthwiseConv2d x${JSON.stringify(c.x)} f${JSON.stringify(c.f)} s${c.strides} ${c.pad}`, async () => {
      const errors = await compare(
          (x, f) => head(tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad)),
          () => [wave(c.x, 3), wave(c.f, 4)]);
      assert.ok(errors.every(e => e <= TOLERANCE), `relative errors dX, dW = ${errors}`);
    });
  }

  for (const c of POOL_CASES) {
    it(`maxPool ${c.size}x${c.size} s${c.strides} ${c.pad} on x${JSON.stringify(c.x)}`, async () => {
      const [error] = await compare(
          x => head(tf.maxPool(x as tf.Tensor4D, c.size, c.strides, c.pad)), () => [wave(c.x, 5)]);
      assert.ok(error <= TOLERANCE, `relative error dX = ${error}`);
    });
  }

  for (const c of POOL_CASES) {
    it(`avgPool ${c.size}x${c.size} s${c.strides} ${c.pad} on x${JSON.stringify(c.x)}`, async () => {
      const [error] = await compare(
          x => head(tf.avgPool(x as tf.Tensor4D, c.size, c.strides, c.pad)), () => [wave(c.x, 7)]);
      assert.ok(error <= TOLERANCE, `relative error dX = ${error}`);
    });
  }

  it('maxPool with ties sends each window\'s gradient to its first maximum, as cpu does', async () => {
    // Inputs rounded to five levels: many windows hold their maximum more than once.
    for (const shape of [[2, 9, 9, 8], [1, 8, 8, 5]]) {
      const [error] = await compare(x => head(tf.maxPool(x as tf.Tensor4D, 3, 2, 'same')), () => [wave(shape, 6).mul(2).round()]);
      assert.ok(error <= TOLERANCE, `x [${shape}]: relative error dX = ${error}`);
    }
  });

  it('concat and split along channels and along a middle axis (short rows and memcpy rows), with gradients', async () => {
    const errors = await compare((a, b, c) => {
      const channels = tf.concat([a, b, c], 3);                    // rows of 3 + 70 + 5
      const [p, q, r] = tf.split(channels, [40, 1, 37], 3);
      const middle = tf.concat([a.slice([0, 0, 0, 0], [2, 2, 3, 3]), a], 1);
      const [m1, m2] = tf.split(middle, [3, 2], 1);
      return head(p.sum().add(q.mul(r.slice([0, 0, 0, 0], [2, 3, 3, 1])).sum()).add(r.square().sum())
          .add(m1.mean()).add(m2.mul(3).sum()));
    }, () => [wave([2, 3, 3, 3], 9), wave([2, 3, 3, 70], 10), wave([2, 3, 3, 5], 11)]);
    assert.ok(errors.every(e => e <= TOLERANCE), `relative errors = ${errors}`);
  });

  it('concat and split give the exact values of the cpu backend', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      // Rows of 8, 4 and 160 floats: SIMD copies; 66 and 1 (not a multiple of 16 bytes): one memory.copy a row.
      const parts = [wave([2, 4, 3, 8], 1), wave([2, 4, 3, 66], 2), wave([2, 4, 3, 1], 3), wave([2, 4, 3, 4], 4), wave([2, 4, 3, 160], 5)];
      const joined = tf.concat(parts, 3);
      const pieces = tf.split(joined, [7, 60, 8, 4, 160], 3);
      return [joined, ...pieces].map(t => Array.from(t.dataSync()));
    };
    const reference = await run('cpu');
    const ours = await run('wasm');
    assert.deepEqual(ours, reference);
  });

  it('Identity (tf.clone, and what tf.customGrad saves) shares memory, which outlives either tensor', () => {
    const backend = tf.backend() as BackendWasm;
    const before = tf.memory().numBytes;
    const source = tf.tensor1d([1, 2, 3]);
    const copy = tf.clone(source);
    assert.equal(backend.getMemoryOffset(copy.dataId), backend.getMemoryOffset(source.dataId), 'no copy was made');
    source.dispose();
    assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3]);
    copy.dispose();
    assert.equal(tf.memory().numBytes, before, 'freed once both are gone');
  });

  it('Cast to the dtype a tensor has shares its memory (the stock kernel copies); other casts convert, to bool as 0 or 1', async () => {
    const backend = tf.backend() as BackendWasm;
    const before = tf.memory().numBytes;
    const floats = tf.tensor1d([1.5, -2.5, 0, 3]);
    const same = tf.cast(floats, 'float32');
    assert.equal(backend.getMemoryOffset(same.dataId), backend.getMemoryOffset(floats.dataId), 'no copy was made');
    const stockCopy = await withStockWasmKernel('Cast', () => tf.cast(floats, 'float32'));
    assert.notEqual(backend.getMemoryOffset(stockCopy.dataId), backend.getMemoryOffset(floats.dataId), 'the stock kernel copies');
    floats.dispose();
    assert.deepEqual(Array.from(same.dataSync()), [1.5, -2.5, 0, 3]);
    const ints = tf.cast(same, 'int32');
    assert.equal(ints.dtype, 'int32');
    assert.deepEqual(Array.from(ints.dataSync()), [1, -2, 0, 3]);
    const bools = tf.cast(ints, 'bool');
    assert.deepEqual(Array.from(bools.dataSync()), [1, 1, 0, 1]);
    const wide = tf.tensor1d([-2, 256], 'int32');
    const stockBools = await withStockWasmKernel('Cast', () => tf.cast(wide, 'bool'));
    assert.deepEqual(Array.from(stockBools.dataSync()), [254, 0], 'the stock kernel keeps the low byte');
    const wideBools = tf.cast(wide, 'bool');
    assert.deepEqual(Array.from(wideBools.dataSync()), [1, 1]);
    tf.dispose([wide, stockBools, wideBools]);
    const back = tf.cast(bools, 'float32');
    assert.deepEqual(Array.from(back.dataSync()), [1, 1, 0, 1]);
    tf.dispose([same, stockCopy, ints, bools, back]);
    assert.equal(tf.memory().numBytes, before, 'freed once every tensor is gone');
  });

  it('a residual add layer\'s gradients (its Identity\'s gradient casts dy) agree with cpu', async () => {
    const residual = async (backend: string) => {
      await tf.setBackend(backend);
      const input = tf.input({shape: [6, 6, 4]});
      const stem = tf.layers.conv2d({filters: 4, kernelSize: 3, padding: 'same', name: 'stem'}).apply(input) as tf.SymbolicTensor;
      const branch = tf.layers.conv2d({filters: 4, kernelSize: 3, padding: 'same', name: 'branch'}).apply(stem) as tf.SymbolicTensor;
      const model = tf.model({inputs: input, outputs: tf.layers.add().apply([stem, branch]) as tf.SymbolicTensor});
      model.weights.forEach((w, i) => w.write(wave(w.shape as number[], 20 + i)));
      const x = wave([2, 6, 6, 4], 8);
      const {value, grads} = tf.variableGrads(() => (model.apply(x) as tf.Tensor).mul(wave([2, 6, 6, 4], 9)).sum() as tf.Scalar);
      const computed = model.weights.map(w => Float32Array.from(grads[(w.read() as tf.Variable).name].dataSync()));
      tf.dispose([x, value, ...Object.values(grads)]);
      model.weights.forEach(w => w.dispose());
      return computed;
    };
    const reference = await residual('cpu');
    const ours = await residual('wasm');
    assert.equal(ours.length, 4);
    ours.forEach((g, i) => assert.ok(relativeError(g, reference[i]) <= TOLERANCE, `weight ${i}: ${relativeError(g, reference[i])}`));
  });

  it('small products on the calling thread (smallMatMul): every transpose, column counts with and without a tail of 4, equal to cpu', async () => {
    const backend = tf.backend() as BackendWasm;
    // [M, K] x [K, N]: N = 10 (two vectors and a tail of 2), 3 (the tail only), 8 (vectors only); K = 1; a dense layer's gradients.
    const shapes: Array<[number, number, number]> = [[7, 5, 10], [4, 6, 3], [5, 1, 8], [64, 10, 64], [64, 64, 10]];
    for (const [M, K, N] of shapes) {
      for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
        const a = wave(transposeA ? [K, M] : [M, K], 6), b = wave(transposeB ? [N, K] : [K, N], 7);
        const product = () => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, transposeA, transposeB);
        const ours = Float32Array.from(product().dataSync());
        await tf.setBackend('cpu');
        const reference = tf.tidy(() => Float32Array.from(tf.matMul(tf.tensor(a.arraySync() as number[][]) as tf.Tensor2D,
            tf.tensor(b.arraySync() as number[][]) as tf.Tensor2D, transposeA, transposeB).dataSync()));
        await tf.setBackend('wasm');
        assert.ok(relativeError(ours, reference) <= TOLERANCE, `[${M}, ${K}] x [${K}, ${N}] ${transposeA} ${transposeB}: ${relativeError(ours, reference)}`);
        tf.dispose([a, b]);
      }
      const [a, b] = [wave([1, M, K], 1), wave([1, K, N], 2)];
      assert.ok(smallMatMulRuns(backend, a, b), `[${M}, ${K}] x [${K}, ${N}] runs on smallMatMul`);
      const small = Float32Array.from(tf.matMul(a, b).dataSync());
      const xnnpack = await withoutSmallMatMul(() => Float32Array.from(tf.matMul(a, b).dataSync()));
      assert.ok(relativeError(small, xnnpack) <= TOLERANCE, `against XNNPACK's: ${relativeError(small, xnnpack)}`);
      tf.dispose([a, b]);
    }
    const big = [wave([1, 128, 128], 1), wave([1, 128, 16], 2)];
    assert.ok(!smallMatMulRuns(backend, big[0], big[1]), '2^18 multiply-adds: XNNPACK\'s');
    tf.dispose(big);
  });

  it('a small dense layer\'s forward pass (_FusedMatMul: product, bias, ReLU) on smallMatMul equals cpu\'s and XNNPACK\'s', async () => {
    const cut: number[] = [];
    for (const [M, K, N, transposeA, transposeB, activation, withBias] of [
      [64, 64, 10, false, false, 'linear', true], [7, 5, 10, false, true, 'relu', true], [4, 6, 3, true, false, 'relu', false],
      [5, 3, 8, true, true, 'linear', false]] as Array<[number, number, number, boolean, boolean, 'linear' | 'relu', boolean]>) {
      const make = () => [wave(transposeA ? [K, M] : [M, K], 6), wave(transposeB ? [N, K] : [K, N], 7), wave([N], 8)];
      const run = () => tf.tidy(() => {
        const [a, b, bias] = make();
        return Float32Array.from(tf.fused.matMul({a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA, transposeB,
                                                  bias: withBias ? bias : undefined, activation}).dataSync());
      });
      const ours = run();
      const xnnpack = await withoutSmallMatMul(run);
      await tf.setBackend('cpu');
      const reference = run();
      await tf.setBackend('wasm');
      const what = `[${M}, ${K}] x [${K}, ${N}] ${transposeA} ${transposeB} ${activation} ${withBias ? 'bias' : ''}`;
      assert.ok(relativeError(ours, reference) <= TOLERANCE, `${what}: ${relativeError(ours, reference)}`);
      assert.ok(relativeError(ours, xnnpack) <= TOLERANCE, `${what} against XNNPACK's: ${relativeError(ours, xnnpack)}`);
      if (activation === 'relu') cut.push(...ours.filter(v => v === 0));
    }
    assert.ok(cut.length > 0, 'the ReLU cut some outputs');
  });

  it('a larger fused product with transposes and a bias puts the bias on the right axis (stock tfjs-backend-wasm does not)', async () => {
    const run = () => tf.tidy(() => Float32Array.from(tf.fused.matMul({
      a: wave([300, 70], 6) as tf.Tensor2D, b: wave([20, 300], 7) as tf.Tensor2D, transposeA: true, transposeB: true, bias: wave([20], 8),
    }).dataSync()));
    const ours = run();
    const stock = await withStockWasmKernel('_FusedMatMul', run);
    await tf.setBackend('cpu');
    const reference = run();
    await tf.setBackend('wasm');
    assert.ok(relativeError(ours, reference) <= TOLERANCE, `${relativeError(ours, reference)}`);
    assert.ok(relativeError(stock, reference) > 1e-2, `the stock kernel's fault is still there: ${relativeError(stock, reference)}`);
  });

  it('matMul with transposes', async () => {
    const errors = await compare(
        (a, b) => head(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, true)),
        () => [wave([7, 5], 6), wave([3, 7], 7)]);
    assert.ok(errors.every(e => e <= TOLERANCE), `relative errors = ${errors}`);
  });

  it('batch-norm style reductions and broadcasts (Sum/Mean over N,H,W, Tile of a channel row)', async () => {
    const errors = await compare(x => {
      const mean = x.mean([0, 1, 2], true);
      const centred = x.sub(mean);
      const variance = centred.square().mean([0, 1, 2], true);
      const tiled = tf.tile(variance, [2, 3, 3, 1]);
      return head(centred.div(variance.add(1e-3).sqrt()).mul(tiled));
    }, () => [wave([2, 3, 3, 4], 8)]);
    assert.ok(errors.every(e => e <= TOLERANCE), `relative errors = ${errors}`);
  });

  it('Sum and Mean over leading and middle axes: the SIMD kernel gives the JavaScript loop\'s float64 sums exactly, for every tile width', async () => {
    // Column counts that exercise the 16-wide tiles, the 4-wide ones and single columns,
    // over values of both signs at two scales, as a bias gradient's sum over a batch meets them.
    for (const cols of [1, 3, 4, 7, 16, 20, 23, 37, 64]) {
      const x = tf.tidy(() => wave([5, 7, 9, cols], cols).mul(1e3).add(wave([5, 7, 9, cols], 11)));
      // Leading axes (batch norm), then middle ones (a global average pool's [1, 2], kept or not).
      const reductions = () => [x.sum([0, 1, 2]), x.mean([0, 1]), x.sum(0), x.mean([1, 2]), x.sum([2, 1], true), x.mean(1)];
      const simd = tf.tidy(reductions);
      const loop = await withoutSimdKernels(async () => tf.tidy(reductions));
      await tf.setBackend('cpu');
      const onCpu = tf.tidy(() => reductions().map(t => tf.tensor(t.dataSync(), t.shape)));
      await tf.setBackend('wasm');
      for (let i = 0; i < simd.length; i++) {
        assert.deepEqual(simd[i].shape, loop[i].shape);
        assert.deepEqual(Array.from(simd[i].dataSync()), Array.from(loop[i].dataSync()), `reduction ${i}, ${cols} columns`);
        assert.ok(relativeError(simd[i].dataSync() as Float32Array, onCpu[i].dataSync() as Float32Array) <= TOLERANCE, `reduction ${i}, ${cols} columns against cpu`);
      }
      tf.dispose([x, ...simd, ...loop, ...onCpu]);
    }
  });

  it('Sum and Mean run the lab\'s loop for leading and middle axes and hand the last axis and int32 to the stock kernel', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as WasmKernelArgs['backend'];
    const stock = tf.getKernel('Mean', 'wasm')!.kernelFunc as unknown as WasmKernel;
    const handedOn: string[] = [];
    const mean = contiguousAxesReduce('Mean', args => {
      handedOn.push(`[${args.attrs['axis']}] ${args.inputs['x']!.dtype}`);
      return stock(args);
    });
    const x = wave([2, 3, 4, 5], 1);
    for (const axis of [[0, 1, 2], [1, 2], [1], [2, 3], [3], [0, 2]]) {
      tf.dispose(tf.engine().makeTensorFromTensorInfo(mean({inputs: {x}, backend, attrs: {axis, keepDims: false}})));
    }
    tf.dispose(tf.engine().makeTensorFromTensorInfo(mean({inputs: {x: tf.ones([2, 3, 4], 'int32')}, backend, attrs: {axis: [1], keepDims: false}})));
    assert.deepEqual(handedOn, ['[2,3] float32', '[3] float32', '[0,2] float32', '[1] int32']);
  });

  it('stock tfjs-backend-wasm MaxPoolGrad is still wrong for 2x2/s2/same on 11x6 (why the lab replaces it)', async () => {
    // If a future tfjs fixes the upstream kernel, this fails and says the
    // lab's replacement may be dropped.
    // Measured 2026-11: relative error 0.63 here; square inputs with 3x3
    // windows are mostly right, which is how the bug hides.
    const fn = (x: tf.Tensor) => head(tf.maxPool(x as tf.Tensor4D, 2, 2, 'same'));
    const inputs = () => [wave([3, 11, 6, 2], 5)];
    const [reference] = await gradsOn('cpu', fn, inputs);
    const [stock] = await withStockWasmKernel('MaxPoolGrad', () => gradsOn('wasm', fn, inputs));
    assert.ok(relativeError(stock, reference) > 1e-2, 'stock wasm MaxPoolGrad now agrees with cpu');
  });
});

describe('the lab\'s wasm kernels refuse what TF.js\'s own refuse, before touching the heap', () => {
  before(async () => { await initEngine('wasm'); });
  afterEach(async () => { await tf.setBackend('wasm'); });

  /** The error a backend gives for `fn`, or null. */
  async function errorOn(backend: string, fn: () => tf.Tensor): Promise<string | null> {
    await tf.setBackend(backend);
    try {
      tf.tidy(fn).dispose();
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }

  it('Concat of parts that disagree off the axis throws cpu\'s error and leaves the heap whole', async () => {
    const cases: Array<[number[], number[], number]> = [
      [[2, 2], [1, 2], 1], [[2, 3, 3], [1, 2, 3], 0], [[2, 3, 3], [2, 2, 2], 1], [[1, 3, 3], [1, 2, 3], 2],
    ];
    for (const [a, b, axis] of cases) {
      const fn = () => tf.concat([tf.ones(a), tf.ones(b)], axis);
      const cpu = await errorOn('cpu', fn);
      assert.ok(cpu != null, `cpu refuses ${JSON.stringify([a, b, axis])}`);
      assert.equal(await errorOn('wasm', fn), cpu);
    }
    // The heap is intact: a large allocation, a valid concat and disposal all work.
    await tf.setBackend('wasm');
    const ok = tf.concat([tf.ones([3, 5]), tf.zeros([3, 2])], 1);
    assert.deepEqual(Array.from(await ok.data()).slice(0, 7), [1, 1, 1, 1, 1, 0, 0]);
    tf.dispose([ok, tf.randomNormal([1 << 20])]);
  });

  it('every lab kernel refuses shapes its arithmetic does not fit, saying which, on both of its paths, and the heap stays whole', async () => {
    const conv = {strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1};
    const pool = {filterSize: 2, strides: 2, pad: 'valid'};
    const cases: Array<[string, Record<string, number[]>, tf.NamedAttrMap, RegExp]> = [
      ['Conv2DBackpropFilter', {x: [1, 5, 5, 3], dy: [1, 4, 4, 2]}, {...conv, filterShape: [3, 3, 3, 2]},
       /^Error in conv2dDerFilter: dy must have shape \[1, 5, 5, 2\] \(the convolution's output for input \[1, 5, 5, 3\]\), but got shape \[1, 4, 4, 2\]$/],
      ['Conv2DBackpropFilter', {x: [1, 5, 5, 3], dy: [1, 5, 5, 2]}, {...conv, filterShape: [3, 3, 4, 2]},
       /^Error in conv2dDerFilter: depth of input \(3\) must match input depth for filter 4$/],
      ['Conv2DBackpropInput', {dy: [1, 5, 5, 2], filter: [3, 3, 4, 2]}, {...conv, inputShape: [1, 5, 5, 3]},
       /^Error in conv2dDerInput: depth of input \(3\) must match input depth for filter 4$/],
      ['DepthwiseConv2dNativeBackpropFilter', {x: [1, 5, 5, 3], dy: [1, 5, 5, 6]}, {...conv, filterShape: [3, 3, 3, 1]},
       /^Error in depthwiseConv2dDerFilter: dy must have shape \[1, 5, 5, 3\]/],
      ['DepthwiseConv2dNativeBackpropInput', {dy: [1, 4, 5, 3], filter: [3, 3, 3, 1]}, {...conv, inputShape: [1, 5, 5, 3]},
       /^Error in depthwiseConv2dDerInput: dy must have shape \[1, 5, 5, 3\]/],
      ['MaxPoolGrad', {dy: [1, 2, 2, 3], input: [1, 6, 6, 3], output: [1, 3, 3, 3]}, pool,
       /^Error in maxPoolGrad: dy must have shape \[1, 3, 3, 3\] \(the pool's output for input \[1, 6, 6, 3\]\), but got shape \[1, 2, 2, 3\]$/],
      ['AvgPoolGrad', {dy: [1, 3, 3, 4], input: [1, 6, 6, 3]}, pool, /^Error in avgPoolGrad: dy must have shape \[1, 3, 3, 3\]/],
      ['Tile', {x: [1, 1, 4]}, {reps: [2, 2]}, /^Error in tile: rank of input \(3\) must match length of reps \[2, 2\]$/],
      ['BatchMatMul', {a: [4], b: [4, 3]}, {transposeA: true, transposeB: false}, /^Error in matMul: inputs must have rank at least 2, got ranks 1 and 2$/],
      ['BatchMatMul', {a: [2, 4, 3], b: [2, 5, 6]}, {transposeA: false, transposeB: false}, /^Error in matMul: inner shapes \(3\) and \(5\)/],
      ['LabBandGrad', {dy: [4], x: [5]}, {low: 0, high: 6, lowInclusive: false}, /^Error in LabBandGrad: dy must have shape \[5\] \(the shape of x\)/],
      ['LabBatchNormTrain', {x: [2, 3], gamma: [4], beta: [3]}, {epsilon: 1e-3},
       /^Error in LabBatchNormTrain: gamma must have shape \[3\] \(one value per channel of x\), but got shape \[4\]$/],
      ['LabBatchNormTrainGrad', {dy: [2, 3], x: [2, 3], mean: [3], invStd: [2], gamma: [3]}, {},
       /^Error in LabBatchNormTrainGrad: invStd must have shape \[3\]/],
    ];
    const attempt = (kernel: string, shapes: Record<string, number[]>, attrs: tf.NamedAttrMap) => tf.tidy(() => {
      const inputs = Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, tf.ones(shape)]));
      tf.engine().runKernel(kernel, inputs, attrs);
    });
    registerBatchNormKernels();
    await tf.setBackend('wasm');
    for (const path of ['SIMD', 'JavaScript'] as const) {
      const check = async () => {
        for (const [kernel, shapes, attrs, error] of cases) {
          let message = '(no error)';
          try {
            attempt(kernel, shapes, attrs);
          } catch (thrown) {
            message = (thrown as Error).message;
          }
          assert.match(message, error, `${kernel} ${JSON.stringify(shapes)} on its ${path} path: ${message}`);
        }
      };
      await (path === 'SIMD' ? check() : withoutSimdKernels(check));
    }
    // The heap is intact: a large allocation, a depthwise gradient and disposal all work.
    const fn = (x: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(x as tf.Tensor4D, tf.ones([3, 3, 4, 1]) as tf.Tensor4D, 1, 'same'))) as tf.Scalar;
    const inputs = () => [wave([2, 6, 6, 4], 3)];
    const [reference] = await gradsOn('cpu', fn, inputs);
    assert.ok(relativeError((await gradsOn('wasm', fn, inputs))[0], reference) < TOLERANCE);
    tf.dispose(tf.randomNormal([1 << 20]));
  });

  it('conv2dTranspose of a gradient larger than the output reads the window cpu reads', async () => {
    // tfjs-core's spec "conv2dTranspose input=8x8x8,output=4x4x8,f=8,s=1,inDepth=8,p=same vec4".
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(Array.from({length: 8 * 8 * 8}, (_, i) => (i % 13) - 6), [1, 8, 8, 8]);
      const w = tf.tensor4d(Array.from({length: 8 * 8 * 8 * 8}, (_, i) => (i % 7) - 3), [8, 8, 8, 8]);
      const y = tf.conv2dTranspose(x, w, [1, 4, 4, 8], 1, 'same');
      const values = Float32Array.from(await y.data());
      tf.dispose([x, w, y]);
      return values;
    };
    const cpu = await run('cpu');
    assert.ok(relativeError(await run('wasm'), cpu) < TOLERANCE);
  });
});
