/**
 * Chapter 04's tables, figures and prose read from the plan's runs: the
 * 1x1 convolutions compared, condensation as it happened (schedule, loss,
 * masks), the conversion proved, the ablations, accuracy against cost and
 * multiply-adds against time.
 */
import {millions, percent, signed} from '../../display/format';
import {Item, markdownItem, plotlyItem, tableItem} from '../../display/show';
import {CondensationRecord} from '../../experiments/condensation';
import {PlanResult} from '../../experiments/runner';
import {Run, condensationOf} from '../../experiments/spec';
import {CONDENSENET, CondenseNetOptions, MOBILENET_V2, optionsAs} from '../../models';
import {curvesFigure, heatmapFigure, latencyFigure} from '../../plot/figures';
import {Verdict} from '../../results/stats';
import {accuracyVsMacsItem} from '../common/figures';
import {judgedAgainst, said} from '../common/verdicts';
import {configurationTable, planCostPoints} from '../common/runs';
import {Configuration, Noise, configurations, noiseOver} from '../common/runs';
import {scheduleErratum} from './paper';
import {GROUPS, MOBILENET_TRAINING, POINTWISE} from './plan';
import {erratumText} from '../common/errata';

/** Where the chapter measures its noise: the CondenseNet groups (MobileNetV2 trains with another recipe, and is only plotted). */
export const SEEDED_GROUPS = ['pointwise', 'condense', 'groups', 'lasso'] as const;
export const seedNoise = (result: PlanResult): Noise => noiseOver(result, SEEDED_GROUPS);

/** A CondenseNet run's options, checked (the MobileNetV2 at matched cost is read as its own family where it is labelled). */
const optionsOf = (run: Run): Partial<CondenseNetOptions> => optionsAs(CONDENSENET, run.config.model, run.config.options);

export function judged(result: PlanResult, a: Configuration, b: Configuration, measure: 'accuracy' | 'meanLoss' = 'accuracy',
                       margin: number | null = null): Verdict {
  return judgedAgainst(seedNoise(result), a, b, measure, margin);
}

export function noiseSection(result: PlanResult): Item[] {
  const noise = seedNoise(result);
  return [markdownItem(noise.degreesOfFreedom > 0 ?
      `Run-to-run noise: one run's test accuracy varies by **${noise.accuracy.toFixed(3)}** (standard deviation pooled over the ` +
      `${noise.configurations} configurations the plan repeats, ${noise.degreesOfFreedom} degrees of freedom).` :
      'This budget runs one seed, so no difference in this chapter is checked against noise: read every comparison as unchecked.')];
}

export function pointwiseConfigurations(result: PlanResult): Configuration[] {
  return configurations(result.group('pointwise'), () => '').map((c, i) => ({...c, label: POINTWISE[i].label}));
}

export function pointwiseSection(result: PlanResult): Item[] {
  const [dense, group, shuffled, learned] = pointwiseConfigurations(result);
  return [
    configurationTable([dense, group, shuffled, learned], 'the 1×1 convolutions', {params: 'test-time params', macs: 'test-time MACs'}),
    markdownItem(`Fixed groups: ${percent(group.runs[0].result.macs / dense.runs[0].result.macs)} of the dense multiply-adds; against dense, ` +
        `${said(judged(result, group, dense))}. With a shuffle over without: ${said(judged(result, shuffled, group))}. Learned groups (${millions(learned.runs[0].result.macs)} multiply-adds at test time) over fixed groups with a shuffle: ` +
        `${said(judged(result, learned, shuffled))}; over dense: ${said(judged(result, learned, dense))}.`),
  ];
}

/** DenseNet's feature-reuse heatmaps, one per dense block, from the trained dense network (seed 1). */
export function featureReuseSection(result: PlanResult): Item[] {
  const dense = result.group('pointwise')[0];
  const maps = condensationOf(dense.result)?.featureReuse;
  if (maps == null) throw new Error(`chapter 04: the dense run ${dense.key} has no feature-reuse map (trained before 2026-11-30?)`);
  const items: Item[] = maps.map(m => plotlyItem(heatmapFigure({
    title: `Block ${m.block}: how strongly each layer's 1×1 weights read each earlier output`,
    // Row l, column s; sources after the layer do not feed it.
    z: m.rows.map(row => m.rows.map((_, s) => s < row.length ? Number(row[s].toFixed(4)) : null)),
    rows: m.rows.map((_, l) => `layer ${l + 1}`), columns: m.rows.map((_, s) => s === 0 ? 'block input' : `layer ${s}`),
    rowTitle: 'reading layer', columnTitle: 'source', value: 'mean |weight|', height: 380,
  }), 380));
  const nearest = maps.flatMap(m => m.rows.slice(1).map(row => row[row.length - 1] >= Math.max(...row.slice(0, -1))));
  const nearer = nearest.filter(Boolean).length;
  return [...items, markdownItem(`In the lab's trained DenseNet, ${nearer} of ${nearest.length} layers (after each block's first) weigh the output ` +
      `right before them at least as much as any older one: ${nearer * 2 > nearest.length ? 'most' : 'at this scale, most do not'} bear out the notes' premise.`)];
}

/** The first learned run of the plan (G = C = 4, seed 1), whose record shows condensation. */
export function learnedRun(result: PlanResult): {run: Run; condensation: CondensationRecord} {
  const run = result.group('pointwise')[3 * result.seeds.length];
  const condensation = condensationOf(run.result);
  if (condensation == null) throw new Error(`chapter 04: run ${run.key} has no condensation record (trained before 2026-11-30?); train it again with --fresh`);
  return {run, condensation};
}

/** Where the official schedule has its learning rate: cosine from the base rate to 0 over all steps. */
function cosine(progress: number): number {
  return 0.5 * (1 + Math.cos(Math.PI * progress));
}

export function condensingSection(result: PlanResult): Item[] {
  const {run, condensation} = learnedRun(result);
  const dense = result.group('pointwise')[0];
  const images = run.result.stepCurve.at(-1)?.images ?? 0;
  const events = condensation.events;
  const marks = events.slice(1).map(e => ({x: Math.round(e.progress * images), label: `stage ${e.stage}: ${percent(e.keptFraction, 0)} kept`}));
  const progress = Array.from({length: 21}, (_, i) => i / 20);
  // The loss from the window in which a stage is cut to the next one: a stage cut late in a window shows only in the next.
  const jumps = events.slice(1).map(e => {
    const curve = run.result.stepCurve;
    const at = curve.findIndex(p => p.images >= e.progress * images);
    return at >= 0 && at + 1 < curve.length ? curve[at + 1].trainLoss - curve[at].trainLoss : NaN;
  });
  return [
    plotlyItem(curvesFigure([
      {label: 'share of 1×1 connections kept', x: [...events.map(e => Math.round(e.progress * images)), images],
       y: [...events.map(e => e.keptFraction), events.at(-1)!.keptFraction], shape: 'hv'},
      {label: 'learning rate / base rate (cosine)', x: progress.map(p => Math.round(p * images)), y: progress.map(cosine)},
    ], {title: `The condensing schedule (C = ${GROUPS}): stages in the first half of training`, x: 'training images seen', y: 'fraction'})),
    plotlyItem(curvesFigure([{label: `learned groups, seed ${run.config.seed}`, x: run.result.stepCurve.map(p => p.images), y: run.result.stepCurve.map(p => p.trainLoss)}],
        {title: 'Training loss of the learned network, condensing stages marked', x: 'training images seen',
         y: 'training loss (mean over each window of steps)', marks})),
    tableItem(events, [
      {header: 'stage', value: e => e.stage},
      {header: 'after step', value: e => e.step},
      {header: 'progress', value: e => percent(e.progress, 0)},
      {header: '1×1 connections kept', value: e => percent(e.keptFraction)},
    ], 'Condensing stages as they happened in this run'),
    markdownItem(`From the window in which each stage is cut to the next, the loss changes by ` +
        `${jumps.map(j => Number.isFinite(j) ? signed(j) : '-').join(', ')} (windows of ` +
        `${Math.round(images / run.result.stepCurve.length).toLocaleString('en-US')} images): ${jumps.filter(j => j > 0).length} of ` +
        `${jumps.length} stages are followed by a higher loss in this run, one seed.`),
    markdownItem(`Measured once each: the learned network trained at ${Math.round(run.result.timing.trainImagesPerSecond)} images/s with a ` +
        `peak of ${(run.result.timing.peakTensorBytes / 2 ** 20).toFixed(1)} MiB of tensors, the dense one at ` +
        `${Math.round(dense.result.timing.trainImagesPerSecond)} images/s and ${(dense.result.timing.peakTensorBytes / 2 ** 20).toFixed(1)} MiB ` +
        `(${(run.result.timing.trainImagesPerSecond / dense.result.timing.trainImagesPerSecond).toFixed(2)}× its speed).`),
    markdownItem(erratumText(scheduleErratum())),
  ];
}

/** A mask at every stage as a heatmap: which input channels (columns) each group (rows) keeps. */
export function masksSection(result: PlanResult, layerName = 'block2_layer1_lgc'): Item[] {
  const {condensation} = learnedRun(result);
  const items: Item[] = condensation.events.map(e => {
    const mask = e.masks.find(m => m.layer === layerName);
    if (mask == null) throw new Error(`chapter 04: no learned group convolution named ${layerName}`);
    const z = mask.groups.map(kept => Array.from({length: mask.inputs}, (_, i) => kept.includes(i) ? 1 : 0));
    return plotlyItem(heatmapFigure({
      title: `${layerName} after stage ${e.stage} (${percent(e.keptFraction, 0)} of the connections kept)`,
      z, rows: mask.groups.map((_, g) => `group ${g}`), columns: Array.from({length: mask.inputs}, (_, i) => String(i)),
      rowTitle: 'group', columnTitle: 'input channel', value: 'connection', binary: {zero: 'cut', one: 'kept'}, height: 320,
    }), 320);
  });
  const last = condensation.events.at(-1)!.masks.find(m => m.layer === layerName)!;
  const shared = last.groups[0].filter(i => last.groups.every(g => g.includes(i)));
  return [...items, markdownItem(`After the last stage each group of ${layerName} reads ${last.groups[0].length} of its ${last.inputs} inputs; ` +
      `${shared.length} input channels are read by every group, and ${last.inputs - new Set(last.groups.flat()).size} by none.`)];
}

/** What the index layer of one of the trained network's learned group convolutions gathers (the sources' example: indexLayerExample). */
export function indexLayerSection(result: PlanResult, layerName = 'block2_layer1_lgc'): Item[] {
  const {condensation} = learnedRun(result);
  const mask = condensation.events.at(-1)!.masks.find(m => m.layer === layerName);
  if (mask == null) throw new Error(`chapter 04: no learned group convolution named ${layerName}`);
  return [markdownItem(`On the trained network's ${layerName}, the index layer gathers ${mask.groups.flat().length} of its ${mask.inputs} ` +
      `input channels, group by group (0-based): (${mask.groups.map(g => g.join(', ')).join(' | ')}).`)];
}

/** The runs that condensed (C > 1): each has a conversion check in its record. */
export function condensedRuns(result: PlanResult): Run[] {
  return result.all().filter(r => condensationOf(r.result) != null && (optionsOf(r).condenseFactor ?? GROUPS) > 1);
}

/** "2,000 test images", or "the test set" for records that did not say how many they compared. */
function checkedImages(comparisons: ReadonlyArray<{images?: number}>): string {
  const counts = [...new Set(comparisons.map(c => c.images ?? 0))];
  return counts.length === 1 && counts[0] > 0 ? `${counts[0].toLocaleString('en-US')} test images` : 'the test set';
}

export function conversionSection(result: PlanResult): Item[] {
  const runs = condensedRuns(result);
  const rows = runs.map(r => ({r, c: condensationOf(r.result)!.conversion}));
  const worst = Math.max(...rows.map(x => x.c.exact.maxAbsLogitDifference));
  const identical = rows.every(x => x.c.exact.samePrediction === 1);
  const cutChange = rows.map(x => x.c.classifierCut.accuracyConverted - x.c.classifierCut.accuracyTrained);
  return [
    tableItem(rows, [
      {header: 'run', value: x => `G = ${optionsOf(x.r).groups}, C = ${optionsOf(x.r).condenseFactor}${optionsOf(x.r).groupLasso ? ', lasso' : ''}, seed ${x.r.config.seed}`},
      {header: 'largest |logit difference|, exact', value: x => x.c.exact.maxAbsLogitDifference.toExponential(1)},
      {header: 'same predictions', value: x => percent(x.c.exact.samePrediction, 2)},
      {header: 'accuracy trained', value: x => x.c.exact.accuracyTrained.toFixed(3)},
      {header: `classifier cut to ${percent(rows[0]?.c.classifierCut.classifierKeep ?? 0, 0)}: accuracy`, value: x => x.c.classifierCut.accuracyConverted.toFixed(3)},
    ], `Every condensed run, converted and compared with itself on ${checkedImages(rows.map(x => x.c.exact))}`),
    markdownItem(`With every classifier input kept, the converted networks (index layer, group convolution, shuffle) compute what the ` +
        `masked ones do: the largest logit difference over ${rows.length} runs is ${worst === 0 ? '0 (the same floats)' : `${worst.toExponential(1)} (float rounding)`}, ` +
        `and ${identical ? 'every test image gets the same prediction' : 'some test images get different predictions'}.`),
    markdownItem(`Cutting the classifier changes accuracy by ${signed(Math.min(...cutChange))} to ${signed(Math.max(...cutChange))} on these runs.`),
  ];
}

export function ablationConfigurations(result: PlanResult) {
  return {
    condense: configurations(result.group('condense'), r => `C = ${optionsOf(r).condenseFactor}`),
    groups: configurations(result.group('groups'), r => `G = ${optionsOf(r).groups}`),
    lasso: configurations(result.group('lasso'), r => optionsOf(r).groupLasso ? `group lasso ${optionsOf(r).groupLasso}` : 'no group lasso'),
  };
}

export function ablationSection(result: PlanResult): Item[] {
  const {condense, groups, lasso} = ablationConfigurations(result);
  return [
    configurationTable(condense, `condensation factor (G = ${GROUPS})`, {params: 'test-time params', macs: 'test-time MACs'}),
    markdownItem(`C = 8 against C = 1 (nothing condensed): ${said(judged(result, condense[3], condense[0]))}; C = 4 against C = 1: ` +
        `${said(judged(result, condense[2], condense[0]))}.`),
    configurationTable(groups, `groups (C = ${GROUPS})`, {params: 'test-time params', macs: 'test-time MACs'}),
    markdownItem(`G = 8 against G = 1: ${said(judged(result, groups[3], groups[0]))}.`),
    configurationTable(lasso, 'group lasso', {params: 'test-time params', macs: 'test-time MACs'}),
    markdownItem(`With the group lasso against without: ${said(judged(result, lasso[1], lasso[0]))}.`),
  ];
}

export function costSection(result: PlanResult): Item[] {
  const label = (r: Run) => r.config.model === 'mobilenet_v2' ? `MobileNetV2 α ${optionsAs(MOBILENET_V2, r.config.model, r.config.options).width}` :
      optionsOf(r).pointwise === 'group' ? `fixed groups G=${optionsOf(r).groups}` :
      optionsOf(r).pointwise === 'group-shuffle' ? `fixed groups + shuffle G=${optionsOf(r).groups}` :
      optionsOf(r).condenseFactor === 1 ? 'DenseNet (dense 1×1)' : `G=${optionsOf(r).groups} C=${optionsOf(r).condenseFactor}${optionsOf(r).groupLasso ? ' lasso' : ''}`;
  const points = planCostPoints(result, label);
  const {run, condensation} = learnedRun(result);
  const dense = result.group('pointwise')[0];
  const {trained, converted} = condensation.conversion.latencyMsBatch1;
  const mobileNet = result.group('mobilenet')[0];
  const mobileNetWidth = optionsAs(MOBILENET_V2, mobileNet.config.model, mobileNet.config.options).width;
  return [
    accuracyVsMacsItem(points, 'Chapter 04: test accuracy against test-time multiply-adds (mean over seeds)'),
    plotlyItem(latencyFigure([
      {name: 'DenseNet (dense 1×1)', points: [{label: 'DenseNet', macs: dense.result.macs, ms: dense.result.timing.latencyMsBatch1}]},
      // The masked network runs the dense 1x1 convolutions (times zeros): DenseNet's multiply-adds.
      {name: 'learned groups, masked (as trained)', points: [{label: 'masked', macs: dense.result.macs, ms: trained}]},
      {name: 'learned groups, converted', points: [{label: 'converted', macs: run.result.macs, ms: converted}]},
    ], `Latency against multiply-adds (${result.backend}, batch 1)`)),
    markdownItem(`MobileNetV2 at width ${mobileNetWidth} trains with chapter 03's recipe (Adam at ${MOBILENET_TRAINING.lr}, constant); ` +
        `this chapter's SGD at learning rate ${result.expanded.plan.training.lr} did not train it reliably.`),
    markdownItem(`At batch 1 on ${result.backend}: masked ${trained.toFixed(2)} ms, converted ${converted.toFixed(2)} ms, DenseNet ` +
        `${dense.result.timing.latencyMsBatch1.toFixed(2)} ms. The converted network does ${percent(run.result.macs / dense.result.macs)} of ` +
        `DenseNet's multiply-adds in ${percent(converted / dense.result.timing.latencyMsBatch1)} of its time.`),
  ];
}
