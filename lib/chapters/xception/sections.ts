/**
 * Chapter 02's tables, figures and prose, read from the plan's runs. Every
 * number in the prose comes from the runs; every comparison is judged
 * against the seed noise the plan measures (runs.ts).
 */
import {millions, percent, plural, signed} from '../../display/format';
import {buildModel} from '../../models';
import {Item, markdownItem, plotlyItem, tableItem} from '../../display/show';
import {PlanResult} from '../../experiments/runner';
import {Run} from '../../experiments/spec';
import {accuracyVsMacsFigure, curvesFigure, latencyFigure} from '../../plot/figures';
import {CostPoint, verdict} from '../../results/stats';
import {INCEPTION_SEGMENTS, SHUFFLE_GROUPS} from './plan';
import {RETHINKING_FIG2, SHUFFLENET, XCEPTION_TABLES, shuffleGainRange} from './paper';
import {Configuration, accuracy, configurations, kOf, meanCurve, meanTrainingLoss, optionsOf, seedNoise} from './runs';
import {accuracyVsMacsItem} from '../common/figures';
import {configurationTable, noiseOf, planCostPoints} from '../common/runs';
import {judgedAgainst} from '../common/verdicts';

const FIXED = 'the spectrum at fixed width';
const MATCHED = 'the spectrum at matched multiply-adds';

/** The spectrum's points: k along each path, the run both paths share labelled once. */
function spectrumPoints(result: PlanResult): CostPoint[] {
  const fixed = result.group('fixed');
  const point = (r: Run, label: string, group: string) => ({label, macs: r.result.macs, accuracy: accuracy(r), group});
  return [
    ...fixed.map(r => point(r, `k=${kOf(r)}`, FIXED)),
    ...result.group('matched').map(r => point(r, fixed.some(f => f.key === r.key) ? '' : `k=${kOf(r)} α=${optionsOf(r).width}`, MATCHED)),
  ];
}

/** How far a matched network may be from the reference's multiply-adds and still be called matched in the text. */
const MATCH_TOLERANCE = 0.05;

/**
 * How well "matched" matched: the range of the networks within
 * MATCH_TOLERANCE, and each one outside it named, with why it cannot come
 * nearer (its channels are multiples of k, and no width the plan's search
 * tried was nearer).
 */
function matchText(matched: readonly Run[], mismatch: (r: Run) => number): string {
  const close = matched.filter(r => Math.abs(mismatch(r)) <= MATCH_TOLERANCE);
  const far = matched.filter(r => Math.abs(mismatch(r)) > MATCH_TOLERANCE);
  const signedPercent = (x: number) => `${x >= 0 ? '+' : '-'}${percent(Math.abs(x), 1)}`;
  const range = close.length === 0 ? '' :
      `each width is the one, to 0.01, whose multiply-adds come nearest the k = ${INCEPTION_SEGMENTS} network's, and ` +
      `${close.length === matched.length ? 'all' : plural(close.length, 'network')} come within ${signedPercent(Math.min(...close.map(mismatch)))} ` +
      `to ${signedPercent(Math.max(...close.map(mismatch)))} of it`;
  const named = far.map(r => `k = ${kOf(r)} is ${signedPercent(mismatch(r))}: no width the plan tried came nearer, because the builder rounds ` +
      `its channels to multiples of ${optionsOf(r).segments === 0 ? 1 : optionsOf(r).segments}; read its point on the plot at its own cost`);
  return [range, ...named].filter(s => s !== '').join('; ');
}

export function spectrumSection(result: PlanResult): Item[] {
  const noise = seedNoise(result);
  const fixed = result.group('fixed');
  const matched = result.group('matched');
  const [fixed1, fixedC] = [fixed[0], fixed[fixed.length - 1]];
  const [matched1, matchedC] = [matched[0], matched[matched.length - 1]];
  const best = matched.reduce((a, r) => accuracy(r) > accuracy(a) ? r : a);
  const worst = matched.reduce((a, r) => accuracy(r) < accuracy(a) ? r : a);
  const atFixed = verdict(accuracy(fixedC) - accuracy(fixed1), noiseOf(noise));
  const atMatched = verdict(accuracy(matchedC) - accuracy(matched1), noiseOf(noise));
  const rows = [...fixed.map(r => ({sweep: 'fixed width', r})), ...matched.map(r => ({sweep: 'matched MACs', r}))];
  // How well "matched" matched: each matched network's multiply-adds against the Inception-like k = 4 reference's.
  const reference = matched.find(r => optionsOf(r).segments === INCEPTION_SEGMENTS) ?? matched[0];
  const mismatch = (r: Run) => r.result.macs / reference.result.macs - 1;
  const points = spectrumPoints(result);
  return [
    tableItem(rows, [
      {header: 'sweep', value: x => x.sweep},
      {header: 'k', value: x => kOf(x.r)},
      {header: 'α', value: x => optionsOf(x.r).width},
      {header: 'MACs', value: x => x.r.result.macs},
      {header: `MACs against k = ${INCEPTION_SEGMENTS}`, value: x => x.sweep === 'matched MACs' ? `${mismatch(x.r) >= 0 ? '+' : '-'}${percent(Math.abs(mismatch(x.r)), 1)}` : ''},
      {header: 'params', value: x => x.r.result.trainableParams},
      {header: 'test accuracy', value: x => accuracy(x.r).toFixed(3)},
      {header: 'train images/s', value: x => Math.round(x.r.result.timing.trainImagesPerSecond)},
    ]),
    accuracyVsMacsItem(points, 'The spectrum on Fashion-MNIST: k = 1 (regular) to k = C (depthwise separable)', {paths: [FIXED, MATCHED]}),
    markdownItem(`At fixed width, k = 1 to k = C cuts the multiply-adds ${(fixed1.result.macs / fixedC.result.macs).toFixed(1)}× ` +
        `(${millions(fixed1.result.macs)} → ${millions(fixedC.result.macs)}) for ${signed(atFixed.difference)} test accuracy, ${atFixed.label}. ` +
        `At matched multiply-adds (about ${millions(reference.result.macs)}: ${matchText(matched, mismatch)}), ` +
        `accuracy ranges from ${accuracy(worst).toFixed(3)} (k = ${kOf(worst)}) to ${accuracy(best).toFixed(3)} (k = ${kOf(best)}); ` +
        `k = C against k = 1 is ${signed(atMatched.difference)}, ${atMatched.label}. ` +
        (noise.degreesOfFreedom > 0 ? `One run's seed noise, pooled over the chapter's repeated runs, is ${noise.accuracy.toFixed(3)}.` :
            'This budget runs one seed, so no difference here is checked against noise.')),
    tableItem(SHUFFLENET.table2, [
      {header: 'ShuffleNet', value: r => `${r.model} (${r.mflops} MFLOPs)`},
      ...([1, 2, 3, 4, 8] as const).map(g => ({header: `g = ${g}`, value: (r: typeof SHUFFLENET.table2[number]) => `${r.error[g].toFixed(1)} %`})),
    ], `${SHUFFLENET.source}, Table 2: ImageNet top-1 error with g groups at fixed cost`),
    markdownItem(`ShuffleNet ${SHUFFLENET.table2[2].model}, its smallest: ${SHUFFLENET.table2[2].error[1]} % error at g = 1, ` +
        `${SHUFFLENET.table2[2].error[8]} % at g = 8. ` +
        (atMatched.beyondNoise ?
            `Here the far end of the spectrum is ${atMatched.difference > 0 ? 'better' : 'worse'} than k = 1 at matched cost (${atMatched.label}).` :
            `Here the spectrum's ends at matched cost are ${atMatched.label}: this budget does not separate them.`)),
  ];
}

function curves(cs: readonly Configuration[], title: string): Item {
  return plotlyItem(curvesFigure(cs.map(c => meanCurve(c)), {title, x: 'training images seen', y: 'training loss (mean over each window of steps)'}));
}

/** "a against b: test accuracy +0.012 (differs (95 % interval ...)), mean training loss -0.031 (undecided ...)". */
function compared(result: PlanResult, a: Configuration, b: Configuration): {text: string; accuracy: ReturnType<typeof verdict>;
                                                                          loss: ReturnType<typeof verdict>} {
  const noise = seedNoise(result);
  const acc = judgedAgainst(noise, a, b, 'accuracy');
  const loss = judgedAgainst(noise, a, b, 'meanLoss');
  return {accuracy: acc, loss, text: `${a.label} against ${b.label}: test accuracy ${signed(acc.difference)} (${acc.label}), ` +
      `mean training loss ${signed(loss.difference)} (${loss.label})`};
}

export const betweenLabel = (r: Run) => ({linear: 'none (linear)', relu: 'ReLU', elu: 'ELU'}[optionsOf(r).between] ?? optionsOf(r).between);

export function activationConfigurations(result: PlanResult): {atC: Configuration[]; at1: Configuration[]} {
  return {atC: configurations(result.group('activationC'), betweenLabel), at1: configurations(result.group('activation1'), betweenLabel)};
}

export function activationSection(result: PlanResult): Item[] {
  const {atC, at1} = activationConfigurations(result);
  const [linearC, reluC, eluC] = atC;
  const [linear1, relu1] = at1;
  return [
    configurationTable(atC, 'between the steps, k = C'),
    curves(atC, 'k = C (depthwise separable): training loss with and without an activation between the steps'),
    markdownItem(`The paper (Fig. 10): with no activation between depthwise and pointwise, training converges faster and ends better ` +
        `than with ReLU or ELU. Here, ${compared(result, linearC, reluC).text}; ${compared(result, linearC, eluC).text}.`),
    configurationTable(at1, 'between the steps, k = 1'),
    curves(at1, 'k = 1 (a 1×1 then a regular 3×3): training loss with and without a ReLU between'),
    markdownItem(`Rethinking (Fig. 2), factorised convolutions: ${RETHINKING_FIG2.relu} % top-1 with a ReLU between the factors, ` +
        `${RETHINKING_FIG2.linear} % linear. Here, at k = 1, ${compared(result, relu1, linear1).text}.`),
  ];
}

export function orderSection(result: PlanResult): Item[] {
  const cs = configurations(result.group('order'), r => optionsOf(r).order ?? 'pointwise-first');
  const [pointwiseFirst, depthwiseFirst] = cs.map(c => c.runs[0].result.macs);
  return [
    configurationTable(cs, 'order (k = C)'),
    markdownItem(`${compared(result, cs[0], cs[1]).text}. Multiply-adds: ${millions(depthwiseFirst)} depthwise first, ` +
        `${millions(pointwiseFirst)} pointwise first.`),
  ];
}

export function shuffleSection(result: PlanResult): Item[] {
  const cs = configurations(result.group('shuffle'), r => optionsOf(r).shuffle === true ? 'with shuffle' : 'without shuffle');
  const [without, withShuffle] = cs;
  return [
    configurationTable(cs, `grouped 1×1 (g = ${SHUFFLE_GROUPS}), 3×3 on ${SHUFFLE_GROUPS} segments`),
    tableItem(SHUFFLENET.table3, [
      {header: 'ShuffleNet', value: r => `${r.model}, g = ${r.groups}`},
      {header: 'error without shuffle', value: r => `${r.without.toFixed(1)} %`},
      {header: 'with shuffle', value: r => `${r.with.toFixed(1)} %`},
      {header: 'gain', value: r => `${(r.without - r.with).toFixed(1)} points`},
    ], `${SHUFFLENET.source}, Table 3`),
    markdownItem(`Without a shuffle, a stack of grouped steps keeps its ${SHUFFLE_GROUPS} groups apart from the stem to the classifier; ` +
        `the shuffle costs no multiply-adds. ShuffleNet gained ${shuffleGainRange().map(g => g.toFixed(1)).join(' to ')} points from it. ` +
        `Here, ${compared(result, withShuffle, without).text}.`),
  ];
}

export function residualSection(result: PlanResult): Item[] {
  const cs = configurations(result.group('residual'), r => optionsOf(r).residual === false ? 'no residuals' : 'residuals');
  const ours = residualCount(cs[0].runs[0].config.options);
  const theirs = residualCount({});
  return [
    configurationTable(cs, 'k = C network'),
    curves(cs, 'k = C: training loss with and without residual connections'),
    markdownItem(`The paper (§4.6, Fig. 9) calls residuals "essential" for Xception's convergence and final accuracy. The lab's network ` +
        `has ${plural(ours.adds, 'residual connection')} among ${plural(ours.convolutions, 'convolution')}, Xception ` +
        `${theirs.adds} among ${theirs.convolutions}: ${compared(result, cs[0], cs[1]).text}.`),
  ];
}

export function inceptionXceptionSection(result: PlanResult): Item[] {
  const cs = configurations(result.group('inceptionXception'), r => optionsOf(r).segments === 0 ?
      `Xception-like (k = C, α = ${optionsOf(r).width})` : `Inception-like (k = ${INCEPTION_SEGMENTS}, α = ${optionsOf(r).width})`);
  const [inception, xception] = cs;
  return [
    tableItem(cs, [
      {header: 'network', value: c => c.label},
      {header: 'params', value: c => c.runs[0].result.trainableParams},
      {header: 'MACs', value: c => c.runs[0].result.macs},
      {header: 'seeds', value: c => c.accuracy.n},
      {header: 'mean test accuracy', value: c => c.accuracy.mean.toFixed(3)},
    ]),
    markdownItem(`The paper: Xception ${millions(XCEPTION_TABLES.params.xception, 1)} parameters (Table 3) and ` +
        `${percent(XCEPTION_TABLES.top1.xception)} top-1 on ImageNet (Table 1), Inception v3 ${millions(XCEPTION_TABLES.params.inceptionV3, 1)} ` +
        `and ${percent(XCEPTION_TABLES.top1.inceptionV3)}. Here, ${compared(result, xception, inception).text}; ` +
        `the Xception-like network needs ${(xception.runs[0].result.macs / inception.runs[0].result.macs).toFixed(2)}× the multiply-adds.`),
  ];
}

/** Residual additions and convolution layers in a spectrum network with `options` ({} : Xception at paper scale). */
function residualCount(options: Record<string, unknown>): {adds: number; convolutions: number} {
  const model = Object.keys(options).length === 0 ? buildModel('xception') : buildModel('xception_spectrum', options);
  try {
    const classes = model.layers.map(l => l.getClassName());
    return {adds: classes.filter(c => c === 'Add').length,
            convolutions: classes.filter(c => /Conv2D$/.test(c)).length};
  } finally {
    model.dispose();
  }
}

/** The batch sizes every record keeps a latency at (ms per image, forward pass only). */
type LatencyBatch = 1 | 64;

const latencyAt = (r: Run, batch: LatencyBatch) => batch === 1 ? r.result.timing.latencyMsBatch1 : r.result.timing.latencyMsBatch64;

/** The mean over `runs` of ms per image for each million multiply-adds, at `batch`. */
function msPerMillionMacs(runs: readonly Run[], batch: LatencyBatch): number {
  return runs.reduce((a, r) => a + latencyAt(r, batch) / r.result.macs * 1e6, 0) / runs.length;
}

/** Every network the chapter trained, by experiment, on one accuracy-vs-cost plot; latency against cost. */
export function costSection(result: PlanResult): Item[] {
  const points = planCostPoints(result, r => `k=${kOf(r)} α=${optionsOf(r).width}`);
  const all = result.all();
  const byEnd = (test: (r: Run) => boolean) => all.filter(test);
  const [regular, separable] = [byEnd(r => optionsOf(r).segments === 1), byEnd(r => optionsOf(r).segments === 0)];
  const [regularMs, separableMs] = [msPerMillionMacs(regular, 1), msPerMillionMacs(separable, 1)];
  return [
    plotlyItem(accuracyVsMacsFigure(points, 'Everything chapter 02 trained (mean over seeds)')),
    plotlyItem(latencyFigure([
      {name: 'k = 1 (regular 3×3)', points: regular.map(r => ({label: `k=1 α=${optionsOf(r).width}`, macs: r.result.macs, ms: r.result.timing.latencyMsBatch1, spread: r.result.timing.latencySpreadBatch1}))},
      {name: '1 < k < C (grouped)', points: byEnd(r => optionsOf(r).segments > 1).map(r =>
          ({label: `k=${kOf(r)} α=${optionsOf(r).width}`, macs: r.result.macs, ms: r.result.timing.latencyMsBatch1, spread: r.result.timing.latencySpreadBatch1}))},
      {name: 'k = C (depthwise separable)', points: separable.map(r => ({label: `k=C α=${optionsOf(r).width}`, macs: r.result.macs, ms: r.result.timing.latencyMsBatch1, spread: r.result.timing.latencySpreadBatch1}))},
    ], `Latency against multiply-adds (${result.backend}, batch 1)`)),
    markdownItem(`Per million multiply-adds at batch 1, k = 1 networks take ${regularMs.toFixed(3)} ms and k = C networks ` +
        `${separableMs.toFixed(3)} ms on ${result.backend}: a depthwise separable multiply-add costs ` +
        `${(separableMs / regularMs).toFixed(1)}× a regular one here.`),
  ];
}

/**
 * Time per multiply-add along the spectrum, read from the records at the
 * batch size asked for (every run was timed at batch 1 and at batch 64):
 * one row per k of the 3×3 step, over every run the plan made with it.
 */
export function timePerMacSection(result: PlanResult, options: {batch?: number} = {}): Item[] {
  const batch = options.batch ?? 1;
  if (batch !== 1 && batch !== 64) throw new Error(`timePerMacSection: the records keep latency at batch 1 and batch 64, not ${batch}`);
  const all = result.all();
  const order = (k: number) => k === 0 ? Infinity : k;
  const ks = [...new Set(all.map(r => optionsOf(r).segments))].sort((a, b) => order(a) - order(b));
  const rows = ks.map(k => {
    const runs = all.filter(r => optionsOf(r).segments === k);
    return {k: kOf(runs[0]), runs: runs.length, ms: msPerMillionMacs(runs, batch)};
  });
  const [first, last] = [rows[0], rows[rows.length - 1]];
  return [
    tableItem(rows, [
      {header: 'segments k', value: r => r.k},
      {header: 'runs', value: r => r.runs},
      {header: `ms per image per million MACs, batch ${batch}`, value: r => r.ms.toFixed(4)},
      {header: `against k = ${first.k}`, value: r => `${(r.ms / first.ms).toFixed(2)}×`},
    ], `Time per multiply-add along the spectrum (${result.backend}, batch ${batch}, forward pass)`),
    markdownItem(`At batch ${batch} on ${result.backend}, a multiply-add at k = ${last.k} takes ` +
        `${(last.ms / first.ms).toFixed(1)}× the time of one at k = ${first.k}.`),
  ];
}

export {meanTrainingLoss};
