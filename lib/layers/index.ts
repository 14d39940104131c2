/**
 * tf.layers.Layer subclasses TF.js lacks (each module registers its cost
 * rules), and skipImageGradients and fuseBatchNormActivations, which the
 * trainer applies to every model.
 */
export {HardSigmoid, HardSwish} from './hard-activations';
export {LabBatchNormalization, labBatchNormalization} from './batch-norm';
export {ChannelShuffle, GroupConv2D, GroupConv2DArgs} from './group-conv';
export {ScaledAdd} from './scaled-add';
export {ChannelGather, LearnedGroupConv2D, LearnedGroupConv2DArgs, condensingStage} from './learned-group-conv';
export {skipImageGradients} from './image-gradient';
export {LabReLU, fuseBatchNormActivations, labReLU} from './activation-fusion';
