/**
 * Loaded by mocha before any test file (.mocharc.json): silences TF.js's
 * "install tfjs-node" banner, which says nothing about the code under test,
 * and pins the engine to the embedded default (wasm) unless LAB_BACKEND says
 * otherwise, so a machine with the opt-in tensorflow engine (npm run
 * setup:tensorflow) runs the same suite; child processes inherit it.
 * test/engine/tensorflow.test.ts checks that engine when it is there.
 */
import * as tf from '@tensorflow/tfjs';

tf.env().set('PROD', true);
process.env['LAB_BACKEND'] ??= 'wasm';
