import * as tf from '@tensorflow/tfjs';
import {initEngine} from './lib/engine';
import {buildMobileNetV1} from './lib/models';
(async () => {
  await initEngine('wasm');
  const model = buildMobileNetV1({resolution: 28, channels: 1, classes: 10, width: 1, stemStride: 1, depth: 7});
  const opt = tf.train.adam(1e-3);
  const x = tf.randomNormal([64, 28, 28, 1]); const y = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32'), 10).toFloat();
  const step = () => { const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, {training: true}) as tf.Tensor) as tf.Scalar, true); l!.dataSync(); l!.dispose(); };
  step(); step();
  const t0 = performance.now(); for (let i = 0; i < 3; i++) step(); console.log('ms/step', ((performance.now() - t0) / 3).toFixed(0));
  const prof = await tf.profile(() => { step(); });
  const agg = new Map<string, number>();
  for (const k of prof.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  for (const [n, ms] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(n.padEnd(40), ms.toFixed(1));
})();
