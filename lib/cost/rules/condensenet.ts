/**
 * The CondenseNet convention (official `utils.measure_model`) as overrides
 * of the `macs` rules: what it counts beyond multiply-adds, and learned
 * group convolutions at what remains after condensation. Every class not
 * listed here costs what the `macs` rules say.
 */
import {registerCostRule} from '../registry';
import {LayerView} from '../types';
import {elements, inChannels, kernelArea, outChannels, outputPositions, product} from './shapes';

const CONVENTION = 'condensenet';

// One op per ReLU output element.
const relu = (layer: LayerView) => ({macs: elements(layer.outputShape)});
registerCostRule('ReLU', relu, CONVENTION);
registerCostRule('Activation', layer => layer.config['activation'] === 'relu' ? relu(layer) : {macs: 0}, CONVENTION);

// One op per pooling-window element of every output.
function poolOps(layer: LayerView) {
  const window = layer.config['poolSize'] ? product(layer.config['poolSize'] as number[]) : kernelArea(layer);
  return {macs: elements(layer.outputShape) * window};
}
registerCostRule('MaxPooling2D', poolOps, CONVENTION);
registerCostRule('AveragePooling2D', poolOps, CONVENTION);
// A global pool reads every input element once.
registerCostRule('GlobalAveragePooling2D', layer => ({macs: elements(layer.inputShapes[0])}), CONVENTION);
registerCostRule('GlobalMaxPooling2D', layer => ({macs: elements(layer.inputShapes[0])}), CONVENTION);

// Linear layers' bias adds count.
registerCostRule('Dense', layer => ({
  macs: inChannels(layer) * outChannels(layer) + (layer.config['useBias'] !== false ? outChannels(layer) : 0),
}), CONVENTION);

// 1/C of the dense 1x1 survives condensation, in ops and in parameters.
registerCostRule('LearnedGroupConv2D', layer => {
  const weights = inChannels(layer) * outChannels(layer) / (layer.config['condenseFactor'] as number);
  return {macs: outputPositions(layer) * weights, params: weights};
}, CONVENTION);
