/**
 * Loaded by mocha before any test file (.mocharc.json): silences TF.js's
 * "install tfjs-node" banner, which says nothing about the code under test,
 * and pins the engine to the embedded default (wasm) unless LAB_BACKEND says
 * otherwise, so a machine with the opt-in tensorflow engine (npm run
 * setup:tensorflow) runs the same suite; child processes inherit it.
 * test/engine/tensorflow.test.ts checks that engine when it is there.
 * Its root hook removes the folders each test file made with `tempDir`
 * (in parallel mode mocha runs root afterAll hooks once per file).
 */
import * as tf from '@tensorflow/tfjs';

import {removeTempDirs} from './helpers/temp-dirs';

tf.env().set('PROD', true);
process.env['LAB_BACKEND'] ??= 'wasm';

export const mochaHooks = {
  afterAll(): void {
    removeTempDirs();
  },
};
