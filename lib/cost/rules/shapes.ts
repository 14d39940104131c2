/** Shape arithmetic shared by the cost rules. */
import {LayerView} from '../types';

export const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

export function kernelArea(layer: LayerView): number {
  return product(layer.config['kernelSize'] as number[]);
}

/** H_out * W_out (every axis but channels). */
export function outputPositions(layer: LayerView): number {
  return product(layer.outputShape.slice(0, -1));
}

export function inChannels(layer: LayerView, input = 0): number {
  const shape = layer.inputShapes[input];
  return shape[shape.length - 1];
}

export function outChannels(layer: LayerView): number {
  return layer.outputShape[layer.outputShape.length - 1];
}

export function elements(shape: readonly number[]): number {
  return product(shape);
}
