/**
 * Chapter 01's exercises, answered by the lab (`cnnlab answers 01`). The
 * questions and the cells a student runs are in the notebook; each answer
 * computes the same thing from the same layers, and the exercise that
 * trains reads the records its cell made.
 */
import {Item, tableItem} from '../../display/show';
import {percent, plural, signed} from '../../display/format';
import {Budget} from '../../experiments/budget';
import {RunPlanOptions} from '../../experiments/runner';
import {networkCost} from '../../models/costs';
import {Arm, notRunYet, recordedVerdict} from '../common/arms';
import {Answer} from '../common/chapter';
import {EQUIVALENCE_MARGIN} from '../common/verdicts';
import {ConvStep, chainCost} from './arithmetic';
import {inception, plan} from './plan';

/** Chains of convolutions on one input, built and costed side by side: weights and multiply-adds of each. */
export function chainsTable(shape: [number, number, number], chains: ReadonlyArray<{label: string; steps: readonly ConvStep[]}>): Item {
  const rows = chains.map(chain => {
    const layers = chainCost(shape, chain.steps);
    return {label: chain.label, weights: layers.reduce((a, l) => a + l.weightParams, 0), macs: layers.reduce((a, l) => a + l.macs, 0)};
  });
  return tableItem(rows, [
    {header: `on ${shape.join(' × ')}`, value: r => r.label},
    {header: 'weights', value: r => r.weights},
    {header: 'MACs', value: r => r.macs},
  ]);
}

/** The fewest input channels at which a 1x1 to `reduceTo` before `filters` k x k filters holds fewer weights than the k x k alone. */
export function reductionPaysFrom(reduceTo = 32, filters = 96, kernel = 5, limit = 4096): number {
  const weights = (steps: ConvStep[], channels: number) => chainCost([4, 4, channels], steps).reduce((a, l) => a + l.weightParams, 0);
  for (let channels = 1; channels <= limit; channels++) {
    const reduced = weights([{filters: reduceTo, kernel: 1}, {filters, kernel}], channels);
    if (reduced < weights([{filters, kernel}], channels)) return channels;
  }
  throw new Error(`a 1×1 to ${reduceTo} before ${filters} filters of ${kernel}×${kernel} never pays below ${limit} input channels`);
}

/** Multiply-adds each stage of the lab network saves when every 3x3 is factorised into 1x3 then 3x1. */
export function factorisationSavings(): Array<{stage: string; grid: number; saved: number; share: number}> {
  const byStage = (options: Record<string, unknown>) => {
    const stages = new Map<string, {macs: number; grid: number}>();
    for (const l of networkCost('inception_lab', options).layers) {
      const stage = /^(stage\d|reduction\d)/.exec(l.name)?.[1] ?? 'stem and classifier';
      const known = stages.get(stage) ?? {macs: 0, grid: l.outputShape[0]};
      stages.set(stage, {macs: known.macs + l.macs, grid: known.grid});
    }
    return stages;
  };
  const [two, factorised] = [byStage(inception({}).options), byStage(inception({kernels: '1x3-3x1'}).options)];
  return [...two.entries()].map(([stage, {macs, grid}]) => {
    const after = factorised.get(stage)?.macs ?? 0;
    return {stage, grid, saved: macs - after, share: 1 - after / macs};
  });
}

/** The arms of exercise 3: the kernels headline claim's networks. */
export function kernelArms(): {a: Arm; b: Arm} {
  return {a: {label: 'two 3×3', ...inception({kernels: '3x3-3x3', wideReduction: 'full'})},
          b: {label: 'one 5×5', ...inception({kernels: '5x5', wideReduction: 'full'})}};
}
export const EXERCISE3_SEEDS = [1, 2, 3, 4];

export async function answers(budget: Budget, options: RunPlanOptions = {}): Promise<Answer[]> {
  const pays = reductionPaysFrom();
  const savings = factorisationSavings();
  const most = savings.reduce((a, b) => b.saved > a.saved ? b : a);
  const [two, factorised] = [inception({}), inception({kernels: '1x3-3x1'})].map(s => networkCost(s.model, s.options).totals.macs);
  const v = await recordedVerdict(plan(budget), kernelArms(), EXERCISE3_SEEDS, options, EQUIVALENCE_MARGIN);
  const measured = v == null ? notRunYet(budget, `it trains both networks at seeds ${EXERCISE3_SEEDS.join(', ')}`) :
      `two 3×3 minus one 5×5 over ${plural(EXERCISE3_SEEDS.length, 'paired seed')}: ${signed(v.difference)}, ${v.label}.`;
  return [
    {exercise: 1, title: 'When a 1×1 reduction pays for itself',
     answer: `from ${pays} input channels: with C inputs the 5×5 alone holds 25·C·96 weights and the reduced pair C·32 + 25·32·96, ` +
       `fewer once ${(25 * 96 - 32).toLocaleString('en-US')}·C exceeds ${(25 * 32 * 96).toLocaleString('en-US')}. Below that the 1×1 adds ` +
       'weights, as in the tutorial module on a 3-channel image.'},
    {exercise: 2, title: 'Where factorising every 3×3 saves',
     answer: `the factorised network does ${percent(factorised / two, 1)} of the two-3×3 network's multiply-adds; ` +
       `${savings.filter(s => s.saved > 0).map(s => `${s.stage} saves ${s.saved.toLocaleString('en-US')} (${percent(s.share, 0)})`).join(', ')}. ` +
       `The most is saved in ${most.stage}, on its ${most.grid} × ${most.grid} grid; Rethinking uses the factorisation only on 12-20 px grids, ` +
       'where it found it to work well, and not early in the network.'},
    {exercise: 3, title: 'The kernels claim with more seeds', answer: measured},
  ];
}
