/**
 * Reading chapter 02's runs: what each run was and the seed noise of its
 * measures (the shared readers are lib/chapters/runs.ts).
 */
import {Run} from '../../experiments/spec';
import {XCEPTION_SPECTRUM, XceptionSpectrumOptions, optionsAs} from '../../models';
import {PlanResult} from '../../experiments/runner';
import {Noise, noiseOver} from '../common/runs';

export {Configuration, accuracy, configurations, meanCurve, meanTrainingLoss} from '../common/runs';

/** What chapter 02 reads of a run's options: xception_spectrum's, with the three every run of the plan sets. */
export type SpectrumRunOptions = Partial<XceptionSpectrumOptions> & Pick<XceptionSpectrumOptions, 'segments' | 'width' | 'between'>;

/** A run's options as xception_spectrum's, checked. */
export function optionsOf(run: Run): SpectrumRunOptions {
  const o = optionsAs(XCEPTION_SPECTRUM, run.config.model, run.config.options);
  if (o.segments == null || o.width == null || o.between == null) {
    throw new Error(`chapter 02 plans every run with segments, width and between; run ${run.key} lacks one`);
  }
  return {...o, segments: o.segments, width: o.width, between: o.between};
}
/** k as the chapter writes it: 'C' for one segment per channel. */
export const kOf = (run: Run) => optionsOf(run).segments === 0 ? 'C' : String(optionsOf(run).segments);

/** The configurations of every group the plan repeats over seeds: where the chapter measures its noise. */
export const SEEDED_GROUPS = ['activationC', 'activation1', 'order', 'shuffle', 'residual', 'inceptionXception'] as const;

export function seedNoise(result: PlanResult): Noise {
  return noiseOver(result, SEEDED_GROUPS);
}
