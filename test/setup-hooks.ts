/**
 * Loaded by mocha before any test file (.mocharc.json): silences TF.js's
 * "install tfjs-node" banner, which says nothing about the code under test.
 */
import * as tf from '@tensorflow/tfjs';

tf.env().set('PROD', true);
