/**
 * The "run it here" figure: each arm's test accuracy per seed, the two runs
 * of one seed joined by a grey line (the comparison is paired), and each
 * arm's mean. The arms sit side by side, each named with its cost, rather
 * than on a cost axis: most claims compare networks of the same cost.
 */
import {formatCount} from '../display/format';
import {RunHereConfig, RunOutcome} from './runner';

/** Arm a and arm b: the lab's figure colours (blue, orange), named in the legend. */
const ARM_COLOURS = ['#1f77b4', '#ff7f0e'] as const;

export function plotFigure(config: RunHereConfig, outcomes: readonly RunOutcome[]): {data: object[]; layout: object} {
  const names = config.arms.map((arm, i) => `${i === 0 ? 'a' : 'b'}: ${arm.label}<br>${formatCount(arm.macs)} multiply-adds`);
  const pairs = config.seeds.flatMap(seed => {
    const a = outcomes.find(o => o.seed === seed && o.arm === 0), b = outcomes.find(o => o.seed === seed && o.arm === 1);
    return a && b ? [{seed, a: a.accuracy, b: b.accuracy}] : [];
  });
  const data: object[] = pairs.map((pair, i) => ({
    type: 'scatter', mode: 'lines', x: names, y: [pair.a, pair.b], line: {color: '#bbbbbb', width: 1},
    name: 'the two runs of one seed', legendgroup: 'pairs', showlegend: i === 0, hoverinfo: 'skip',
  }));
  config.arms.forEach((arm, index) => {
    const mine = outcomes.filter(o => o.arm === index);
    if (mine.length === 0) return;
    data.push({
      type: 'scatter', mode: 'markers', x: mine.map(() => names[index]), y: mine.map(o => o.accuracy),
      marker: {color: ARM_COLOURS[index], size: 9, opacity: 0.75},
      name: `${arm.label}, one seed each`, text: mine.map(o => `seed ${o.seed}`),
      hovertemplate: '%{text}: %{y:.3f}<extra></extra>',
    });
    const mean = mine.reduce((sum, o) => sum + o.accuracy, 0) / mine.length;
    data.push({
      type: 'scatter', mode: 'markers', x: [names[index]], y: [mean],
      // Open, so the seeds' points stay visible where they equal the mean.
      marker: {color: ARM_COLOURS[index], size: 18, symbol: 'diamond-open', line: {color: ARM_COLOURS[index], width: 3}},
      name: `${arm.label}, mean of ${mine.length}`, hovertemplate: `mean: %{y:.3f}<extra></extra>`,
    });
  });
  return {
    data,
    layout: {
      title: {text: `${config.claim.a.label} against ${config.claim.b.label}, trained in this browser`, font: {size: 16}},
      xaxis: {type: 'category', categoryorder: 'array', categoryarray: names, tickfont: {size: 13}},
      yaxis: {title: {text: 'test accuracy'}, tickformat: '.0%', tickfont: {size: 13}},
      legend: {orientation: 'h', y: -0.25},
      margin: {t: 50, l: 70, r: 20, b: 20},
      height: 430,
    },
  };
}
