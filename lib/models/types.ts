import * as tf from '@tensorflow/tfjs';

import {Convention, CostTotals} from '../cost/types';

/** A number someone published, with where it came from. */
export interface Published {
  value: number;
  /** Largest accepted |ours - value|, same unit as `value`; 0 means exact. */
  tolerance: number;
  /** Precise enough to re-check: paper + table, or repo + symbol. */
  source: string;
  /**
   * Free text: what the source counts and how it rounds, when that is not
   * obvious ('GFLOPs to 3 decimals, counted as MACs'). Not the typed
   * `Convention` a variant is costed under (ModelVariant.convention).
   */
  countingNote?: string;
  /**
   * Set where ours differs by more than the source's rounding and no count
   * explains it: what is known of the gap. Chapters say so in their text.
   */
  unreconciled?: string;
}

/** What a published number is compared with (see lib/cost/types.ts). */
export type PublishedMeasure = 'trainableParams' | 'params' | 'weightParams' | 'macs';

/** Which total each kind of published number is compared with. */
export const MEASURE_OF: Readonly<Record<PublishedMeasure, (t: CostTotals) => number>> = {
  trainableParams: t => t.trainableParams,
  params: t => t.params,
  weightParams: t => t.weightParams,
  macs: t => t.macs,
};

/** Options every family takes, in the units of its paper. */
export interface CommonOptions {
  /** Input side in pixels (square inputs). */
  resolution: number;
  /** Width multiplier (alpha); 1 is the paper's network. */
  width: number;
  /** Classifier outputs. */
  classes: number;
  /** Input channels: 3 for ImageNet, 1 for Fashion-MNIST. */
  channels: number;
}

/** How `--set key=value` reads one family option. */
export interface OptionSpec {
  /** 'integers': a list, written 14-14-14 on the command line. */
  type: 'number' | 'integer' | 'integers' | 'boolean' | 'string';
  description: string;
  /** Accepted strings, for type 'string'. */
  choices?: readonly string[];
}

/** A model family: one builder, its options and their defaults. */
export interface Family<O extends CommonOptions = CommonOptions> {
  name: string;
  /** Paper and arXiv id. */
  paper: string;
  defaults: O;
  /** The family's own options (beyond CommonOptions), for `--set`. */
  options: Readonly<Record<string, OptionSpec>>;
  /**
   * How the chapters build this family for 28-32 px images (the first
   * stride removed, fewer layers), where the paper's network would shrink
   * its input to nothing: what `cnnlab train` uses on those images unless
   * told otherwise.
   */
  labScale?: Partial<O>;
  build(options?: Partial<O>): tf.LayersModel;
}

/** One registered configuration with the numbers it must reproduce. */
export interface ModelVariant {
  /** `<family>_<width>_<resolution>[_<flavour>]`, unique across the lab. */
  name: string;
  family: string;
  options: Partial<CommonOptions> & Record<string, unknown>;
  /** Counting convention its MACs are published under. Default 'macs'. */
  convention?: Convention;
  published: Partial<Record<PublishedMeasure, Published[]>>;
  /** Why a number is not reproduced or differs, when it does not. */
  notes?: string;
}
