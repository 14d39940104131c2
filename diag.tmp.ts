import * as tf from '@tensorflow/tfjs';
import {initEngine} from './lib/engine';
import {buildModel} from './lib/models';
import {seedWeights} from './lib/train';
import {wave} from './test/engine/grad-helpers';

async function outputs(backend: string, family: string, options: Record<string, unknown>) {
  await tf.setBackend(backend);
  const model = buildModel(family, options);
  seedWeights(model, 3);
  const [, h, w, c] = model.inputs[0].shape as number[];
  const x = wave([4, h, w, c], 1);
  const names = model.layers.slice(1).map(l => l.name);
  const probe = tf.model({inputs: model.inputs, outputs: model.layers.slice(1).map(l => l.output as tf.SymbolicTensor)});
  const outs = probe.apply(x, {training: true}) as tf.Tensor[];
  const vals = outs.map(o => Float32Array.from(o.dataSync()));
  model.dispose();
  return {names, vals};
}
(async () => {
  await initEngine('wasm');
  const fam = process.argv[2], opts = JSON.parse(process.argv[3]);
  const a = await outputs('cpu', fam, opts), b = await outputs('wasm', fam, opts);
  a.names.forEach((n, i) => {
    const r = a.vals[i], o = b.vals[i];
    let d = 0, m = 0;
    r.forEach((v, j) => { d = Math.max(d, Math.abs(v - o[j])); m = Math.max(m, Math.abs(v)); });
    if (d / (m || 1) > 1e-5) console.log(n, (d / (m || 1)).toExponential(2));
  });
})();
