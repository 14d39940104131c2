/**
 * Multiply-accumulate rules for convolution and dense layers.
 *
 * One MAC per weight per output position; bias adds are not counted (the
 * CondenseNet convention adds dense layers' bias: rules/condensenet.ts).
 * fvcore counts the same way ("one fused multiply-add as one flop"); ptflops
 * adds bias terms, so its numbers are slightly higher for layers with bias.
 */
import {registerCostRule} from '../registry';
import {inChannels, kernelArea, outChannels, outputPositions} from './shapes';

// k_h * k_w * C_in MACs for each of the H_out * W_out * C_out outputs.
registerCostRule('Conv2D', layer => ({
  macs: outputPositions(layer) * outChannels(layer) * kernelArea(layer) * inChannels(layer),
}));

// Each output channel sees one input channel: k_h * k_w MACs per output.
registerCostRule('DepthwiseConv2D', layer => ({
  macs: outputPositions(layer) * outChannels(layer) * kernelArea(layer),
}));

// Depthwise step (C_in * depthMultiplier maps) then a 1x1 pointwise step.
registerCostRule('SeparableConv2D', layer => {
  // TF.js omits depthMultiplier from this layer's config; the depthwise
  // kernel [kh, kw, C_in, multiplier] carries it.
  const depthMultiplier = layer.weightShapes['depthwise_kernel']?.[3] ?? 1;
  const mid = inChannels(layer) * depthMultiplier;
  const positions = outputPositions(layer);
  return {macs: positions * mid * kernelArea(layer) + positions * mid * outChannels(layer)};
});

registerCostRule('Dense', layer => ({macs: inChannels(layer) * outChannels(layer)}));
