/**
 * Reading chapter 02's runs: what each run was, the seed noise of its
 * measures, and the learning curves averaged over seeds.
 */
import {Curve} from '../../plot/figures';
import {Spread, pooledStd, spread} from '../../results/stats';
import {Run} from '../../experiments/spec';
import {PlanResult} from '../../experiments/runner';

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
export const accuracy = (run: Run) => run.result.testAccuracy ?? NaN;
/** k as the chapter writes it: 'C' for one segment per channel. */
export const kOf = (run: Run) => optionsOf(run).segments === 0 ? 'C' : String(optionsOf(run).segments);

/** The mean training loss over the whole run (the area under its step curve): lower learned faster. */
export function meanTrainingLoss(run: Run): number {
  const curve = run.result.stepCurve;
  if (curve.length === 0) return NaN;
  return curve.reduce((a, p) => a + p.trainLoss, 0) / curve.length;
}

/** The runs of a group that differ only by seed, under one label. */
export interface Configuration {
  label: string;
  runs: Run[];
  accuracy: Spread;
  meanLoss: Spread;
}

/** Splits runs into configurations (same network, any seed), in the order they first appear. */
export function configurations(runs: readonly Run[], label: (run: Run) => string): Configuration[] {
  const byOptions = new Map<string, Run[]>();
  for (const run of runs) {
    const key = JSON.stringify(run.config.options);
    byOptions.set(key, [...(byOptions.get(key) ?? []), run]);
  }
  return [...byOptions.values()].map(group => ({
    label: label(group[0]), runs: group,
    accuracy: spread(group.map(accuracy)), meanLoss: spread(group.map(meanTrainingLoss)),
  }));
}

/** The configurations of every group the plan repeats over seeds: where the chapter measures its noise. */
export const SEEDED_GROUPS = ['activationC', 'activation1', 'order', 'shuffle', 'residual', 'inceptionXception'] as const;

export interface Noise {
  /** One run's standard deviation of test accuracy, pooled over the seeded configurations. */
  accuracy: number;
  /** The same for the mean training loss. */
  meanLoss: number;
  degreesOfFreedom: number;
  configurations: number;
}

export function seedNoise(result: PlanResult): Noise {
  const seen = new Set<string>();
  const all: Configuration[] = [];
  for (const group of SEEDED_GROUPS) {
    for (const c of configurations(result.group(group), () => group)) {
      const key = JSON.stringify(c.runs[0].config.options);
      if (!seen.has(key)) {
        seen.add(key);
        all.push(c);
      }
    }
  }
  const acc = pooledStd(all.map(c => c.accuracy));
  return {accuracy: acc.std, meanLoss: pooledStd(all.map(c => c.meanLoss)).std, degreesOfFreedom: acc.degreesOfFreedom,
          configurations: all.length};
}

/** Training loss against images seen, averaged over a configuration's seeds. */
export function meanCurve(c: Configuration): Curve {
  const curves = c.runs.map(r => r.result.stepCurve).filter(curve => curve.length > 0);
  const points = Math.min(...curves.map(curve => curve.length));
  const x = curves[0]?.slice(0, points).map(p => p.images) ?? [];
  const y = x.map((_, i) => curves.reduce((a, curve) => a + curve[i].trainLoss, 0) / curves.length);
  return {label: `${c.label} (${c.runs.length === 1 ? '1 seed' : `mean of ${c.runs.length} seeds`})`, x, y};
}
