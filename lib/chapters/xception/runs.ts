/**
 * Reading chapter 02's runs: what each run was and the seed noise of its
 * measures (the shared readers are lib/chapters/runs.ts).
 */
import {Run} from '../../experiments/spec';
import {PlanResult} from '../../experiments/runner';
import {Noise, noiseOver} from '../common/runs';

export {Configuration, accuracy, configurations, meanCurve, meanTrainingLoss} from '../common/runs';

export interface SpectrumRunOptions {
  segments: number;
  width: number;
  between: string;
  order?: string;
  pointwiseGroups?: number;
  shuffle?: boolean;
  residual?: boolean;
}

export const optionsOf = (run: Run) => run.config.options as unknown as SpectrumRunOptions;
/** k as the chapter writes it: 'C' for one segment per channel. */
export const kOf = (run: Run) => optionsOf(run).segments === 0 ? 'C' : String(optionsOf(run).segments);

/** The configurations of every group the plan repeats over seeds: where the chapter measures its noise. */
export const SEEDED_GROUPS = ['activationC', 'activation1', 'order', 'shuffle', 'residual', 'inceptionXception'] as const;

export function seedNoise(result: PlanResult): Noise {
  return noiseOver(result, SEEDED_GROUPS);
}
