/**
 * Cost rules for the lab's own layers. Element-wise activations cost no
 * multiply-accumulates under the `macs` convention (papers, torchvision).
 */
import {registerCostRule} from '../cost/registry';

registerCostRule('HardSigmoid', () => ({macs: 0}));
registerCostRule('HardSwish', () => ({macs: 0}));
