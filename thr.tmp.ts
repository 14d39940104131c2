import * as tf from '@tensorflow/tfjs';
import {initEngine} from './lib/engine';
(async () => {
  const e = await initEngine('wasm');
  console.log('threads', e.threads);
  const x = tf.randomNormal([64, 32, 32, 64], 0, 1, 'float32', 1), k = tf.randomNormal([3, 3, 64, 64], 0, 1, 'float32', 2);
  for (let i = 0; i < 3; i++) tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, 'same').dataSync();
  const t = performance.now();
  let s = 0;
  for (let i = 0; i < 5; i++) s += tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, 'same').sum().dataSync()[0];
  console.log('ms/conv', ((performance.now() - t) / 5).toFixed(1), 'checksum', s);
})();
