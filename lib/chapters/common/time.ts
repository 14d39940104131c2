/**
 * A chapter's full-budget time, estimated from the speeds its own runs
 * measured here: what a reader of a quick report needs to decide whether
 * to run the full budget on this machine.
 */
import {plural} from '../../display/format';
import {estimateSeconds, formatDuration} from '../../experiments/estimate';
import {BudgetPlan, expandPlan} from '../../experiments/plan';
import {PlanResult} from '../../experiments/runner';
import {trainingImagesOf} from '../../experiments/spec';

export interface BudgetTime {
  seconds: number;
  /** The estimate in a sentence, with what it rests on. */
  text: string;
}

export function fullBudgetEstimate(result: PlanResult, target: BudgetPlan): BudgetTime {
  const measured = result.all();
  const trained = measured.reduce((sum, r) => sum + r.result.seconds, 0);
  const configs = expandPlan(target, result.backend).runs.map(r => r.config);
  const estimate = estimateSeconds(configs, measured, {trainingImages: trainingImagesOf});
  const images = configs.length > 0 ? trainingImagesOf(configs[0]) : 0;
  const first = measured[0]?.result;
  const engine = first ? `${result.backend} (${first.device})` : result.backend;
  const text = `this run's ${plural(measured.length, 'configuration')} took ${formatDuration(trained)} on ${engine}. ` +
      `At the training speeds they measured, the ${target.budget} budget (${plural(configs.length, 'run')}, ` +
      `${images.toLocaleString('en-US')} training images each, seeds ${target.seeds.join(', ')}) would take about ` +
      `**${formatDuration(estimate.seconds)}** of training here` +
      (estimate.unknown > 0 ? `, plus ${plural(estimate.unknown, 'run')} this run measured nothing like.` : '.');
  return {seconds: estimate.seconds, text};
}
