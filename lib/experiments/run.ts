/**
 * One training run from its stored configuration. Only the plan runner
 * (runner.ts) calls this: everything else goes through it, so that a run
 * is trained at most once and its record is always written.
 */
import {initEngine} from '../engine';
import {TrainProgress} from '../train/options';
import {ExperimentConfig, ExperimentResult, datasetFor} from './spec';
import {trainConfig} from './train-config';

export async function runExperiment(config: ExperimentConfig,
                                    options: {onProgress?: (progress: TrainProgress) => void | Promise<void>} = {}):
    Promise<ExperimentResult> {
  const engine = await initEngine(config.backend);
  return trainConfig(config, datasetFor(config), {onProgress: options.onProgress, engine});
}
