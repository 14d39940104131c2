/** Whether a model's training fits in this machine's memory, estimated from its analytic cost before anything trains. */
import * as tf from '@tensorflow/tfjs';

import {CostTotals, modelCost, totals} from '../cost';

/**
 * Rough peak memory of training: activations kept for the backward pass
 * (x3 for their gradients and temporaries) plus weights, gradients and two
 * optimiser slots.
 */
export function estimateTrainingBytes(cost: Pick<CostTotals, 'activationBytes' | 'weightBytes'>, batchSize: number): number {
  return 3 * cost.activationBytes * batchSize + 4 * cost.weightBytes;
}

/**
 * This machine's memory: Node's total, or in a browser (a report's "run it
 * here" section) what the page may know (Chrome's navigator.deviceMemory,
 * GiB, rounded down), else 4 GiB.
 */
function machineBytes(): number {
  if (typeof process !== 'undefined' && process.versions?.node != null) {
    return (require('node:os') as typeof import('node:os')).totalmem();
  }
  const deviceMemory = (globalThis as {navigator?: {deviceMemory?: number}}).navigator?.deviceMemory;
  return (deviceMemory ?? 4) * 2 ** 30;
}

export function checkFitsInMemory(model: tf.LayersModel, batchSize: number,
                                  options: {cost?: CostTotals; budgetBytes?: number} = {}): void {
  const budgetBytes = options.budgetBytes ?? machineBytes() / 2;
  const needed = estimateTrainingBytes(options.cost ?? totals(modelCost(model)), batchSize);
  if (needed > budgetBytes) {
    const gib = (b: number) => (b / 2 ** 30).toFixed(1);
    throw new Error(`training ${model.name} with batch ${batchSize} needs about ${gib(needed)} GiB, ` +
        `more than the ${gib(budgetBytes)} GiB allowed (half of this machine's memory): use a smaller batch size or resolution`);
  }
}
