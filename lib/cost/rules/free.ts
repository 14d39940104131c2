/**
 * Layers that cost no multiply-accumulates under the `macs` convention.
 * Listing them explicitly means a layer class nobody thought about still
 * fails loudly.
 *
 * BatchNormalization is here because it folds into the preceding conv at
 * inference time (fvcore makes the same remark next to its BN handle).
 * ReLU and pooling layers cost ops under the CondenseNet convention only
 * (rules/condensenet.ts).
 */
import {registerCostRule} from '../registry';

const FREE = [
  'InputLayer', 'BatchNormalization', 'Add', 'Multiply', 'Concatenate', 'Dropout', 'Flatten',
  'Reshape', 'ZeroPadding2D', 'Cropping2D', 'Permute', 'ReLU', 'ELU', 'Activation',
  'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D',
] as const;

for (const className of FREE) {
  registerCostRule(className, () => ({macs: 0}));
}
