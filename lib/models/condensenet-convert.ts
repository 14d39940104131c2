/**
 * From a trained, condensed CondenseNet to its test-time network (official
 * `convert_model`, layers.CondensingConv / CondensingLinear): each learned
 * group conv becomes an index layer gathering, group after group, the input
 * channels that survived in that group; batch norm on the gathered channels;
 * a real group convolution; and a channel shuffle that puts the outputs back
 * in the interleaved order the next layer expects. The classifier keeps the
 * features whose weight rows have the largest L1 norm.
 *
 * With `classifierKeep: 1` the converted network computes the same function
 * as the masked one; the tests check that numerically.
 */
import * as tf from '@tensorflow/tfjs';

import {LearnedGroupConv2D} from '../layers';
import {CondenseNetOptions, ConversionPlan, DEFAULTS, buildCondenseNet} from './condensenet';

function learnedGroupConvs(model: tf.LayersModel): LearnedGroupConv2D[] {
  return model.layers.filter((l): l is LearnedGroupConv2D => l instanceof LearnedGroupConv2D);
}

/** The index layer of one condensed layer: the input channels it gathers, group 0's first (repeats allowed). */
export function gatherOf(layer: LearnedGroupConv2D): number[] {
  return Array.from({length: layer.groups}, (_, g) => layer.survivingInputs(g)).flat();
}

/** Indices of the `keep` share of features with the largest L1 norm of their classifier weights, ascending. */
function classifierFeatures(model: tf.LayersModel, keep: number): number[] {
  const kernel = model.getLayer('logits').getWeights()[0].arraySync() as number[][];
  const count = Math.round(kernel.length * keep);
  const norms = kernel.map((row, i) => ({i, l1: row.reduce((s, v) => s + Math.abs(v), 0)}));
  return norms.sort((a, b) => b.l1 - a.l1 || a.i - b.i).slice(0, count).map(n => n.i).sort((a, b) => a - b);
}

export function conversionPlan(trained: tf.LayersModel, classifierKeep: number): ConversionPlan {
  const gathers = new Map<string, number[]>();
  for (const layer of learnedGroupConvs(trained)) {
    const done = layer.stagesDone();
    if (done < layer.condenseFactor - 1) {
      throw new Error(`convertCondenseNet: layer '${layer.name}' has done ${done} of ${layer.condenseFactor - 1} condensing ` +
          'stages; train through the condensing schedule (or call condenseTo) before converting');
    }
    gathers.set(layer.name, gatherOf(layer));
  }
  return {gathers, classifier: classifierFeatures(trained, classifierKeep)};
}

/** The test-time network of `trained`, built with the same `options`. */
export function convertCondenseNet(trained: tf.LayersModel, options: Partial<CondenseNetOptions>): tf.LayersModel {
  const o = {...DEFAULTS, ...options, converted: false};
  const plan = conversionPlan(trained, o.classifierKeep);
  const converted = buildCondenseNet({...o, converted: true}, plan);
  tf.tidy(() => {
    for (const layer of converted.layers) {
      if (layer.weights.length === 0) continue;
      if (layer.name.endsWith('_lgc_gconv')) {
        layer.setWeights([groupKernel(trained.getLayer(layer.name.replace(/_gconv$/, '')) as LearnedGroupConv2D)]);
      } else if (layer.name.endsWith('_lgc_bn')) {
        const index = tf.tensor1d(plan.gathers.get(layer.name.replace(/_bn$/, ''))! as number[], 'int32');
        layer.setWeights(trained.getLayer(layer.name).getWeights().map(w => tf.gather(w, index)));
      } else if (layer.name === 'logits') {
        const [kernel, bias] = trained.getLayer('logits').getWeights();
        layer.setWeights([tf.gather(kernel, tf.tensor1d(plan.classifier! as number[], 'int32')), bias]);
      } else {
        layer.setWeights(trained.getLayer(layer.name).getWeights());
      }
    }
  });
  return converted;
}

/**
 * The group conv kernel [1, 1, C_in/C, C_out]: group g's output k is the
 * trained output g + k*G (interleaved), reading group g's surviving inputs.
 */
export function groupKernel(layer: LearnedGroupConv2D): tf.Tensor4D {
  const dense = layer.maskedKernel().arraySync()[0][0];   // [C_in][C_out]
  const {groups, filters} = layer;
  const perGroupOut = filters / groups;
  const inputsPerGroup = Array.from({length: groups}, (_, g) => layer.survivingInputs(g));
  const keep = inputsPerGroup[0].length;
  const kernel = Array.from({length: keep}, () => new Array<number>(filters).fill(0));
  for (let g = 0; g < groups; g++) {
    inputsPerGroup[g].forEach((input, j) => {
      for (let k = 0; k < perGroupOut; k++) kernel[j][g * perGroupOut + k] = dense[input][g + k * groups];
    });
  }
  return tf.tensor4d([[kernel]] as number[][][][]);
}
