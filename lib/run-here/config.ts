/**
 * A report's "run it here" experiment, made in Node where the report is
 * written: one of a chapter's headline claims (the tour's: the widest
 * against the narrowest network of its width sweep), with the chapter's
 * recipe at the quick budget and the sizes a reader's browser trains in
 * minutes, and each arm's test-time cost computed here.
 */
import {findChapter} from '../chapters';
import {RUN_HERE_CLAIM as TOUR_CLAIM} from '../chapters/tour';
import {costOf} from '../cost';
import {HeadlineClaim} from '../experiments/claims';
import {runAdditions} from '../experiments/family-training';
import {DEFAULT_TRAINING, ExperimentConfig, TrainingSettings} from '../experiments/spec';
import {buildModel} from '../models';
import {RunHereArm, RunHereConfig} from './runner';

export interface RunHereOptions {
  /** The chapter, as `cnnlab` names it: '00' (the tour) to '04', or an alias. */
  chapter: string;
  /** One of the chapter's headline claims, by id (the tour has 'width'). */
  claim: string;
  /** Training images each run uses (a seeded subset of those the page carries). */
  trainImages?: number;
  /** Test images each run is judged on. */
  testImages?: number;
  epochs?: number;
  /** Paired seeds: both arms train at each. */
  seeds?: number;
}

export const RUN_HERE_DEFAULTS = {trainImages: 2048, testImages: 1000, epochs: 2, seeds: 4} as const;

/** The claims a chapter offers, by id. */
function claimsOf(chapterId: string): readonly HeadlineClaim[] {
  if (chapterId === '00') return [TOUR_CLAIM];
  return findChapter(chapterId).plan('quick').claims ?? [];
}

function wholeNumber(name: string, value: number, least: number): number {
  if (!Number.isInteger(value) || value < least) throw new Error(`runItHere: ${name} must be a whole number >= ${least}, got ${value}`);
  return value;
}

/** What the record of a run of this arm would report as its cost: the test-time network's (family-training.ts). */
function armCost(config: ExperimentConfig): {macs: number; params: number} {
  const model = buildModel(config.model, config.options);
  try {
    const cost = runAdditions(model, config)?.reportedCost?.() ?? costOf(model).totals;
    return {macs: cost.macs, params: cost.params};
  } finally {
    model.dispose();
  }
}

export function runHereConfig(options: RunHereOptions): RunHereConfig {
  const chapter = findChapter(options.chapter);
  const claims = claimsOf(chapter.id);
  const claim = claims.find(c => c.id === options.claim);
  if (claim == null) {
    throw new Error(`runItHere: chapter ${chapter.id} has no claim '${options.claim}'; its claims: ${claims.map(c => c.id).join(', ')}`);
  }
  const sizes = {...RUN_HERE_DEFAULTS, ...options};
  const seedCount = wholeNumber('seeds', sizes.seeds, 2);
  const training: TrainingSettings = {
    ...DEFAULT_TRAINING, ...chapter.plan('quick').training,
    limit: wholeNumber('trainImages', sizes.trainImages, 64), testLimit: wholeNumber('testImages', sizes.testImages, 50),
    epochs: wholeNumber('epochs', sizes.epochs, 1), validation: 0, dataset: 'fashion-mnist',
  };
  const seeds = Array.from({length: seedCount}, (_, i) => i + 1);
  const arm = (which: 'a' | 'b'): RunHereArm => {
    const spec = claim[which].spec(1);
    const armTraining = spec.training ?? {};
    const cost = armCost({...training, ...armTraining, model: spec.model, options: spec.options, seed: 1, backend: 'wasm'});
    return {label: claim[which].label, model: spec.model, options: spec.options, training: armTraining, ...cost};
  };
  return {
    chapter: chapter.id, id: claim.id,
    claim: {text: claim.claim, source: claim.source, paper: claim.paper, margin: claim.margin, a: {label: claim.a.label}, b: {label: claim.b.label}},
    arms: [arm('a'), arm('b')], seeds, training,
  };
}
