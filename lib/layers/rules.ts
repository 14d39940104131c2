/**
 * Cost rules for the lab's own layers. Element-wise activations cost no
 * multiply-accumulates under the `macs` convention (papers, torchvision).
 */
import {registerCostRule} from '../cost/registry';
import {registerLayerKind, registerWeightLayerClass} from '../cost/kinds';
import {inChannels, kernelArea, outChannels, outputPositions} from '../cost/rules/shapes';

registerCostRule('HardSigmoid', () => ({macs: 0}));
registerCostRule('HardSwish', () => ({macs: 0}));
// A permutation of channels: no arithmetic.
registerCostRule('ChannelShuffle', () => ({macs: 0}));
// An element-wise multiply-add, like Add: free under both conventions.
registerCostRule('ScaledAdd', () => ({macs: 0}));

// Each output sees C_in / G input channels: 1/G of a dense conv's MACs.
registerCostRule('GroupConv2D', layer => {
  const groups = layer.config['groups'] as number;
  return {macs: outputPositions(layer) * outChannels(layer) * kernelArea(layer) * (inChannels(layer) / groups)};
});
registerWeightLayerClass('GroupConv2D');
registerLayerKind('GroupConv2D', () => 'group');

// A learned group conv is a dense 1x1 times a mask while it trains. Under
// `macs` it costs what runs (the dense conv); under `condensenet` what
// remains after condensation, 1/C of it (official utils.measure_model).
// Either way the mask is bookkeeping, not parameters.
registerCostRule('LearnedGroupConv2D', (layer, convention) => {
  const weights = inChannels(layer) * outChannels(layer);
  const scale = convention === 'condensenet' ? 1 / (layer.config['condenseFactor'] as number) : 1;
  return {macs: outputPositions(layer) * weights * scale, params: weights * scale};
});
registerWeightLayerClass('LearnedGroupConv2D');
registerLayerKind('LearnedGroupConv2D', () => 'group');
// The index layer of a converted CondenseNet moves memory only.
registerCostRule('ChannelGather', () => ({macs: 0}));
