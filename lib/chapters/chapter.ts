/**
 * What every chapter module provides: an id and a notebook, and its plan
 * for each budget (the runs `cnnlab plan`, `cnnlab run-plan` and the
 * notebook train or reuse). Its tables and findings are its own functions.
 */
import {EngineInfo} from '../engine/backends';
import {Budget} from '../experiments/budget';
import {BudgetPlan} from '../experiments/plan';
import {plural} from '../display/format';
import {Item, markdownItem} from '../display/show';

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

/** The MIME type that carries the engine a notebook ran on, for reports/index.html. */
export const ENGINE_MIME = 'application/vnd.cnnlab.engine+json';

/** The run's budget and engine in one line, shown at the top of a chapter. */
export function engineItem(budget: Budget, engine: EngineInfo): Item {
  return markdownItem(`Budget **${budget}**; engine **${engine.backend}** on ${engine.device} ` +
      `(${plural(engine.threads, 'thread')}, TF.js ${engine.tfjsVersion}).`, {[ENGINE_MIME]: {budget, ...engine}});
}
