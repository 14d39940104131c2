/** Figure layout: labels that never overlap, log ticks a reader can read, fitted ranges. */
import {strict as assert} from 'node:assert';

import {FIGURE_SIZE, PLOT_AREA_HEIGHT, legendBelow, logTicks, paddedRange, placeLabels, shortCount} from '../../lib/plot/layout';
import {accuracyVsMacsFigure, accuracyVsMacsSpec, latencyFigure} from '../../lib/plot/figures';

describe('figure layout', () => {
  it('places labels of crowded points without overlaps, inside the plot, or leaves them off', () => {
    // A 4 x 4 grid of points 30 px apart: labels 60 px wide cannot all sit above their points.
    const requests = Array.from({length: 16}, (_, i) => ({px: 100 + 30 * (i % 4), py: 100 + 30 * Math.floor(i / 4), text: `label ${i}xx`}));
    const placed = placeLabels(requests, {width: 400, height: 300});
    // A label's box as placeLabels estimates it at 11 px: 0.6 * 11 per character + 4 wide, 15 high.
    const inner = placed.flatMap((p, i) => {
      if (p == null) return [];
      const w = 0.6 * 11 * requests[i].text.length + 4;
      const x = requests[i].px + p.dx, y = requests[i].py + p.dy;
      return [{x0: x - w / 2, x1: x + w / 2, y0: y - 7.5, y1: y + 7.5}];
    });
    for (let i = 0; i < inner.length; i++) {
      for (let j = i + 1; j < inner.length; j++) {
        const a = inner[i], b = inner[j];
        assert.ok(!(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1), `labels ${i} and ${j} overlap`);
      }
      assert.ok(inner[i].x0 >= 0 && inner[i].x1 <= 400 && inner[i].y0 >= 0 && inner[i].y1 <= 300);
    }
    assert.ok(inner.length >= 8, `most labels found a place (${inner.length} of 16)`);
    // Every point alone gets its label right above it.
    assert.deepEqual(placeLabels([{px: 200, py: 100, text: 'alone'}], {width: 400, height: 300})[0]?.dx, 0);
  });

  it('labels log ticks with their values, 1-2-5 per decade', () => {
    const {tickvals, ticktext} = logTicks([5, 7.2]);
    assert.deepEqual(tickvals, [1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7]);
    assert.deepEqual(ticktext, ['100k', '200k', '500k', '1M', '2M', '5M', '10M']);
    assert.equal(shortCount(12_201_600), '12M');
    assert.equal(shortCount(943_008), '940k');
  });

  it('puts at least three labelled ticks on a short log axis (chapter 01\'s networks all cost 2.5M-3.4M)', () => {
    const {tickvals, ticktext} = logTicks([Math.log10(2.5e6), Math.log10(3.4e6)]);
    assert.deepEqual(tickvals.map(v => Math.round(v)), [2.6e6, 2.8e6, 3.0e6, 3.2e6, 3.4e6]);
    assert.deepEqual(ticktext, ['2.6M', '2.8M', '3M', '3.2M', '3.4M']);
    // Within a factor of 1.2 at 40k-48k: steps of 2k.
    assert.deepEqual(logTicks([Math.log10(40_000), Math.log10(48_000)]).ticktext, ['40k', '42k', '44k', '46k', '48k']);
  });

  it('fits the axes to the data with a margin (the static chart no longer spans 1e5-1e8 for data in 1e6-1e7)', () => {
    const [lo, hi] = paddedRange([1e6, 1e7], true);
    assert.ok(lo < 6 && lo > 5.8 && hi > 7 && hi < 7.2, `${lo}..${hi}`);
    const points = [{label: 'a', macs: 1e6, accuracy: 0.7, group: 'g1'}, {label: 'b', macs: 1e7, accuracy: 0.8, group: 'g2'}];
    const spec = JSON.stringify(accuracyVsMacsSpec(points));
    const figure = accuracyVsMacsFigure(points);
    // Same colours for the same groups in both copies.
    const colours = (figure.data as Array<{marker?: {color: string}}>).flatMap(t => t.marker ? [t.marker.color] : []);
    assert.equal(colours.length, 2);
    for (const colour of colours) assert.ok(spec.includes(colour), `${colour} in the static chart`);
    assert.match(spec, /"labelLimit":0/);
  });

  it('draws latency with one legend entry per group, a bar as long as the timings\' interquartile range, and says what the bar is', () => {
    const figure = latencyFigure([
      {name: 'separable', points: [{label: 'a', macs: 1e6, ms: 2, spread: 0.1}, {label: 'b', macs: 2e6, ms: 3, spread: 0.2}]},
      {name: 'full', points: [{label: 'c', macs: 8e6, ms: 4}]},
    ], 'latency');
    assert.deepEqual(figure.data.map(t => t['name']), ['separable', 'full']);
    // Half the interquartile range each side of the median: 0.1 x 2 ms / 2 and 0.2 x 3 ms / 2; none measured, no bar.
    assert.deepEqual((figure.data[0]['error_y'] as {array: number[]}).array, [0.1, 0.30000000000000004]);
    assert.deepEqual((figure.data[1]['error_y'] as {array: number[]}).array, [0]);
    const notes = (figure.layout!['annotations'] as Array<{text: string}>).map(a => a.text);
    assert.deepEqual(notes, ['each point: the median of repeated timings; bar: their interquartile range']);
    // The y axis reaches the top of the longest bar: 3.3 ms is inside it.
    const [, top] = (figure.layout!['yaxis'] as {range: [number, number]}).range;
    assert.ok(10 ** top > 3.3, `y axis ends at ${10 ** top} ms`);
  });
});

describe('legendBelow', () => {
  it('grows the figure by the legend\'s rows so that the plot area keeps its height', () => {
    const plotArea = (l: ReturnType<typeof legendBelow>) => l.height - l.margin.t - l.margin.b;
    const short = legendBelow(['a', 'b', 'c']);
    assert.equal(short.height, FIGURE_SIZE.height, 'one row fits the default margin');
    assert.equal(plotArea(short), PLOT_AREA_HEIGHT);
    // Chapter 01's eight groups: each name too long to share a row with the next.
    const long = legendBelow(Array.from({length: 8}, (_, i) => `headline claim ${i}: two stacked 3×3 convolutions lose nothing against the 5×5`));
    assert.equal(plotArea(long), PLOT_AREA_HEIGHT);
    // Below the plot: the x axis's ticks and title (60 px or more), then eight rows of plotly's 19 px.
    assert.ok(long.margin.b >= 60 + 8 * 19, `room for eight legend rows: ${long.margin.b} px`);
    // The legend starts below the axis title, anchored by its top.
    assert.equal(long.legend['yanchor'], 'top');
    assert.ok((long.legend['y'] as number) < 0);
    // Rows are shared where the names fit side by side.
    assert.ok(legendBelow(Array.from({length: 8}, (_, i) => `k = ${i}`)).height < long.height);
  });
});
