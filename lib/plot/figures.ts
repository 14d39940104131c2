/**
 * The lab's standard figures, as data: plotly figures (interactive, in
 * JupyterLab and the HTML reports) and the same as vega-lite specs (static
 * SVG where no JavaScript runs). Both draw the same groups in the same
 * colours, on the same fitted axes, with point labels placed so that none
 * overlaps (layout.ts). Pure functions; lib/display shows them.
 */
import type {TopLevelSpec} from 'vega-lite';

import type {PlotlyFigure} from '../display/plotly';
import {CostPoint, paretoFront} from '../results/stats';
import {FIGURE_SIZE, PLOT_AREA_HEIGHT, colourOf, legendBelow, logTicks, paddedRange, placeLabels} from './layout';

const groupsOf = (points: readonly {group: string}[]) => [...new Set(points.map(p => p.group))];

/** Plot-area pixel sizes: plotly's from FIGURE_SIZE, vega-lite's its own width and height. */
const PLOTLY_AREA = {
  width: FIGURE_SIZE.width - FIGURE_SIZE.margin.l - FIGURE_SIZE.margin.r,
  height: PLOT_AREA_HEIGHT,
};
const VEGA_AREA = {width: 640, height: 320};

interface Axes {
  /** log10 range of x. */
  x: [number, number];
  y: [number, number];
}

function axesOf(points: readonly CostPoint[]): Axes {
  return {x: paddedRange(points.map(p => p.macs), true), y: paddedRange(points.map(p => p.accuracy), false, 0.12)};
}

/**
 * Each point's label position in data units (x as a value, not its log),
 * or null where it found no free place; Pareto-front points are placed first.
 */
function labelPositions(points: readonly CostPoint[], axes: Axes, area: {width: number; height: number}):
    Array<{x: number; y: number} | null> {
  const toPx = (p: CostPoint) => ({
    px: (Math.log10(p.macs) - axes.x[0]) / (axes.x[1] - axes.x[0]) * area.width,
    py: (p.accuracy - axes.y[0]) / (axes.y[1] - axes.y[0]) * area.height,
  });
  const front = new Set(paretoFront(points));
  const order = points.map((p, i) => i).sort((a, b) => Number(front.has(points[b])) - Number(front.has(points[a])) ||
                                                        points[a].macs - points[b].macs);
  const placed = placeLabels(order.map(i => ({...toPx(points[i]), text: points[i].label})), area);
  const result: Array<{x: number; y: number} | null> = points.map(() => null);
  order.forEach((i, k) => {
    const offset = placed[k];
    if (offset == null) return;
    const {px, py} = toPx(points[i]);
    result[i] = {
      x: 10 ** (axes.x[0] + (px + offset.dx) / area.width * (axes.x[1] - axes.x[0])),
      y: axes.y[0] + (py + offset.dy) / area.height * (axes.y[1] - axes.y[0]),
    };
  });
  return result;
}

function unlabelledNote(count: number): string {
  return count === 0 ? '' : `${count} label${count === 1 ? '' : 's'} left off where points crowd: hover for them`;
}

/**
 * Accuracy against multiply-adds, one colour per group, with the Pareto
 * front. Groups named in `paths` are drawn as lines through their points in
 * the order given (a sweep such as the Xception spectrum's k = 1 ... C).
 */
export function accuracyVsMacsFigure(points: readonly CostPoint[], title = 'Accuracy against multiply-adds',
                                     options: {paths?: readonly string[]} = {}): PlotlyFigure {
  const axes = axesOf(points);
  const labels = labelPositions(points, axes, PLOTLY_AREA);
  const front = paretoFront(points);
  const traces: Array<Record<string, unknown>> = groupsOf(points).map((group, g) => {
    const mine = points.filter(p => p.group === group);
    const path = options.paths?.includes(group) === true;
    return {
      type: 'scatter', mode: path ? 'lines+markers' : 'markers', name: group,
      ...(path ? {line: {color: colourOf(g), width: 1.5}} : {}),
      x: mine.map(p => p.macs), y: mine.map(p => p.accuracy), text: mine.map(p => p.label),
      marker: {size: 11, color: colourOf(g), line: {width: 1, color: '#fff'}},
      hovertemplate: '%{text}<br>%{x:.3s} MACs<br>accuracy %{y:.3f}<extra>' + group + '</extra>',
    };
  });
  traces.push({
    type: 'scatter', mode: 'lines', name: 'Pareto front (nothing cheaper is more accurate)',
    x: front.map(p => p.macs), y: front.map(p => p.accuracy), line: {dash: 'dot', color: '#888'}, hoverinfo: 'skip',
  });
  const annotations = points.flatMap((p, i) => labels[i] == null ? [] : [{
    // Annotations on a log axis take the log of the value.
    x: Math.log10(labels[i]!.x), y: labels[i]!.y, xref: 'x', yref: 'y', text: p.label, showarrow: false,
    font: {size: 11, color: '#333'},
  }]);
  const note = unlabelledNote(labels.filter(l => l == null).length);
  return {
    data: traces,
    layout: {
      title: {text: title}, width: FIGURE_SIZE.width, autosize: false, ...legendBelow(traces.map(t => String(t['name']))),
      xaxis: {title: {text: 'multiply-adds per image (log scale)'}, type: 'log', range: axes.x, ...logTicks(axes.x)},
      yaxis: {title: {text: 'test accuracy'}, range: axes.y},
      annotations: note ? [...annotations, {text: note, xref: 'paper', yref: 'paper', x: 1, y: 1.02, xanchor: 'right',
                                            yanchor: 'bottom', showarrow: false, font: {size: 10, color: '#666'}}] : annotations,
    },
    config: {responsive: false},
  };
}

/** The same as accuracyVsMacsFigure, as a vega-lite spec (static SVG). */
export function accuracyVsMacsSpec(points: readonly CostPoint[], title = 'Accuracy against multiply-adds',
                                   options: {paths?: readonly string[]} = {}): TopLevelSpec {
  const axes = axesOf(points);
  const labels = labelPositions(points, axes, VEGA_AREA);
  const front = new Set(paretoFront(points));
  const groups = groupsOf(points);
  const paths = options.paths ?? [];
  const values = points.map((p, i) => ({...p, order: i, path: paths.includes(p.group), pareto: front.has(p),
                                        labelX: labels[i]?.x ?? null, labelY: labels[i]?.y ?? null}));
  const colour = {field: 'group', type: 'nominal' as const, title: null, scale: {domain: groups, range: groups.map((_, g) => colourOf(g))}};
  const xScale = {type: 'log' as const, domain: [10 ** axes.x[0], 10 ** axes.x[1]], nice: false};
  const yScale = {domain: [...axes.y], nice: false, zero: false};
  const x = {field: 'macs', type: 'quantitative' as const, title: 'multiply-adds per image (log scale)', scale: xScale,
             axis: {values: logTicks(axes.x).tickvals, format: '~s', grid: true}};
  const y = {field: 'accuracy', type: 'quantitative' as const, title: 'test accuracy', scale: yScale};
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title, width: VEGA_AREA.width, height: VEGA_AREA.height,
    data: {values},
    layer: [
      {transform: [{filter: 'datum.pareto'}], mark: {type: 'line', strokeDash: [4, 3], color: '#888'}, encoding: {x, y}},
      {transform: [{filter: 'datum.path'}], mark: {type: 'line', strokeWidth: 1.5},
       // The same colour encoding as the points (no legend settings of its own: vega-lite merges the layers' legends).
       encoding: {x, y, color: colour, detail: {field: 'group'}, order: {field: 'order', type: 'quantitative' as const}}},
      {
        mark: {type: 'point', filled: true, size: 90, opacity: 1},
        encoding: {x, y, color: {...colour, legend: {orient: 'bottom', direction: 'vertical', labelLimit: 0}}},
      },
      {
        transform: [{filter: 'datum.labelX != null'}],
        mark: {type: 'text', fontSize: 11, color: '#333'},
        encoding: {
          x: {field: 'labelX', type: 'quantitative', scale: xScale},
          y: {field: 'labelY', type: 'quantitative', scale: yScale},
          text: {field: 'label'},
        },
      },
    ],
  };
}

/** A named set of networks timed at batch 1. */
export interface LatencyGroup {
  name: string;
  /** `spread`: the interquartile range of the repeated timings as a share of their median (lib/train/latency.ts), where measured. */
  points: Array<{label: string; macs: number; ms: number; spread?: number}>;
}

/**
 * Forward-pass time against multiply-adds, one colour and legend entry per
 * group; labels in the hover text; where a point's timings have a measured
 * spread, a bar as long as their interquartile range, centred on the median.
 */
export function latencyFigure(groups: readonly LatencyGroup[], title: string): PlotlyFigure {
  const all = groups.flatMap(g => g.points);
  const x = paddedRange(all.map(p => p.macs), true);
  const y = paddedRange(all.flatMap(p => p.spread != null ? [p.ms * (1 - p.spread / 2), p.ms * (1 + p.spread / 2)] : [p.ms])
                            .filter(v => v > 0), true);
  const withSpread = all.some(p => p.spread != null);
  const shown = groups.filter(g => g.points.length > 0);
  return {
    data: shown.map((g, i) => ({
      type: 'scatter', mode: 'markers', name: g.name,
      x: g.points.map(p => p.macs), y: g.points.map(p => p.ms), text: g.points.map(p => p.label),
      marker: {size: 10, color: colourOf(i), line: {width: 1, color: '#fff'}},
      ...(withSpread ? {error_y: {type: 'data', array: g.points.map(p => (p.spread ?? 0) * p.ms / 2), color: colourOf(i), thickness: 1.2, width: 4}} : {}),
      hovertemplate: '%{text}<br>%{x:.3s} MACs<br>%{y:.2f} ms per image<extra></extra>',
    })),
    layout: {
      title: {text: title}, width: FIGURE_SIZE.width, autosize: false, ...legendBelow(shown.map(g => g.name)),
      xaxis: {title: {text: 'multiply-adds per image (log scale)'}, type: 'log', range: x, ...logTicks(x)},
      yaxis: {title: {text: 'ms per image, batch 1 (log scale)'}, type: 'log', range: y,
              tickvals: logTicks(y).tickvals, ticktext: logTicks(y).ticktext.map(t => `${t} ms`)},
      annotations: withSpread ? [{text: 'each point: the median of repeated timings; bar: their interquartile range', xref: 'paper', yref: 'paper',
                                  x: 1, y: 1.02, xanchor: 'right', yanchor: 'bottom', showarrow: false, font: {size: 10, color: '#666'}}] : [],
    },
    config: {responsive: false},
  };
}

/** One line of a curves figure: e.g. training loss against images seen, for one configuration. */
export interface Curve {
  label: string;
  x: number[];
  y: number[];
  /** 'hv': a step function, flat until the next point (a schedule), instead of straight lines between points. */
  shape?: 'linear' | 'hv';
}

/** A moment on a curves figure's x axis, drawn as a dashed vertical line with its label at the top (e.g. a condensing stage). */
export interface CurveMark {
  x: number;
  label: string;
}

/** Lines against a shared x axis, one colour and legend entry each (learning curves), with optional marks. */
export function curvesFigure(curves: readonly Curve[], axes: {title: string; x: string; y: string; marks?: readonly CurveMark[]}): PlotlyFigure {
  const y = paddedRange(curves.flatMap(c => c.y), false, 0.06);
  const marks = axes.marks ?? [];
  return {
    data: curves.map((c, i) => ({type: 'scatter', mode: 'lines+markers', name: c.label, x: c.x, y: c.y,
                                 line: {color: colourOf(i), width: 2, shape: c.shape ?? 'linear'}, marker: {color: colourOf(i), size: 5},
                                 hovertemplate: `${c.label}<br>%{x:,}: %{y:.3f}<extra></extra>`})),
    layout: {title: {text: axes.title}, width: FIGURE_SIZE.width, autosize: false, ...legendBelow(curves.map(c => c.label)),
             xaxis: {title: {text: axes.x}, tickformat: ',d'}, yaxis: {title: {text: axes.y}, range: y},
             shapes: marks.map(m => ({type: 'line', xref: 'x', yref: 'paper', x0: m.x, x1: m.x, y0: 0, y1: 1, line: {color: '#888', dash: 'dash', width: 1}})),
             // Labels alternate between two heights so that marks close together do not overlap.
             annotations: marks.map((m, i) => ({x: m.x, xref: 'x', y: i % 2 === 0 ? 1.0 : 0.93, yref: 'paper', text: m.label, showarrow: false,
                                                xanchor: 'left', yanchor: 'top', font: {size: 11, color: '#555'}, bgcolor: 'rgba(255,255,255,0.8)'}))},
    config: {responsive: false},
  };
}

/** A matrix as coloured cells, with named rows and columns and a colour bar that says what the colour measures. */
export interface Heatmap {
  title: string;
  /** z[row][column]; null leaves a cell blank. */
  z: ReadonlyArray<ReadonlyArray<number | null>>;
  rows: readonly string[];
  columns: readonly string[];
  rowTitle: string;
  columnTitle: string;
  /** What the colour means, shown on the colour bar. */
  value: string;
  /** Two-colour matrices (kept / cut) get a legend-like bar with two labels instead of a scale. */
  binary?: {zero: string; one: string};
  /** Figure height in pixels (default: the lab's figure height); give plotlyItem the same. */
  height?: number;
}

export function heatmapFigure(h: Heatmap): PlotlyFigure {
  const binary = h.binary != null;
  return {
    data: [{
      type: 'heatmap', z: h.z.map(r => [...r]), x: [...h.columns], y: [...h.rows], hoverongaps: false,
      colorscale: binary ? [[0, '#eeeeee'], [0.5, '#eeeeee'], [0.5, '#4c78a8'], [1, '#4c78a8']] : 'Viridis',
      zmin: binary ? 0 : undefined, zmax: binary ? 1 : undefined,
      colorbar: binary ? {title: {text: h.value}, tickvals: [0.25, 0.75], ticktext: [h.binary!.zero, h.binary!.one]} : {title: {text: h.value}},
      hovertemplate: `${h.rowTitle} %{y}, ${h.columnTitle} %{x}: %{z}<extra></extra>`,
    }],
    layout: {title: {text: h.title}, width: FIGURE_SIZE.width, height: h.height ?? FIGURE_SIZE.height, autosize: false,
             margin: {l: 90, r: 30, t: 50, b: 80},
             xaxis: {title: {text: h.columnTitle}, type: 'category'}, yaxis: {title: {text: h.rowTitle}, type: 'category', autorange: 'reversed'}},
    config: {responsive: false},
  };
}
