import * as tf from '@tensorflow/tfjs';
import {initEngine} from './lib/engine';
import {buildModel} from './lib/models';
import {seedWeights} from './lib/train';
import {wave} from './test/engine/grad-helpers';

async function grads(backend: string, family: string, options: Record<string, unknown>, batch: number, eps = 0) {
  await tf.setBackend(backend);
  const model = buildModel(family, options);
  seedWeights(model, 3);
  const [, h, w, c] = model.inputs[0].shape as number[];
  const x = wave([batch, h, w, c], 1).mul(1 + eps);
  const y = tf.oneHot(tf.tensor1d(Array.from({length: batch}, (_, i) => i % 4), 'int32'), 4).toFloat();
  const variables = model.trainableWeights.map(w => w.read() as tf.Variable);
  const {grads} = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, {training: process.env.TRAINING !== "0"}) as tf.Tensor) as tf.Scalar, variables);
  const values = variables.map(v => Float32Array.from(grads[v.name].dataSync()));
  model.dispose();
  return values;
}
function err(a: Float32Array[], b: Float32Array[]) {
  let d = 0, n = 0;
  a.forEach((r, i) => r.forEach((v, j) => { d += (b[i][j] - v) ** 2; n += v * v; }));
  return Math.sqrt(d / n);
}
(async () => {
  await initEngine('wasm');
  const fam = process.argv[2], opts = JSON.parse(process.argv[3]), batch = Number(process.argv[4] ?? 4);
  const t0 = Date.now();
  const ref = await grads('cpu', fam, opts, batch);
  const t1 = Date.now();
  const self = await grads('cpu', fam, opts, batch, 1e-6);
  const ours = await grads('wasm', fam, opts, batch);
  console.log(fam, JSON.stringify(opts), 'batch', batch, 'wasm-vs-cpu', err(ref, ours).toExponential(2), 'cpu-vs-cpu(x*(1+1e-6))', err(ref, self).toExponential(2), 'cpu ms', t1 - t0);
})();
