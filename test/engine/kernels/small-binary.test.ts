/**
 * Multiply, Add and Sub of small tensors on wasm
 * (packages/tfjs-backend-wasm-train/src/kernels/small-binary.ts) against the
 * cpu backend, bit for bit, over the broadcasts a training step makes and
 * harder ones; and that its own loop runs up to the size limit and the stock
 * kernel above it.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../../../lib/engine';
import {SMALL_OUTPUT, SmallBinaryOp, smallBinary} from '../../../packages/tfjs-backend-wasm-train/src/kernels/small-binary';
import type {WasmKernel, WasmKernelArgs} from '../../../packages/tfjs-backend-wasm-train/src/wasm/heap';

/** Each element's float32 bits; every NaN as 'NaN'. */
function bits(values: Float32Array | Int32Array | Uint8Array): Array<number | 'NaN'> {
  const floats = Float32Array.from(values);
  return Array.from(new Uint32Array(floats.buffer), (b, i) => Number.isNaN(floats[i]) ? 'NaN' : b);
}

/** Values with NaN, infinities, zeros of both signs and numbers whose results round. */
function values(shape: number[], phase: number): Float32Array {
  const special = [NaN, Infinity, -Infinity, 0, -0, 1e-30, 3e38];
  const size = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({length: size}, (_, i) => i % 29 === 5 ? special[(i + phase) % special.length] : Math.sin(i * 0.37 + phase) * 7.3);
}

const OPS: Record<SmallBinaryOp, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {Multiply: tf.mul, Add: tf.add, Sub: tf.sub};

async function result(backend: string, op: SmallBinaryOp, aShape: number[], bShape: number[]): Promise<Array<number | 'NaN'>> {
  await tf.setBackend(backend);
  const [a, b] = [tf.tensor(values(aShape, 1), aShape), tf.tensor(values(bShape, 2), bShape)];
  const out = OPS[op](a, b);
  const result = bits(await out.data() as Float32Array);
  tf.dispose([a, b, out]);
  return result;
}

describe('small Multiply, Add and Sub on wasm: the lab\'s loop on the calling thread', () => {
  before(async () => { await initEngine('wasm'); });
  after(async () => initEngine('wasm'));

  const CASES: Array<[number[], number[]]> = [
    [[64, 1], [64, 10]],            // softmax cross-entropy's gradient
    [[64, 10], [64, 10]],
    [[], [64]],
    [[1], [64]],
    [[3, 1, 5], [1, 4, 1]],         // both operands broadcast
    [[2, 3, 4, 5], [5]],
    [[2, 3, 4, 5], [3, 1, 1]],
    [[8, 1, 1, 32], [8, 4, 4, 32]], // a global pool's gradient
    [[0, 4], [1, 4]],
  ];
  for (const op of Object.keys(OPS) as SmallBinaryOp[]) {
    for (const [aShape, bShape] of CASES) {
      it(`${op} of [${aShape}] and [${bShape}] equals cpu's bit for bit`, async () => {
        assert.deepEqual(await result('wasm', op, aShape, bShape), await result('cpu', op, aShape, bShape));
      });
    }
  }

  it('runs its own loop up to SMALL_OUTPUT elements and hands larger products and int32 to the stock kernel', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as WasmKernelArgs['backend'];
    const stock = tf.getKernel('Multiply', 'wasm')!.kernelFunc as unknown as WasmKernel;
    const handedOn: string[] = [];
    const kernel = smallBinary('Multiply', args => {
      handedOn.push(`[${args.inputs['a']!.shape}] x [${args.inputs['b']!.shape}] ${args.inputs['a']!.dtype}`);
      return stock(args);
    });
    const run = (a: tf.Tensor, b: tf.Tensor) => {
      const info = kernel({inputs: {a, b}, backend, attrs: {}});
      return tf.engine().makeTensorFromTensorInfo(info);
    };
    const rows = SMALL_OUTPUT / 16;
    const small = run(tf.ones([rows, 1]), tf.fill([rows, 16], 2));
    const large = run(tf.ones([rows + 1, 1]), tf.fill([rows + 1, 16], 2));
    const whole = run(tf.tensor1d([3], 'int32'), tf.tensor1d([2], 'int32'));
    assert.deepEqual(handedOn, [`[${rows + 1},1] x [${rows + 1},16] float32`, '[1] x [1] int32']);
    assert.ok((await small.data()).every(v => v === 2));
    assert.ok((await large.data()).every(v => v === 2));
    assert.deepEqual(Array.from(await whole.data()), [6]);
  });

  it('int32 products, sums and differences keep the stock kernel', async () => {
    await tf.setBackend('wasm');
    const [a, b] = [tf.tensor1d([3, -2, 7], 'int32'), tf.tensor1d([2, 5, -1], 'int32')];
    assert.deepEqual(Array.from(tf.mul(a, b).dataSync()), [6, -10, -7]);
    assert.deepEqual(Array.from(tf.add(a, b).dataSync()), [5, 3, 6]);
    assert.deepEqual(Array.from(tf.sub(a, b).dataSync()), [1, -7, 8]);
    assert.equal(tf.add(a, b).dtype, 'int32');
  });
});
