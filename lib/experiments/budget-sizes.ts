/**
 * How much every chapter trains at each budget: images, test images,
 * epochs, the seeds its groups repeat over and the seeds its headline
 * claims' arms train at. The chapters add their own optimiser and networks.
 *
 * `course` is sized from measurements on a 2-core machine (2026-12-02):
 * - at quick (4,096 images, 1,000 test images) one run's test accuracy
 *   varied by 0.013-0.030 over seeds, and the test sample alone by about
 *   √(0.75 · 0.25 / 1,000) = 0.014: the test set was as noisy as training;
 * - at 16,384 images and the full 10,000 test images, with both arms at the
 *   same seeds, the per-run spread fell to 0.005-0.011 and one seed's paired
 *   difference varied by about 0.01 (chapter 01's two 3x3 against a 5x5,
 *   chapter 02's linear against ReLU between the steps, 4 seeds each);
 * - testing on 10,000 images took about 6 s of a 39 s run (a lab Inception
 *   network): cheap next to training, so course and full test on all of them.
 *
 * With that noise, 5 paired seeds give 90 % intervals of about ±0.010 and
 * 95 % intervals of about ±0.012 around a difference, so against a ±0.02
 * margin almost any measured difference is decided: equivalent below about
 * 0.010, differs above about 0.012. Four seeds would leave 0.008-0.016
 * undecided; six cost a fifth more for little.
 */
import {Budget} from './budget';
import {DesignNoise} from './claims';
import {TrainingSettings} from './spec';

export interface BudgetSize {
  training: Pick<TrainingSettings, 'limit' | 'testLimit' | 'epochs'>;
  /** Seeds of the groups that repeat over seeds (at course, the claims measure the noise instead). */
  seeds: number[];
  /** Seeds of the headline claims' arms. */
  claimSeeds: number[];
  /** What one seed's paired difference was measured to vary by at this size (course and full: 16,384 images or more). */
  designNoise: DesignNoise;
}

const COURSE_NOISE: DesignNoise = {
  pairedStd: 0.01,
  basis: '16,384 training images, the full test set, 4 paired seeds, measured on 2 cores (2026-12-02)',
};

export const BUDGET_SIZES: Readonly<Record<Budget, BudgetSize>> = {
  smoke: {training: {limit: 256, testLimit: 200, epochs: 1}, seeds: [1], claimSeeds: [1],
          designNoise: {pairedStd: 0.1, basis: 'a guess: smoke runs check that the code runs, not what it finds'}},
  quick: {training: {limit: 4096, testLimit: 1000, epochs: 1}, seeds: [1, 2], claimSeeds: [1, 2],
          designNoise: {pairedStd: 0.025, basis: 'per-run spreads of 0.013-0.030 at quick, unpaired, measured on 2 cores (2026-12-02)'}},
  course: {training: {limit: 16384, testLimit: null, epochs: 1}, seeds: [1], claimSeeds: [1, 2, 3, 4, 5], designNoise: COURSE_NOISE},
  full: {training: {limit: null, testLimit: null, epochs: 10}, seeds: [1, 2, 3], claimSeeds: [1, 2, 3, 4, 5], designNoise: COURSE_NOISE},
};
