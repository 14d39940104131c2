/** Figure layout: labels that never overlap, log ticks a reader can read, fitted ranges. */
import {strict as assert} from 'node:assert';

import {logTicks, paddedRange, placeLabels, shortCount} from '../../lib/plot/layout';
import {accuracyVsMacsFigure, accuracyVsMacsSpec} from '../../lib/plot/figures';

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
});
