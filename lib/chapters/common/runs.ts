/**
 * Reading a chapter's runs: configurations (the same network over seeds),
 * the seed noise of their measures pooled over the groups a plan repeats,
 * and learning curves averaged over seeds.
 */
import {Item, tableItem} from '../../display/show';
import {Curve} from '../../plot/figures';
import {CostPoint, NoiseEstimate, Spread, pooledStd, spread} from '../../results/stats';
import {Run} from '../../experiments/spec';
import {claimGroup} from '../../experiments/claims';
import {PlanResult} from '../../experiments/runner';
import {StepCurvePoint} from '../../train/options';

export const accuracy = (run: Run) => run.result.testAccuracy ?? NaN;

/** The mean training loss over the whole run (the area under its step curve): lower learned faster. */
export function meanTrainingLoss(run: Run): number {
  const curve = run.result.stepCurve;
  if (curve.length === 0) return NaN;
  return curve.reduce((a, p) => a + p.trainLoss, 0) / curve.length;
}

/**
 * Whether a run trained on the plan's own recipe (its training and test
 * images): the chapter's noise was measured on such runs. A spec may train
 * on fewer (chapter 01's scaling runs at the course budget).
 */
export function onRecipe(result: PlanResult, run: Run): boolean {
  const {limit, testLimit} = result.expanded.plan.training;
  return run.config.limit === limit && run.config.testLimit === testLimit;
}

/** The runs of a group that differ only by seed, under one label. */
export interface Configuration {
  label: string;
  runs: Run[];
  accuracy: Spread;
  meanLoss: Spread;
}

/** What makes two runs the same configuration: the network and every training setting but the seed. */
function configurationKey(run: Run): string {
  const {seed: _seed, ...rest} = run.config;
  return JSON.stringify(rest);
}

/** Splits runs into configurations (same network and training, any seed), in the order they first appear. */
export function configurations(runs: readonly Run[], label: (run: Run) => string): Configuration[] {
  const byKey = new Map<string, Run[]>();
  for (const run of runs) byKey.set(configurationKey(run), [...(byKey.get(configurationKey(run)) ?? []), run]);
  return [...byKey.values()].map(group => ({
    label: label(group[0]), runs: group,
    accuracy: spread(group.map(accuracy)), meanLoss: spread(group.map(meanTrainingLoss)),
  }));
}

export interface Noise {
  /** One run's standard deviation of test accuracy, pooled over the seeded configurations. */
  accuracy: number;
  /** The same for the mean training loss. */
  meanLoss: number;
  degreesOfFreedom: number;
  configurations: number;
}

/** One measure's noise as verdicts take it: one run's standard deviation and its degrees of freedom. */
export function noiseOf(noise: Noise, measure: 'accuracy' | 'meanLoss' = 'accuracy'): NoiseEstimate {
  return {runStd: noise[measure], degreesOfFreedom: noise.degreesOfFreedom};
}

/**
 * The seed noise pooled over every configuration of `groups` and of the
 * plan's headline claims (each counted once, however many groups share it):
 * at the course budget the claims' arms are what repeats over seeds.
 */
export function noiseOver(result: PlanResult, groups: readonly string[]): Noise {
  // Every run once, however many groups ask for it; a configuration's seeds may come from several groups
  // (at the course budget a sweep has seed 1 of a network whose other seeds a headline claim trains).
  const runs = new Map<string, Run>();
  for (const group of [...groups, ...(result.expanded.plan.claims ?? []).map(claimGroup)]) {
    for (const run of result.group(group)) runs.set(run.key, run);
  }
  const all = configurations([...runs.values()], () => '');
  const acc = pooledStd(all.map(c => c.accuracy));
  return {accuracy: acc.std, meanLoss: pooledStd(all.map(c => c.meanLoss)).std, degreesOfFreedom: acc.degreesOfFreedom,
          configurations: all.filter(c => c.accuracy.n > 1).length};
}

/** A step-curve measure against images seen, averaged over a configuration's seeds. */
export function meanCurve(c: Configuration, measure: 'trainLoss' | 'trainAccuracy' = 'trainLoss'): Curve {
  const curves = c.runs.map(r => r.result.stepCurve).filter(curve => curve.length > 0);
  const points = Math.min(...curves.map(curve => curve.length));
  const x = curves[0]?.slice(0, points).map(p => p.images) ?? [];
  const y = x.map((_, i) => curves.reduce((a, curve) => a + (curve[i] as StepCurvePoint)[measure], 0) / curves.length);
  return {label: `${c.label} (${c.runs.length === 1 ? '1 seed' : `mean of ${c.runs.length} seeds`})`, x, y};
}

/** Images seen when a curve first reaches `target` (null if it never does). */
export function imagesToReach(curve: Curve, target: number): number | null {
  const i = curve.y.findIndex(y => y >= target);
  return i < 0 ? null : curve.x[i];
}

/**
 * One row per configuration: its label, seeds, mean test accuracy and spread,
 * then (optionally) the mean training loss, the parameters and the
 * multiply-adds under the headers a chapter uses for them.
 */
export function configurationTable(cs: readonly Configuration[], first: string,
                                   columns: {loss?: boolean; params?: string; macs?: string} = {loss: true, macs: 'MACs'}): Item {
  return tableItem(cs, [
    {header: first, value: c => c.label},
    {header: 'seeds', value: c => c.accuracy.n},
    {header: 'mean test accuracy', value: c => c.accuracy.mean.toFixed(3)},
    {header: 'spread (std)', value: c => c.accuracy.n > 1 ? c.accuracy.std.toFixed(3) : '-'},
    ...(columns.loss ? [{header: 'mean training loss', value: (c: Configuration) => Number.isFinite(c.meanLoss.mean) ? c.meanLoss.mean.toFixed(3) : '-'}] : []),
    ...(columns.params ? [{header: columns.params, value: (c: Configuration) => c.runs[0].result.trainableParams}] : []),
    ...(columns.macs ? [{header: columns.macs, value: (c: Configuration) => c.runs[0].result.macs}] : []),
  ]);
}

/**
 * One accuracy-against-cost point per network a plan trained (the mean over
 * its seeds), grouped by the plan group that first asked for it; a network
 * two groups share, or trained twice with different recipes, is one point.
 */
export function planCostPoints(result: PlanResult, label: (run: Run) => string, skipGroups: readonly string[] = []): CostPoint[] {
  const seen = new Set<string>();
  const points: CostPoint[] = [];
  for (const {name, title} of result.expanded.plan.groups) {
    if (skipGroups.includes(name)) continue;
    for (const c of configurations(result.group(name), label)) {
      const key = JSON.stringify([c.runs[0].config.model, c.runs[0].config.options]);
      if (seen.has(key)) continue;
      seen.add(key);
      points.push({label: c.label, macs: c.runs[0].result.macs, accuracy: c.accuracy.mean, group: title});
    }
  }
  return points;
}
