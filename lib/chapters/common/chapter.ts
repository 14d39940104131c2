/**
 * What every chapter module provides: an id and a notebook, and its plan
 * for each budget (the runs `cnnlab plan`, `cnnlab run-plan` and the
 * notebook train or reuse). Its tables and findings are its own functions.
 */
import {EngineInfo} from '../../engine';
import {Budget} from '../../experiments/budget';
import {BudgetPlan} from '../../experiments/plan';
import {PlanResult, RunPlanOptions} from '../../experiments/runner';
import {plural} from '../../display/format';
import {Item, markdownItem} from '../../display/show';
import {Finding} from '../../results/findings';
import {Noise} from './runs';

export interface Chapter {
  /** Two digits, as in the notebook's file name: '03'. */
  id: string;
  /** Other names `cnnlab plan` accepts: 'mobilenet'. */
  aliases: readonly string[];
  title: string;
  /** The notebook's file name under notebooks/. */
  notebook: string;
  plan(budget: Budget): BudgetPlan;
}

/**
 * What every chapter of the book that trains and judges (01-04) exports
 * beside its own sections; lib/chapters/index.ts lists the modules as
 * this type, so the compiler checks that each one has them.
 */
export interface ChapterModule {
  CHAPTER: Chapter;
  plan(budget: Budget): BudgetPlan;
  /** The recipe in a sentence, from a plan. */
  recipeSection(plan: BudgetPlan): Item[];
  /** The run-to-run noise every comparison is judged against. */
  seedNoise(result: PlanResult): Noise;
  /** Everything the chapter trained: accuracy against multiply-adds, and time against multiply-adds. */
  costSection(result: PlanResult): Item[];
  findings(result: PlanResult): Finding[];
  /** The findings with the closing ones and the chapter's headlines. */
  findingsSection(result: PlanResult): Item[];
  /** The chapter's exercises answered by the lab (`cnnlab answers`), where the chapter has computed answers. */
  answers?(budget: Budget, options?: RunPlanOptions): Promise<Answer[]>;
}

/** An exercise's answer for an instructor: computed from built networks, or read from the records its cell made. */
export interface Answer {
  exercise: number;
  title: string;
  answer: string;
}

/** The MIME type that carries the engine a notebook ran on, for reports/index.html. */
export const ENGINE_MIME = 'application/vnd.cnnlab.engine+json';

/** The run's budget and engine in one line, shown at the top of a chapter. */
export function engineItem(budget: Budget, engine: EngineInfo): Item {
  return markdownItem(`Budget **${budget}**; engine **${engine.backend}** on ${engine.device} ` +
      `(${plural(engine.threads, 'thread')}, TF.js ${engine.tfjsVersion}).`, {[ENGINE_MIME]: {budget, ...engine}});
}
