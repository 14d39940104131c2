/**
 * What the calculator needs to know of a layer class beyond its cost rule:
 * whether its weights are the papers' "parameters", and its kind for
 * MobileNet-style "share by layer type" tables. Lab layers register here.
 */
import {LayerKind, LayerView} from './types';

/** Classes whose weights count as the papers' "parameters" (not batch norm). */
export const WEIGHT_LAYER_CLASSES = new Set<string>();
export function registerWeightLayerClass(className: string): void {
  WEIGHT_LAYER_CLASSES.add(className);
}
for (const c of ['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense']) registerWeightLayerClass(c);

/** Kind of a layer for MobileNet-style "share by layer type" tables. */
export const KIND_OF_CLASS = new Map<string, (view: LayerView) => LayerKind>([
  ['Conv2D', view => {
    const [kh, kw] = view.config['kernelSize'] as number[];
    return kh === 1 && kw === 1 ? 'conv1x1' : kh === 3 && kw === 3 ? 'conv3x3' : 'conv';
  }],
  ['DepthwiseConv2D', () => 'depthwise'],
  ['SeparableConv2D', () => 'separable'],
  ['Dense', () => 'dense'],
]);
export function registerLayerKind(className: string, kindOf: (view: LayerView) => LayerKind): void {
  KIND_OF_CLASS.set(className, kindOf);
}

