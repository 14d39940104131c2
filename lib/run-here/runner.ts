/**
 * A report's "run it here" experiment, as the reader's browser runs it: one
 * of the chapter's headline claims at a size a laptop trains in minutes,
 * both arms at every seed (paired), each run trained exactly as the book's
 * runs are (lib/experiments/train-config.ts) on the images the report
 * carries, and judged by the book's rule (judgeAccuracies). Nothing here
 * touches the DOM or the file system: the page (browser.ts) and the tests
 * drive it alike.
 */
import {formatDuration} from '../display/format';
import {ImageSet, runSubsets} from '../data/dataset';
import {JudgedClaim, judgeAccuracies, outcomeSentence} from '../experiments/claims';
import type {ExperimentConfig, ModelOptions, TrainingSettings} from '../experiments/spec';
import {trainConfig} from '../experiments/train-config';
import type {Verdict} from '../results/stats';

export interface RunHereArm {
  label: string;
  model: string;
  options: ModelOptions;
  /** The arm's own settings, where they differ from the experiment's. */
  training: Partial<TrainingSettings>;
  /** Multiply-adds and parameters at test time (computed in Node when the report was made). */
  macs: number;
  params: number;
}

/** Everything a page needs to run the experiment, as JSON inside the report. */
export interface RunHereConfig {
  chapter: string;
  /** The claim's id in its chapter's plan. */
  id: string;
  claim: JudgedClaim & {text: string; source: string};
  /** Arm a and arm b, as the claim names them. */
  arms: [RunHereArm, RunHereArm];
  seeds: number[];
  /** The chapter's recipe with this experiment's sizes: limit and testLimit are the images each run uses. */
  training: TrainingSettings;
}

/** How many images a page carries, and how small a smoke run is (tests). */
export const SMOKE_SIZE = {limit: 128, testLimit: 200, epochs: 1, seeds: 2} as const;

/** The experiment at smoke size: what the browser test runs to the end. */
export function smokeConfig(config: RunHereConfig): RunHereConfig {
  return {
    ...config, seeds: config.seeds.slice(0, SMOKE_SIZE.seeds),
    training: {...config.training, limit: SMOKE_SIZE.limit, testLimit: SMOKE_SIZE.testLimit, epochs: SMOKE_SIZE.epochs},
  };
}

export interface PlannedRun {
  arm: 0 | 1;
  seed: number;
}

/** The runs, arm a then arm b at each seed, as the book's plans order a claim's runs. */
export function runsOf(config: RunHereConfig): PlannedRun[] {
  return config.seeds.flatMap(seed => [{arm: 0 as const, seed}, {arm: 1 as const, seed}]);
}

/** One run's configuration, as the book would key it. */
export function experimentConfigOf(config: RunHereConfig, run: PlannedRun, overrides: Partial<TrainingSettings> = {}): ExperimentConfig {
  const arm = config.arms[run.arm];
  return {...config.training, ...arm.training, ...overrides, model: arm.model, options: arm.options, seed: run.seed, backend: 'wasm'};
}

export interface RunOutcome extends PlannedRun {
  accuracy: number;
  seconds: number;
  imagesPerSecond: number;
}

/** Thrown from a run's progress callback when the reader stops: the run is abandoned, its tensors freed. */
export class RunStopped extends Error {
  constructor() {
    super('stopped by the reader');
  }
}

export interface RunCallbacks {
  /** Each training step, with the share of this run done (0..1); may throw RunStopped. */
  onStep?(done: number): void | Promise<void>;
  engine: {backend: string; device: string};
}

/** Trains one run on the carried images. */
export async function trainRun(config: RunHereConfig, sets: {train: ImageSet; test: ImageSet}, run: PlannedRun,
                               callbacks: RunCallbacks, overrides: Partial<TrainingSettings> = {}): Promise<RunOutcome> {
  const experiment = experimentConfigOf(config, run, overrides);
  const result = await trainConfig(experiment, runSubsets(sets, experiment), {
    engine: callbacks.engine, familyRecord: false,
    onProgress: progress => callbacks.onStep?.(progress.step / progress.totalSteps),
  });
  if (result.testAccuracy == null) throw new Error('a run without test images has no accuracy to judge');
  return {...run, accuracy: result.testAccuracy, seconds: result.seconds, imagesPerSecond: result.timing.trainImagesPerSecond};
}

export interface Judgement {
  /** Seeds at which both arms finished. */
  seeds: number[];
  a: number[];
  b: number[];
  verdict: Verdict;
  agrees: boolean | null;
  sentence: string;
}

/** The book's verdict on the pairs finished so far (null before two: one pair measures no noise). */
export function judge(config: RunHereConfig, outcomes: readonly RunOutcome[]): Judgement | null {
  const seeds = config.seeds.filter(seed => outcomes.some(o => o.seed === seed && o.arm === 0) && outcomes.some(o => o.seed === seed && o.arm === 1));
  if (seeds.length < 2) return null;
  const accuracyOf = (arm: 0 | 1, seed: number) => outcomes.find(o => o.seed === seed && o.arm === arm)!.accuracy;
  const a = seeds.map(seed => accuracyOf(0, seed));
  const b = seeds.map(seed => accuracyOf(1, seed));
  const {verdict, agrees} = judgeAccuracies(config.claim, a, b);
  return {seeds, a, b, verdict, agrees, sentence: outcomeSentence(config.claim, seeds.length, verdict, agrees)};
}

/** The training images batch norm's statistics are recomputed over after training (the trainer's default). */
const RECALIBRATION_IMAGES = 1024;

/** Training images a calibration run takes (after a first step, which also compiles). */
const CALIBRATION_BATCHES = 4;

export interface Estimate {
  /** Seconds a whole run of each arm should take here. */
  perRun: [number, number];
  total: number;
  text: string;
}

/**
 * How long the experiment will take on this machine: a short run of each
 * arm (a few batches, a few test images) timed, scaled to the runs'
 * images. The short runs pay for compiling and the first steps, so the
 * estimate leans long.
 */
export async function estimate(config: RunHereConfig, sets: {train: ImageSet; test: ImageSet}, callbacks: RunCallbacks): Promise<Estimate> {
  const perRun: number[] = [];
  for (const arm of [0, 1] as const) {
    const full = experimentConfigOf(config, {arm, seed: config.seeds[0]});
    const images = CALIBRATION_BATCHES * full.batch;
    // The training speed from the steps after the first, which also compiles and warms up: that cost is in `fixed`.
    let afterFirstStep: number | null = null;
    let lastStep = 0;
    const short = await trainRun(config, sets, {arm, seed: config.seeds[0]}, {
      ...callbacks,
      async onStep(done) {
        lastStep = performance.now();
        afterFirstStep ??= lastStep;
        await callbacks.onStep?.(done);
      },
    }, {limit: images, testLimit: 64, epochs: 1});
    const steadySeconds = (lastStep - afterFirstStep!) / 1000;
    const imagesPerSecond = steadySeconds > 0 ? (images - full.batch) / steadySeconds : short.imagesPerSecond;
    const trainImages = Math.min(full.limit ?? sets.train.count, sets.train.count) * full.epochs;
    const testImages = Math.min(full.testLimit ?? sets.test.count, sets.test.count);
    // After training, batch norm's statistics are recomputed over up to 1024 training images and the
    // test images are classified: forward passes only, about a third of a training step's time each.
    const forwardImages = Math.min(RECALIBRATION_IMAGES, trainImages) + testImages;
    // What the short run spent beyond its steady steps and forward passes (the first step, latency timing, set-up) is paid once a run.
    const shortForward = images + 64;
    const fixed = Math.max(0, short.seconds - (images - full.batch) / imagesPerSecond - shortForward / (3 * imagesPerSecond));
    perRun.push(trainImages / imagesPerSecond + forwardImages / (3 * imagesPerSecond) + fixed);
  }
  const total = config.seeds.length * (perRun[0] + perRun[1]);
  return {perRun: [perRun[0], perRun[1]], total,
          text: `about ${formatDuration(total)} on this machine (${config.seeds.length * 2} runs)`};
}
