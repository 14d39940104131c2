/**
 * Reading chapter 03's runs: what each run was, the seed noise (the α sweep
 * at 28 px repeated over seeds), the separable/full pairs and the families'
 * names (the shared readers are lib/chapters/common/runs.ts).
 */
import {PlanResult} from '../../experiments/runner';
import {Run} from '../../experiments/spec';
import {MOBILENET_V1, MOBILENET_V2, MOBILENET_V3, MobileNetV1Options, MobileNetV2Options, MobileNetV3Options, optionsAs} from '../../models';
import {CostPoint, Spread, spread} from '../../results/stats';
import {Noise, accuracy, noiseOver} from '../common/runs';
import {GRID_WIDTHS, SEPARABLE_WIDTHS} from './plan';

/** What chapter 03 reads of a run's options: any of its three families' fields, width and resolution always set. */
export type MobileNetRunOptions = Partial<MobileNetV1Options & MobileNetV2Options & MobileNetV3Options> & {width: number; resolution: number};

/** A run's options, checked against its own family (V1, V2 or V3-Small). */
export function optionsOf(run: Run): MobileNetRunOptions {
  const {model, options} = run.config;
  const o = model === 'mobilenet_v2' ? optionsAs(MOBILENET_V2, model, options) :
            model === 'mobilenet_v3' ? optionsAs(MOBILENET_V3, model, options) : optionsAs(MOBILENET_V1, model, options);
  if (o.width == null || o.resolution == null) throw new Error(`chapter 03 plans every run with a width and a resolution; run ${run.key} has neither`);
  return {...o, width: o.width, resolution: o.resolution};
}
export const ms = (run: Run) => run.result.timing.latencyMsBatch1.toFixed(2);

export function gridPoints(result: PlanResult): CostPoint[] {
  return result.group('grid').map(r => ({label: `α=${optionsOf(r).width} ${optionsOf(r).resolution}px`, macs: r.result.macs,
                                          accuracy: accuracy(r), group: `${optionsOf(r).resolution} px`}));
}

/** The seed noise: the α sweep at 28 px, repeated over every seed of the budget. */
export const seedNoise = (result: PlanResult): Noise => noiseOver(result, ['seeds']);

/** Mean test accuracy at each width of the seeded sweep. */
export function seededWidths(result: PlanResult): Array<{width: number} & Spread> {
  const seeded = result.group('seeds');
  return GRID_WIDTHS.map(width => ({width, ...spread(seeded.filter(r => optionsOf(r).width === width).map(accuracy))}));
}

export function separablePairs(result: PlanResult) {
  const runs = result.group('separable');
  return SEPARABLE_WIDTHS.map(width => {
    // Separable is the family's default, left out of the options (the grid's run at that width).
    const sep = runs.find(r => optionsOf(r).width === width && (optionsOf(r).convolution ?? 'separable') === 'separable')!;
    const full = runs.find(r => optionsOf(r).width === width && optionsOf(r).convolution === 'full')!;
    return {width, costRatio: full.result.macs / sep.result.macs, accuracyGain: accuracy(full) - accuracy(sep)};
  });
}

/** The three V3-Small runs of the parts group: as the paper builds it, ReLU for h-swish, and without squeeze-and-excite (widened to the same cost). */
export function v3Parts(result: PlanResult): {paper: Run; relu: Run; noSqueeze: Run} {
  const runs = result.group('v3Parts');
  const find = (what: string, test: (o: MobileNetRunOptions) => boolean) => {
    const run = runs.find(r => test(optionsOf(r)));
    if (run == null) throw new Error(`chapter 03's v3Parts group has no run ${what}; its plan makes one`);
    return run;
  };
  return {
    paper: find('as the paper builds it', o => o.hardSwish !== false && o.squeezeExcite !== false),
    relu: find('with ReLU for h-swish', o => o.hardSwish === false),
    noSqueeze: find('without squeeze-and-excite', o => o.squeezeExcite === false),
  };
}

export function familyName(run: Run): string {
  const o = optionsOf(run);
  if (run.config.model === 'mobilenet_v2' && o.linearBottleneck === false) return 'MobileNetV2, ReLU6 after projection';
  if (run.config.model === 'mobilenet_v3' && o.hardSwish === false) return 'MobileNetV3-Small, ReLU for h-swish';
  if (run.config.model === 'mobilenet_v3' && o.squeezeExcite === false) return 'MobileNetV3-Small, no squeeze-and-excite';
  return {mobilenet_v1: 'MobileNet v1', mobilenet_v2: 'MobileNetV2', mobilenet_v3: 'MobileNetV3-Small'}[run.config.model] ?? run.config.model;
}
