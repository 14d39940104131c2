/**
 * Where things go on a figure: the lab's colours, axis ticks a reader can
 * read on a log scale, and point labels placed so that none overlaps
 * another label or a point. Figures have a fixed size (FIGURE_SIZE) so that
 * label positions computed here in pixels hold where the figure is drawn.
 */

/** Tableau 10: one colour per group, in the order groups appear; colour-blind-safe enough for a projector. */
export const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac'];

export function colourOf(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** Figure size and plot-area margins in CSS pixels (plotly); the legend sits below the plot area. */
export const FIGURE_SIZE = {width: 900, height: 520, margin: {l: 70, r: 30, t: 50, b: 130}} as const;

/** The plot area's height in a FIGURE_SIZE figure: what point labels are placed for. */
export const PLOT_AREA_HEIGHT = FIGURE_SIZE.height - FIGURE_SIZE.margin.t - FIGURE_SIZE.margin.b;

/** Pixels below the plot area for the x axis's ticks and title, before the legend. */
const AXIS_ROOM = 72;
/** A legend row's height (plotly draws 19 px at its 12 px font) and an entry's width besides its text (the symbol, gaps). */
const LEGEND_ROW = 21;
const LEGEND_SYMBOL = 50;

/**
 * Height, margins and legend for a FIGURE_SIZE figure whose horizontal
 * legend below the plot lists `names`: the figure grows by the legend's
 * rows, so the plot area keeps PLOT_AREA_HEIGHT. (Left to itself plotly
 * shrinks the plot area to fit a long legend, and point labels placed
 * for the full height then collide: chapter 01's eight groups took the
 * area from 340 to 240 px.) Rows are counted from a generous estimate of
 * each entry's width, so an estimate off by a little leaves space, not an
 * overlap.
 */
export function legendBelow(names: readonly string[]): {height: number; margin: {l: number; r: number; t: number; b: number};
                                                        legend: Record<string, unknown>} {
  const rowWidth = FIGURE_SIZE.width - FIGURE_SIZE.margin.l - FIGURE_SIZE.margin.r;
  let rows = names.length > 0 ? 1 : 0, used = 0;
  for (const name of names) {
    const width = LEGEND_SYMBOL + textSize(name, 12).w;
    if (used > 0 && used + width > rowWidth) {
      rows++;
      used = 0;
    }
    used += width;
  }
  const bottom = Math.max(FIGURE_SIZE.margin.b, AXIS_ROOM + rows * LEGEND_ROW + 16);
  return {
    height: FIGURE_SIZE.margin.t + PLOT_AREA_HEIGHT + bottom,
    margin: {...FIGURE_SIZE.margin, b: bottom},
    legend: {orientation: 'h', x: 0, xanchor: 'left', y: -AXIS_ROOM / PLOT_AREA_HEIGHT, yanchor: 'top'},
  };
}

/** Axis range with a margin around the data, in the axis's own units (log10 for log axes). */
export function paddedRange(values: readonly number[], log: boolean, pad = 0.08): [number, number] {
  const xs = values.map(v => (log ? Math.log10(v) : v));
  let lo = Math.min(...xs);
  let hi = Math.max(...xs);
  if (hi - lo < 1e-9) {
    const half = log ? 0.5 : Math.max(Math.abs(lo) * 0.05, 0.01);
    lo -= half;
    hi += half;
  }
  const span = hi - lo;
  return [lo - pad * span, hi + pad * span];
}

/** "950k", "1.2M", "3G": a multiply-add count as a tick or label shows it. */
export function shortCount(value: number): string {
  const units: Array<[number, string]> = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, unit] of units) {
    if (value >= size) return `${Number((value / size).toPrecision(2))}${unit}`;
  }
  return `${Number(value.toPrecision(2))}`;
}

/**
 * Ticks for a log axis over [lo, hi] (log10 units): 1-2-5 steps per decade,
 * or 1-10 where the range is short, so every tick is labelled with its
 * value ("2M", "5M") instead of plotly's bare minor digits; round linear
 * steps where even those leave fewer than three ticks (a range within a
 * factor of two, as when every network costs about the same).
 */
export function logTicks([lo, hi]: readonly [number, number]): {tickvals: number[]; ticktext: string[]} {
  const decades = hi - lo;
  const steps = decades > 3 ? [1] : decades > 1.2 ? [1, 2, 5] : [1, 1.5, 2, 3, 5, 7];
  const tickvals: number[] = [];
  for (let exponent = Math.floor(lo); exponent <= Math.ceil(hi); exponent++) {
    for (const step of steps) {
      const value = step * 10 ** exponent;
      const log = Math.log10(value);
      if (log >= lo && log <= hi) tickvals.push(value);
    }
  }
  if (tickvals.length >= 3) return {tickvals, ticktext: tickvals.map(shortCount)};
  return linearTicks(10 ** lo, 10 ** hi);
}

/**
 * At least three ticks at round steps (1, 2 or 5 times a power of ten)
 * across a range shorter than the 1-2-5 ladder covers, each labelled with
 * as many digits as its step needs ("2.6M", "2.8M", "3M").
 */
function linearTicks(low: number, high: number): {tickvals: number[]; ticktext: string[]} {
  const raw = (high - low) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  // The largest round step that still leaves four intervals: four to ten ticks.
  const step = [5, 2, 1].map(m => m * magnitude).find(s => s <= raw)!;
  const tickvals: number[] = [];
  // (The ends come back from log10, a few ulps off: a tick on an end stays in.)
  for (let i = Math.ceil(low / step - 1e-9); i * step <= high * (1 + 1e-12); i++) tickvals.push(i * step);
  const units: Array<[number, string]> = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k'], [1, '']];
  const [size, unit] = units.find(([u]) => high >= u) ?? [1, ''];
  const digits = Math.max(0, -Math.floor(Math.log10(step / size) + 1e-9));
  return {tickvals, ticktext: tickvals.map(v => `${Number((v / size).toFixed(digits))}${unit}`)};
}

/** A label's box in plot-area pixels, y up. */
interface Box {x0: number; x1: number; y0: number; y1: number}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

export interface LabelRequest {
  /** Point position in plot-area pixels, origin bottom-left. */
  px: number;
  py: number;
  text: string;
}

export interface PlacedLabel {
  /** Offset of the label's centre from its point, in pixels (y up); null when no free place was found. */
  dx: number;
  dy: number;
}

/** Approximate text box of a label at `fontSize` (plotly's default sans-serif). */
function textSize(text: string, fontSize: number): {w: number; h: number} {
  return {w: 0.6 * fontSize * [...text].length + 4, h: fontSize + 4};
}

/**
 * Greedy label placement: each label takes the first of a ring of offsets
 * around its point (above, below, right, left, the diagonals, then farther
 * out) whose box stays inside the plot area and overlaps no placed label
 * and no point. Labels that find no place get null: the figure then keeps
 * them in its hover text and says so.
 */
export function placeLabels(requests: readonly LabelRequest[], area: {width: number; height: number},
                            options: {fontSize?: number; pointRadius?: number} = {}): Array<PlacedLabel | null> {
  const fontSize = options.fontSize ?? 11;
  const radius = options.pointRadius ?? 6;
  const points: Box[] = requests.map(r => ({x0: r.px - radius, x1: r.px + radius, y0: r.py - radius, y1: r.py + radius}));
  const placed: Box[] = [];
  return requests.map(r => {
    const {w, h} = textSize(r.text, fontSize);
    const near = radius + 3;
    const ring: Array<[number, number]> = [
      [0, near + h / 2], [0, -(near + h / 2)], [near + w / 2, 0], [-(near + w / 2), 0],
      [near + w / 2, near + h / 2], [-(near + w / 2), near + h / 2], [near + w / 2, -(near + h / 2)], [-(near + w / 2), -(near + h / 2)],
    ];
    const candidates = [...ring, ...ring.map(([dx, dy]): [number, number] => [dx * 1.8, dy * 1.8])];
    for (const [dx, dy] of candidates) {
      const box = {x0: r.px + dx - w / 2, x1: r.px + dx + w / 2, y0: r.py + dy - h / 2, y1: r.py + dy + h / 2};
      const inside = box.x0 >= 0 && box.x1 <= area.width && box.y0 >= 0 && box.y1 <= area.height;
      if (inside && !placed.some(p => overlaps(p, box)) && !points.some(p => overlaps(p, box))) {
        placed.push(box);
        return {dx, dy};
      }
    }
    return null;
  });
}
