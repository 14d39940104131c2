/**
 * What a model family adds to training its runs, beyond what every run
 * does: hooks into the loop (a per-step change to the model, an extra loss
 * term), the cost its record reports, and what its record keeps after
 * training. The runner (run.ts) asks this table by family name and knows
 * no family itself; a family without an entry trains plainly.
 */
import * as tf from '@tensorflow/tfjs';

import {CostTotals} from '../cost/types';
import {ImageSet, pixelStats} from '../data/dataset';
import {CONDENSENET, optionsAs} from '../models';
import {networkCost} from '../models/costs';
import {condensationHooks, learnedGroupConvsOf} from '../train/condense';
import {TrainOptions} from '../train/options';
import {CondensationRecord, checkConversion, featureReuse} from './condensation';
import {ExperimentConfig, ExperimentResult} from './spec';

/** One run's additions, prepared once its model is built. */
export interface RunAdditions {
  /** Hooks the training loop calls. */
  hooks: Pick<TrainOptions, 'onStep' | 'extraLoss'>;
  /**
   * The cost the record reports, where it is not the training network's
   * (a function: the browser's runs, whose costs come with their
   * configuration, never ask for it).
   */
  reportedCost?(): CostTotals;
  /** What the record keeps besides the common fields, once training is done. */
  recordAfterTraining(data: {train: ImageSet; test?: ImageSet}): Promise<Partial<ExperimentResult>>;
}

export interface FamilyTraining {
  /** The run's additions, or null when this configuration needs none. */
  prepare(model: tf.LayersModel, config: ExperimentConfig): RunAdditions | null;
}

/** The converted (test-time) network's cost: what condensation buys, in plain MACs (from the cost cache, lib/models/costs.ts). */
const convertedCost = (config: ExperimentConfig): CostTotals =>
    networkCost(config.model, {...config.options, converted: true, classifierKeep: 1}, 'macs').totals;

/**
 * CondenseNet with learned group convolutions: the condensing stages and the
 * group lasso hook into training, the record reports the converted
 * network's cost, and keeps the stages as they happened, the conversion
 * checked on the test set and the feature-reuse map (condensation.ts).
 */
const CONDENSENET_TRAINING: FamilyTraining = {
  prepare(model, config) {
    if (learnedGroupConvsOf(model).length === 0) return null;
    const options = optionsAs(CONDENSENET, config.model, config.options);
    const condensation = condensationHooks(model, {groupLassoLambda: options.groupLasso ?? 0});
    return {
      hooks: {onStep: condensation.onStep, extraLoss: condensation.extraLoss},
      reportedCost: () => convertedCost(config),
      async recordAfterTraining(data) {
        if (data.test == null) return {};
        const record: CondensationRecord = {
          events: condensation.events as CondensationRecord['events'],
          conversion: await checkConversion(model, options, data.test, pixelStats(data.train)),
          featureReuse: featureReuse(model, options),
        };
        return {condensation: record};
      },
    };
  },
};

export const FAMILY_TRAINING: Readonly<Record<string, FamilyTraining>> = {
  [CONDENSENET.name]: CONDENSENET_TRAINING,
};

/** A run's additions from its family, or null for a family that trains plainly. */
export function runAdditions(model: tf.LayersModel, config: ExperimentConfig): RunAdditions | null {
  return FAMILY_TRAINING[config.model]?.prepare(model, config) ?? null;
}
