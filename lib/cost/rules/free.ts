/**
 * Layers that cost no multiply-accumulates under the `macs` convention.
 * Listing them explicitly means a layer class nobody thought about still
 * fails loudly.
 *
 * BatchNormalization is here because it folds into the preceding conv at
 * inference time (fvcore makes the same remark next to its BN handle).
 * ReLU and pooling layers count under the CondenseNet convention: its counter
 * adds one op per ReLU output and per pooling-window element.
 */
import {registerCostRule} from '../registry';
import {LayerView} from '../types';
import {elements, kernelArea, product} from './shapes';

const FREE = [
  'InputLayer', 'BatchNormalization', 'Add', 'Multiply', 'Concatenate', 'Dropout', 'Flatten',
  'Reshape', 'ZeroPadding2D', 'Cropping2D', 'Permute',
] as const;

for (const className of FREE) {
  registerCostRule(className, () => ({macs: 0}));
}

const reluLike = (layer: LayerView, convention: string) =>
    ({macs: convention === 'condensenet' ? elements(layer.outputShape) : 0});
registerCostRule('ReLU', reluLike);
registerCostRule('Activation', (layer, convention) =>
    layer.config['activation'] === 'relu' ? reluLike(layer, convention) : {macs: 0});

function poolOps(layer: LayerView, convention: string) {
  if (convention !== 'condensenet') return {macs: 0};
  const window = layer.config['poolSize'] ? product(layer.config['poolSize'] as number[]) : kernelArea(layer);
  return {macs: elements(layer.outputShape) * window};
}
registerCostRule('MaxPooling2D', poolOps);
registerCostRule('AveragePooling2D', poolOps);
// A global pool reads every input element once per output channel.
registerCostRule('GlobalAveragePooling2D', (layer, convention) =>
    ({macs: convention === 'condensenet' ? elements(layer.inputShapes[0]) : 0}));
registerCostRule('GlobalMaxPooling2D', (layer, convention) =>
    ({macs: convention === 'condensenet' ? elements(layer.inputShapes[0]) : 0}));
