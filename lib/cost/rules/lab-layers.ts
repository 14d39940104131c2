/**
 * Cost rules for the lab's own layers (lib/layers), with their kind for
 * "share by layer type" tables and whether their weights are the papers'
 * "parameters". Element-wise activations cost no multiply-accumulates
 * under the `macs` convention (papers, torchvision).
 */
import {registerLayerKind, registerWeightLayerClass} from '../kinds';
import {registerCostRule} from '../registry';
import {inChannels, kernelArea, outChannels, outputPositions} from './shapes';

registerCostRule('HardSigmoid', () => ({macs: 0}));
registerCostRule('HardSwish', () => ({macs: 0}));
// A permutation of channels: no arithmetic.
registerCostRule('ChannelShuffle', () => ({macs: 0}));
// An element-wise multiply-add, like Add: free under both conventions.
registerCostRule('ScaledAdd', () => ({macs: 0}));
// The index layer of a converted CondenseNet moves memory only.
registerCostRule('ChannelGather', () => ({macs: 0}));

// Each output sees C_in / G input channels: 1/G of a dense conv's MACs.
registerCostRule('GroupConv2D', layer => {
  const groups = layer.config['groups'] as number;
  return {macs: outputPositions(layer) * outChannels(layer) * kernelArea(layer) * (inChannels(layer) / groups)};
});
registerWeightLayerClass('GroupConv2D');
registerLayerKind('GroupConv2D', () => 'group');

// A learned group conv is a dense 1x1 times a mask while it trains: it costs
// what runs, the dense conv. Its mask is bookkeeping, not parameters. (The
// CondenseNet convention counts what remains after condensation.)
registerCostRule('LearnedGroupConv2D', layer => {
  const weights = inChannels(layer) * outChannels(layer);
  return {macs: outputPositions(layer) * weights, params: weights};
});
registerWeightLayerClass('LearnedGroupConv2D');
registerLayerKind('LearnedGroupConv2D', () => 'group');
