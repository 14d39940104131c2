/** Small readers of built graphs for the block and model structure tests. */
import * as tf from '@tensorflow/tfjs';

/** A model from an input of `shape` (no batch axis) through `build`. */
export function modelOf(shape: number[], build: (x: tf.SymbolicTensor) => tf.SymbolicTensor): tf.LayersModel {
  const input = tf.input({shape});
  return tf.model({inputs: input, outputs: build(input)});
}

/** A weight's size; weights always have whole shapes (a null would give NaN and fail the count). */
const sizeOf = (w: tf.LayerVariable) => w.shape.reduce<number>((a, b) => a * (b ?? NaN), 1);

/** Every weight (batch norm's moving statistics included) and the trainable ones. */
export function paramsOf(model: tf.LayersModel): {total: number; trainable: number} {
  return {
    total: model.weights.reduce((n, w) => n + sizeOf(w), 0),
    trainable: model.trainableWeights.reduce((n, w) => n + sizeOf(w), 0),
  };
}

/** Names of the layers after the input, in build order. */
export function layerNames(model: tf.LayersModel): string[] {
  return model.layers.filter(l => l.getClassName() !== 'InputLayer').map(l => l.name);
}

/** How many layers of each class the model has. */
export function classCounts(model: tf.LayersModel): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of model.layers) counts[l.getClassName()] = (counts[l.getClassName()] ?? 0) + 1;
  return counts;
}

/** The output shape of one layer, batch axis included (null). */
export function shapeAt(model: tf.LayersModel, layer: string): number[] {
  return model.getLayer(layer).outputShape as number[];
}

/** A config field of one layer (filters, units, kernelSize ...). */
export function configOf(model: tf.LayersModel, layer: string, key: string): unknown {
  return model.getLayer(layer).getConfig()[key];
}
