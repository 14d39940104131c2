/**
 * The lab's standard figures, as data: plotly figures (interactive, in
 * JupyterLab and the HTML reports) and the same as vega-lite specs (static
 * SVG for reading and printing). Pure functions; lib/display shows them.
 */
import type {TopLevelSpec} from 'vega-lite';

import type {PlotlyFigure} from '../display/plotly';
import {CostPoint, paretoFront} from '../results/stats';

const groupsOf = (points: readonly CostPoint[]) => [...new Set(points.map(p => p.group))];

export function accuracyVsMacsFigure(points: readonly CostPoint[], title = 'Accuracy against multiply-adds'): PlotlyFigure {
  const front = paretoFront(points);
  const traces: Array<Record<string, unknown>> = groupsOf(points).map(group => {
    const mine = points.filter(p => p.group === group);
    return {
      type: 'scatter', mode: 'markers+text', name: group,
      x: mine.map(p => p.macs), y: mine.map(p => p.accuracy), text: mine.map(p => p.label),
      textposition: 'top center', marker: {size: 10},
      hovertemplate: '%{text}<br>%{x:.3s} MACs<br>accuracy %{y:.3f}<extra>' + group + '</extra>',
    };
  });
  traces.push({
    type: 'scatter', mode: 'lines', name: 'Pareto front', x: front.map(p => p.macs), y: front.map(p => p.accuracy),
    line: {dash: 'dot', color: '#888'}, hoverinfo: 'skip',
  });
  return {
    data: traces,
    layout: {
      title: {text: title}, xaxis: {title: {text: 'multiply-adds per image (log scale)'}, type: 'log'},
      yaxis: {title: {text: 'test accuracy'}}, legend: {orientation: 'h', y: -0.2}, margin: {t: 50},
    },
  };
}

export function accuracyVsMacsSpec(points: readonly CostPoint[], title = 'Accuracy against multiply-adds'): TopLevelSpec {
  const front = new Set(paretoFront(points));
  const values = points.map(p => ({...p, pareto: front.has(p)}));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title, width: 480, height: 300,
    data: {values},
    layer: [
      {
        transform: [{filter: 'datum.pareto'}],
        mark: {type: 'line', strokeDash: [4, 3], color: '#888'},
        encoding: {x: {field: 'macs', type: 'quantitative', scale: {type: 'log'}}, y: {field: 'accuracy', type: 'quantitative'}},
      },
      {
        mark: {type: 'point', filled: true, size: 80},
        encoding: {
          x: {field: 'macs', type: 'quantitative', scale: {type: 'log'}, title: 'multiply-adds per image (log scale)'},
          y: {field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: {zero: false}},
          color: {field: 'group', type: 'nominal', title: null},
        },
      },
      {
        mark: {type: 'text', dy: -10, fontSize: 10},
        encoding: {
          x: {field: 'macs', type: 'quantitative', scale: {type: 'log'}},
          y: {field: 'accuracy', type: 'quantitative'}, text: {field: 'label'},
        },
      },
    ],
  } as TopLevelSpec;
}

export interface Curve {
  label: string;
  epochs: number[];
  values: number[];
}

export function curvesFigure(curves: readonly Curve[], yTitle: string, title: string): PlotlyFigure {
  return {
    data: curves.map(c => ({type: 'scatter', mode: 'lines+markers', name: c.label, x: c.epochs, y: c.values})),
    layout: {title: {text: title}, xaxis: {title: {text: 'epoch'}, dtick: 1}, yaxis: {title: {text: yTitle}}, margin: {t: 50}},
  };
}

/** A named set of networks timed at batch 1. */
export interface LatencyGroup {
  name: string;
  points: Array<{label: string; macs: number; ms: number}>;
}

/** Forward-pass time against multiply-adds, one legend entry per group. */
export function latencyFigure(groups: readonly LatencyGroup[], title: string): PlotlyFigure {
  return {
    data: groups.filter(g => g.points.length > 0).map(g => ({
      type: 'scatter', mode: 'markers', name: g.name,
      x: g.points.map(p => p.macs), y: g.points.map(p => p.ms), text: g.points.map(p => p.label),
      marker: {size: 9}, hovertemplate: '%{text}<br>%{x:.3s} MACs<br>%{y:.2f} ms per image<extra></extra>',
    })),
    layout: {
      title: {text: title},
      xaxis: {title: {text: 'multiply-adds per image (log scale)'}, type: 'log'},
      yaxis: {title: {text: 'ms per image at batch 1 (log scale)'}, type: 'log'},
      legend: {orientation: 'h', y: -0.2}, margin: {t: 50},
    },
  };
}
