/**
 * Chapter 01's tables, figures and prose read from the plan's runs. Every
 * number comes from the runs or from networks the lab builds; every
 * comparison is judged against the seed noise the plan measures.
 */
import {costOf} from '../../cost';
import {networkCost} from '../../models/costs';
import {percent, signed} from '../../display/format';
import {Item, markdownItem, plotlyItem, tableItem} from '../../display/show';
import {PlanResult} from '../../experiments/runner';
import {Run} from '../../experiments/spec';
import {INCEPTION_LAB, InceptionLabOptions, buildModel, optionsAs} from '../../models';
import {curvesFigure, latencyFigure} from '../../plot/figures';
import {Verdict, median} from '../../results/stats';
import {accuracyVsMacsItem} from '../common/figures';
import {judgedAgainst, said} from '../common/verdicts';
import {
  Configuration, Noise, configurationTable, configurations, imagesToReach, meanCurve, noiseOver, onRecipe, planCostPoints,
} from '../common/runs';
import {BN_RESULTS, CONTROL_EXPERIMENT, RESIDUAL_SCALES, RETHINKING_TABLE3, SMALL_SCALE_INVERSION, paperScaleGigaMacs} from './paper';
import {BN_ARMS, CLAIMS, LAB, LADDER, SCALING} from './plan';

/** Groups repeated over seeds, where the chapter measures its noise (scaling runs one seed). */
export const SEEDED_GROUPS = ['kernels', 'between', 'reduction', 'batchNorm', 'residual', 'ladder'] as const;

export const seedNoise = (result: PlanResult): Noise => noiseOver(result, SEEDED_GROUPS);

/** A run's options as inception_lab's, checked; every run of the plan sets its width. */
export function optionsOf(run: Run): Partial<InceptionLabOptions> & {width: number} {
  const o = optionsAs(INCEPTION_LAB, run.config.model, run.config.options);
  if (o.width == null) throw new Error(`chapter 01 plans every run with a width; run ${run.key} has none`);
  return {...o, width: o.width};
}

export const KERNEL_LABELS: Record<string, string> = {'5x5': 'one 5×5', '3x3-3x3': 'two 3×3', '1x3-3x1': '1×3 then 3×1'};
const REDUCTION_LABELS: Record<string, string> = {
  'conv-pool': 'module, then pool', 'pool-conv': 'pool, then module', 'parallel': 'parallel stride-2 convolutions and pool (Fig. 10)',
};
export const kernelsOf = (r: Run) => optionsOf(r).kernels ?? '3x3-3x3';
export const reductionOf = (r: Run) => optionsOf(r).reduction ?? 'parallel';

/**
 * a minus b on one measure, decided by its interval (lib/chapters/common/verdicts.ts).
 * Runs trained on fewer images than the recipe (the scaling runs at the course budget) are
 * noisier than the noise measured on the recipe, so they are not judged against it.
 */
export function judged(result: PlanResult, a: Configuration, b: Configuration, measure: 'accuracy' | 'meanLoss' = 'accuracy',
                       margin: number | null = null): Verdict {
  const noise = [...a.runs, ...b.runs].every(run => onRecipe(result, run)) ? seedNoise(result) :
      {accuracy: NaN, meanLoss: NaN, degreesOfFreedom: 0, configurations: 0};
  return judgedAgainst(noise, a, b, measure, margin);
}


function curves(cs: readonly Configuration[], title: string, measure: 'trainLoss' | 'trainAccuracy' = 'trainLoss'): Item {
  return plotlyItem(curvesFigure(cs.map(c => meanCurve(c, measure)), {
    title, x: 'training images seen',
    y: measure === 'trainLoss' ? 'training loss (mean over each window of steps)' : 'training accuracy (mean over each window of steps)',
  }));
}

export function noiseSection(result: PlanResult): Item[] {
  const noise = seedNoise(result);
  return [markdownItem(noise.degreesOfFreedom > 0 ?
      `Run-to-run noise: one run's test accuracy has a standard deviation of **${noise.accuracy.toFixed(3)}**, pooled over the ` +
      `${noise.configurations} configurations repeated over seeds (${noise.degreesOfFreedom} degrees of freedom).` :
      'This budget runs one seed, so no difference in this chapter is checked against noise: read every comparison as unchecked.')];
}

export function kernelsConfigurations(result: PlanResult) {
  return {
    kernels: configurations(result.group('kernels'), r => KERNEL_LABELS[kernelsOf(r)]),
    between: configurations(result.group('between'), r => optionsOf(r).between === 'linear' ? 'none (linear)' : 'ReLU'),
  };
}

/** The widest branch's convolutions after its 1x1 reduction, in multiply-adds: what the kernel switch replaces. */
export function replacedMacs(options: Record<string, unknown>): number {
  return networkCost('inception_lab', options).layers
      .filter(l => l.name.includes('_wide_') && !l.name.includes('_wide_reduce')).reduce((a, l) => a + l.macs, 0);
}

/**
 * What the kernels headline claim's two 3x3 cost against its 5x5, from its
 * arms' networks (the widest branch one width throughout): the replaced
 * layers' ratio (Rethinking's 18/25) and the whole network's.
 */
export function kernelsClaimCost(): {layers: number; network: number} {
  const claim = CLAIMS.find(c => c.id === 'kernels');
  if (claim == null) throw new Error("chapter 01's plan has no 'kernels' headline claim");
  const [two, five] = [claim.a.spec(1).options, claim.b.spec(1).options];
  return {layers: replacedMacs(two) / replacedMacs(five),
          network: networkCost('inception_lab', two).totals.macs / networkCost('inception_lab', five).totals.macs};
}

export function kernelsSection(result: PlanResult): Item[] {
  const {kernels, between} = kernelsConfigurations(result);
  const [five, two, asym] = kernels;
  const [relu, linear] = between;
  const claimCost = kernelsClaimCost();
  return [
    configurationTable(kernels, 'the widest branch', {loss: true, params: 'params', macs: 'MACs'}),
    markdownItem(`At their own costs (here two 3×3 cost ` +
        `${(replacedMacs(two.runs[0].config.options) / replacedMacs(five.runs[0].config.options)).toFixed(2)}× the 5×5): two 3×3 against one ` +
        `5×5, test accuracy ${said(judged(result, two, five))}; 1×3 then 3×1 against two 3×3, ${said(judged(result, asym, two))}, for ` +
        `${percent(asym.runs[0].result.macs / two.runs[0].result.macs)} of the multiply-adds.`),
    markdownItem(`In the headline claim's networks, the widest branch one width throughout, two 3×3 cost ${claimCost.layers.toFixed(2)}× the ` +
        `5×5 (${claimCost.network.toFixed(2)}× for the whole network).`),
    configurationTable(between, 'between the two 3×3', {loss: true, params: 'params', macs: 'MACs'}),
    curves(between, 'Two stacked 3×3: training loss with and without a ReLU between them'),
    markdownItem(`The Rethinking paper's control experiment (${CONTROL_EXPERIMENT.source}): ${CONTROL_EXPERIMENT.relu} % top-1 with a ReLU ` +
        `between the factors against ${CONTROL_EXPERIMENT.linear} % with none. Here, ReLU against none: test accuracy ` +
        `${said(judged(result, relu, linear))}; mean training loss ${said(judged(result, relu, linear, 'meanLoss'))}.`),
  ];
}

/** The multiply-adds of the first grid reduction (14 x 14 -> 7 x 7) in each lab network. */
export function reductionBlockMacs(reduction: string): number {
  const model = buildModel('inception_lab', {...LAB, reduction});
  try {
    return costOf(model).layers.filter(l => l.name.startsWith('reduction1_')).reduce((a, l) => a + l.macs, 0);
  } finally {
    model.dispose();
  }
}

export function reductionSection(result: PlanResult): Item[] {
  const cs = configurations(result.group('reduction'), r => REDUCTION_LABELS[reductionOf(r)]);
  const blocks = ['conv-pool', 'pool-conv', 'parallel'].map(reductionBlockMacs);
  const [convPool, poolConv, parallel] = cs;
  return [
    tableItem(cs.map((c, i) => ({c, block: blocks[i]})), [
      {header: 'grid reduction', value: x => x.c.label},
      {header: 'MACs of the first reduction', value: x => x.block},
      {header: 'network MACs', value: x => x.c.runs[0].result.macs},
      {header: 'seeds', value: x => x.c.accuracy.n},
      {header: 'mean test accuracy', value: x => x.c.accuracy.mean.toFixed(3)},
    ]),
    markdownItem(`Test accuracy, parallel against pool-then-module: ${said(judged(result, parallel, poolConv))}; against ` +
        `module-then-pool: ${said(judged(result, parallel, convPool))}.`),
  ];
}

export function batchNormConfigurations(result: PlanResult): Configuration[] {
  const runs = result.group('batchNorm');
  const labelOf = (r: Run) => {
    const o = optionsOf(r);
    const arm = BN_ARMS.find(a => (a.options.batchNorm ?? true) === (o.batchNorm ?? true) && (a.options.act ?? 'relu') === (o.act ?? 'relu') &&
                                  Math.abs(r.config.lr / result.expanded.plan.training.lr! - a.lrFactor) < 1e-9);
    return arm?.label ?? 'unknown arm';
  };
  return configurations(runs, labelOf);
}

/** The target of "images to reach": the best training accuracy the network without BN reaches, as Ioffe & Szegedy measured it. */
export function batchNormTarget(cs: readonly Configuration[]): number {
  return Math.max(...meanCurve(cs[0], 'trainAccuracy').y);
}

export function batchNormSection(result: PlanResult): Item[] {
  const cs = batchNormConfigurations(result);
  const target = batchNormTarget(cs);
  const rows = cs.map(c => ({c, images: imagesToReach(meanCurve(c, 'trainAccuracy'), target)}));
  const [noBn, bn, bnFast, sigmoid, sigmoidBn] = rows;
  const reached = (x: typeof rows[number]) => x.images == null ? 'never' : x.images.toLocaleString('en-US');
  const reachedAfter = (x: typeof rows[number]) => x.images == null ? 'never reached' : `reached after ${x.images.toLocaleString('en-US')} images`;
  return [
    tableItem(rows, [
      {header: 'arm', value: x => x.c.label},
      {header: 'learning rate', value: x => x.c.runs[0].config.lr},
      {header: `images to reach ${target.toFixed(3)} training accuracy`, value: reached},
      {header: 'mean test accuracy', value: x => x.c.accuracy.mean.toFixed(3)},
      {header: 'seeds', value: x => x.c.accuracy.n},
    ]),
    curves(cs, 'Batch norm: training accuracy as training goes', 'trainAccuracy'),
    tableItem(BN_RESULTS.rows, [
      {header: 'BN-Inception paper', value: r => r.model},
      {header: 'steps to 72.2 %', value: r => r.stepsToTarget == null ? '-' : `${(r.stepsToTarget / 1e6).toFixed(1)} M`},
      {header: 'best accuracy', value: r => `${r.maxAccuracy} %`},
    ], BN_RESULTS.source),
    markdownItem(`With BN at the same learning rate it is ${reachedAfter(bn)}, at ${BN_ARMS[2].lrFactor}× the rate ` +
        `${reachedAfter(bnFast)}; without BN it is ${reachedAfter(noBn)}. Test accuracy, BN against none: ${said(judged(result, bn.c, noBn.c))}.`),
    markdownItem(`Sigmoid: without BN ${sigmoid.c.accuracy.mean.toFixed(3)} test accuracy (chance is 0.1), with BN at ${BN_ARMS[4].lrFactor}× ` +
        `the rate ${sigmoidBn.c.accuracy.mean.toFixed(3)}; the paper: "${BN_RESULTS.sigmoidWithoutBn}" without BN, ` +
        `${BN_RESULTS.rows[3].maxAccuracy} % with it.`),
  ];
}

export function residualConfigurations(result: PlanResult) {
  return {
    residual: configurations(result.group('residual'), r => optionsOf(r).residual ? 'residual modules' : 'plain modules'),
    scaling: configurations(result.group('scaling'), r => `scale ${optionsOf(r).residualScale ?? 1}`),
  };
}

export function residualSection(result: PlanResult): Item[] {
  const {residual, scaling} = residualConfigurations(result);
  const [plain, withResidual] = residual;
  const [unscaled, scaled] = scaling;
  return [
    configurationTable(residual, 'modules', {loss: true, params: 'params', macs: 'MACs'}),
    curves(residual, 'Training loss with and without residual connections'),
    markdownItem(`Residual against plain: mean training loss ${said(judged(result, withResidual, plain, 'meanLoss'))}, test accuracy ` +
        `${said(judged(result, withResidual, plain))}.`),
    configurationTable(scaling, `residual scale (α = ${SCALING.width}, learning rate ${SCALING.lr})`, {loss: true, params: 'params', macs: 'MACs'}),
    curves(scaling, `Residual scaling on the wide network at learning rate ${SCALING.lr}`),
    markdownItem(`One seed each: scale ${SCALING.scales[1]} against 1, test accuracy ${said(judged(result, scaled, unscaled))}, ` +
        `mean training loss ${said(judged(result, scaled, unscaled, 'meanLoss'))}. The paper scales by ` +
        `${RESIDUAL_SCALES.paperRange.join('-')}, Keras's InceptionResNetV2 by ${Object.values(RESIDUAL_SCALES.keras).join(', ')}.`),
  ];
}

export function ladderConfigurations(result: PlanResult): Configuration[] {
  const cs = configurations(result.group('ladder'), () => '');
  return cs.map((c, i) => ({...c, label: LADDER[i].rung}));
}

export function ladderSection(result: PlanResult): Item[] {
  const cs = ladderConfigurations(result);
  const rows = RETHINKING_TABLE3.map((paper, i) => ({paper, lab: cs[i] as Configuration | undefined, previous: i > 0 ? cs[i - 1] : undefined}));
  const gains = rows.filter(r => r.lab && r.previous).map(r => ({rung: r.paper.rung, v: judged(result, r.lab!, r.previous!)}));
  const shown = gains.filter(g => g.v.beyondNoise);
  // A rung's cost reproduces when the built network is within 5 % of the paper's figure (printed to one decimal).
  const built = RETHINKING_TABLE3.filter(r => r.built != null && r.rung !== 'BN-GoogLeNet').map(r => {
    const gmacs = paperScaleGigaMacs(r.built!);
    return {rung: r.rung, bnOps: r.bnOps, gmacs, reproduces: Math.abs(gmacs / r.bnOps - 1) < 0.05};
  });
  return [
    tableItem(rows, [
      {header: 'rung (Rethinking Table 3)', value: r => r.paper.rung},
      {header: 'lab rung', value: r => r.lab?.label ?? '-'},
      {header: 'top-1 error (paper)', value: r => `${r.paper.top1Error} %`},
      {header: 'Bn ops (paper)', value: r => r.paper.bnOps},
      {header: 'G MACs, built at paper scale', value: r => r.paper.built ? `${paperScaleGigaMacs(r.paper.built).toFixed(2)} (${r.paper.built})` : 'not built'},
      {header: 'lab MACs', value: r => r.lab ? r.lab.runs[0].result.macs : 'not built at lab scale'},
      {header: 'lab test accuracy', value: r => r.lab ? r.lab.accuracy.mean.toFixed(3) : '-'},
      {header: 'change from the rung above', value: r => r.lab && r.previous ? said(judged(result, r.lab, r.previous)) : '-'},
    ]),
    markdownItem(`Built at paper scale: ${built.map(r => `${r.rung} ${r.reproduces ? 'reproduces' : 'does not reproduce'} the paper's cost`)
        .join(', ')}. ${shown.length} of ${gains.length} steps change test accuracy decidedly here` +
        (shown.length ? ` (${shown.map(g => `${g.rung}: ${signed(g.v.difference)}`).join('; ')})` : '') + '.'),
    markdownItem(`At small scale, one recipe on CIFAR-100 (${SMALL_SCALE_INVERSION.source}): ` +
        `${SMALL_SCALE_INVERSION.rows.map(r => `${r.model} ${r.top1Error} %`).join(', ')} top-1 error, ` +
        `${[...SMALL_SCALE_INVERSION.rows].sort((a, b) => a.top1Error - b.top1Error)[0].model} best.`),
  ];
}

/**
 * One latency point per network: the median over the runs that built it
 * (seeds and training settings change no layer), so a run timed while the
 * machine was busy does not stand for the network.
 */
function latencyByNetwork(runs: readonly Run[]): Array<{run: Run; macs: number; ms: number; spread?: number}> {
  const byNetwork = new Map<string, Run[]>();
  for (const run of runs) {
    const key = JSON.stringify(run.config.options);
    byNetwork.set(key, [...(byNetwork.get(key) ?? []), run]);
  }
  return [...byNetwork.values()].map(same => {
    const spreads = same.flatMap(r => r.result.timing.latencySpreadBatch1 != null ? [r.result.timing.latencySpreadBatch1] : []);
    return {run: same[0], macs: same[0].result.macs, ms: median(same.map(r => r.result.timing.latencyMsBatch1)),
            ...(spreads.length > 0 ? {spread: median(spreads)} : {})};
  });
}

/** Every network the chapter trained on one accuracy-vs-cost plot (mean over seeds); latency against cost. */
export function costSection(result: PlanResult): Item[] {
  const describe = (r: Run) => {
    const o = optionsOf(r);
    return [KERNEL_LABELS[kernelsOf(r)], o.wideReduction === 'full' ? 'one width throughout' : null, o.between === 'linear' ? 'no ReLU between' : null,
            reductionOf(r) !== 'parallel' ? REDUCTION_LABELS[reductionOf(r)] : null, o.batchNorm === false ? 'no BN' : null,
            o.residual ? 'residual' : null, o.width !== LAB.width ? `α ${o.width}` : null].filter(Boolean).join(', ');
  };
  const points = planCostPoints(result, describe, ['batchNorm', 'scaling']);
  return [
    accuracyVsMacsItem(points, 'Chapter 01\'s lab networks: test accuracy against multiply-adds (mean over seeds)'),
    plotlyItem(latencyFigure(Object.values(KERNEL_LABELS).map(kernels => ({
      name: `widest branch: ${kernels}`,
      points: latencyByNetwork(result.all().filter(r => KERNEL_LABELS[kernelsOf(r)] === kernels)).map(n => ({...n, label: describe(n.run)})),
    })), `Latency against multiply-adds (${result.backend}, batch 1)`)),
  ];
}
