/**
 * Applying a layer while building a graph. TF.js types `Layer.apply` for
 * every case (concrete or symbolic, one tensor or several, one output or
 * several), so each call site would otherwise cast its result; these
 * helpers check the one case a builder means and say so when it is not.
 * They live here, the lowest module both lib/blocks and lib/models import.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * `layer` applied to one symbolic tensor, or to several for a merging layer
 * (concatenate, add, multiply): the one symbolic tensor it outputs.
 * Throws, naming the layer and what came back, if TF.js returns anything else
 * (a layer with several outputs, or a concrete tensor).
 */
export function applyTo(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
  const y = layer.apply(x);
  if (y instanceof tf.SymbolicTensor) return y;
  throw new Error(`layer '${layer.name}' (${layer.getClassName()}) applied to ${describe(x)} gave ${describe(y)}, ` +
      'where a graph builder needs one symbolic tensor');
}

/** `x` through `layers` one after another: a plain stack with no branches. */
export function applyInOrder(x: tf.SymbolicTensor, layers: readonly tf.layers.Layer[]): tf.SymbolicTensor {
  return layers.reduce((y, layer) => applyTo(layer, y), x);
}

function describe(value: tf.Tensor | tf.SymbolicTensor | Array<tf.Tensor | tf.SymbolicTensor>): string {
  if (Array.isArray(value)) return `a list of ${value.length} (${value.map(describe).join(', ')})`;
  const shape = `[${value.shape.map(d => d ?? 'null').join(', ')}]`;
  return value instanceof tf.SymbolicTensor ? `a symbolic tensor ${shape}` : `a concrete tensor ${shape}`;
}
