import {strict as assert} from 'node:assert';

import {
  HEADLINE_MIME, PROGRESS_MIME, escapeHtml, headlineBundle, plotlyBundle, progressBundle,
  svgImageBundle, tableBundle, vegaLiteToSvg,
} from '../../lib/display';
import {signed} from '../../lib/display/format';
import {budgetFromEnv, parseBudget, pick} from '../../lib/experiments';
import {accuracyVsMacsSpec} from '../../lib/plot/figures';

describe('notebook display helpers', () => {
  describe('tableBundle', () => {
    const rows = [{name: 'conv|1x1', macs: 1234567}, {name: 'dw', macs: 89}];
    const bundle = tableBundle(rows, [{header: 'layer', value: r => r.name}, {header: 'MACs', value: r => r.macs}], 'Costs');

    it('writes a Markdown table with numbers right-aligned and separators', () => {
      const md = bundle['text/markdown'] as string;
      assert.match(md, /\| layer \| MACs \|\n\|:---\|---:\|/);
      assert.match(md, /\| 1,234,567 \|/);
    });
    it('escapes pipes so a cell cannot split', () => {
      assert.match(bundle['text/markdown'] as string, /conv\\\|1x1/);
    });
    it('has an aligned plain-text twin', () => {
      const lines = (bundle['text/plain'] as string).split('\n');
      assert.equal(lines[0], 'Costs');
      assert.equal(lines[2].length, lines[3].length);
      assert.ok(lines[3].endsWith('       89'));
    });
    it('refuses a table without columns', () => {
      assert.throws(() => tableBundle(rows, []), /at least one column/);
    });
  });

  describe('plotlyBundle', () => {
    const figure = {data: [{type: 'scatter', x: [1, 2], y: [3, 4], name: '</script><b>'}]};
    it('embeds plotly.js only when asked, once per notebook', () => {
      const first = plotlyBundle(figure, {embedLibrary: true})['text/html'] as string;
      const later = plotlyBundle(figure, {embedLibrary: false})['text/html'] as string;
      assert.ok(first.length > 1_000_000, `first plot carries plotly.js (${first.length} chars)`);
      assert.ok(later.length < 5_000, `later plots do not (${later.length} chars)`);
      assert.match(later, /window\.Plotly/);
    });
    it('carries the JSON figure for JupyterLab and cannot close its own script early', () => {
      const bundle = plotlyBundle(figure, {embedLibrary: false});
      assert.deepEqual((bundle['application/vnd.plotly.v1+json'] as {data: unknown}).data, figure.data);
      const html = bundle['text/html'] as string;
      assert.equal(html.match(/<\/script>/g)?.length, 1, 'only the wrapper script tag closes');
      assert.equal(bundle['image/svg+xml'], undefined, 'no static copy unless given one');
    });
    it('names a figure without a static copy inside its box, where no script runs, and the script clears it', () => {
      const titled = {...figure, layout: {title: {text: 'Loss <by> step'}}};
      const html = plotlyBundle(titled, {embedLibrary: false})['text/html'] as string;
      const box = html.match(/<div id="plotly-[0-9a-f]+" class="cnnlab-plotly"[^>]*>(.*?)<\/div>/);
      assert.ok(box, html);
      assert.match(box[1], /^<p class="cnnlab-noscript"><b>Loss &lt;by&gt; step<\/b>: an interactive figure\. It draws where scripts run/);
      assert.match(plotlyBundle(figure, {embedLibrary: false})['text/html'] as string, /<p class="cnnlab-noscript">An interactive figure\./);
      assert.match(html, /el\.innerHTML = '';[\s\S]*newPlot\(el,/);
    });
    it('carries a static copy in the same output: inside the figure\'s box until plotly draws, and as image/svg+xml', () => {
      const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>';
      const bundle = plotlyBundle(figure, {embedLibrary: false, staticCopy: {svg, alt: 'a "chart"'}});
      assert.equal(bundle['image/svg+xml'], svg);
      const html = bundle['text/html'] as string;
      const box = html.match(/<div id="(plotly-[0-9a-f]+)" class="cnnlab-plotly"[^>]*>(.*?)<\/div>/);
      assert.ok(box, html);
      assert.match(box[2], /^<img class="cnnlab-vega" alt="a &quot;chart&quot;" src="data:image\/svg\+xml;base64,/);
      assert.equal(Buffer.from(box[2].match(/base64,([^"]+)"/)![1], 'base64').toString(), svg);
      // The script empties the box before plotly draws into it, so the figure shows once.
      assert.match(html, /el\.innerHTML = '';[\s\S]*newPlot\(el,/);
    });
  });

  describe('vega-lite', () => {
    it('renders a spec to an SVG with its marks, in Node', async () => {
      const svg = await vegaLiteToSvg({
        data: {values: [{a: 1, b: 2}, {a: 2, b: 5}, {a: 3, b: 3}]},
        mark: 'point', encoding: {x: {field: 'a', type: 'quantitative'}, y: {field: 'b', type: 'quantitative'}},
      });
      assert.match(svg, /^<svg/);
      assert.equal(svg.match(/class="mark-symbol/g)?.length, 1);
      assert.equal(svg.match(/<path[^>]*transform="translate/g)!.length >= 3, true);
    });
    it('refuses a spec vega-lite warns about, instead of printing the warning into the report', async () => {
      const values = [{a: 1, b: 2, g: 'x'}, {a: 2, b: 5, g: 'y'}];
      const x = {field: 'a', type: 'quantitative' as const}, y = {field: 'b', type: 'quantitative' as const};
      await assert.rejects(vegaLiteToSvg({title: 'conflicting', data: {values}, layer: [
        {mark: 'line', encoding: {x, y, color: {field: 'g', type: 'nominal', legend: null}}},
        {mark: 'point', encoding: {x, y, color: {field: 'g', type: 'nominal', legend: {orient: 'bottom'}}}},
      ]}), /vega-lite warned about the chart 'conflicting': .*legend/i);
    });
    it('draws the lab\'s accuracy-against-cost chart with paths without a warning', async () => {
      const points = [1, 2, 3].map(i => ({label: `k=${i}`, macs: 1e6 * i, accuracy: 0.7 + 0.01 * i, group: 'path'}));
      const svg = await vegaLiteToSvg(accuracyVsMacsSpec([...points, {label: 'other', macs: 2.5e6, accuracy: 0.7, group: 'other'}],
                                                          'paths', {paths: ['path']}));
      // The path: a line in the first group's colour (the Pareto front is the grey dashed one).
      assert.match(svg, /aria-roledescription="line mark" d="M[^"]+" stroke="#4c78a8"/);
    });
    it('shows SVG as an <img> so no front end strips it', () => {
      const bundle = svgImageBundle('<svg xmlns="http://www.w3.org/2000/svg"></svg>', 'a "chart"');
      assert.match(bundle['text/html'] as string, /^<img class="cnnlab-vega" alt="a &quot;chart&quot;" src="data:image\/svg\+xml;base64,/);
    });
  });

  it('progressBundle reports the share done, escapes the status, and carries its state as data', () => {
    const bundle = progressBundle('train', 3, 12, '<loss>');
    assert.match(bundle['text/html'] as string, /<progress value="3" max="12"/);
    assert.match(bundle['text/html'] as string, /&lt;loss&gt;/);
    assert.equal(bundle['text/plain'], 'train: 25% <loss>');
    assert.deepEqual(bundle[PROGRESS_MIME], {label: 'train', done: 3, total: 12, status: '<loss>', finished: false});
  });

  it('a finished progress bar is one summary line, without a bar', () => {
    const bundle = progressBundle('chapter 03 (quick)', 12, 12, '3 runs trained now', true);
    assert.doesNotMatch(bundle['text/html'] as string, /<progress/);
    assert.match(bundle['text/html'] as string, /chapter 03 \(quick\): 3 runs trained now/);
    assert.equal(bundle['text/plain'], 'chapter 03 (quick): 3 runs trained now');
  });

  it('headlineBundle carries the lab MIME type that reports/index.html reads', () => {
    const bundle = headlineBundle({label: 'Width', text: '4x fewer MACs'});
    assert.deepEqual(bundle[HEADLINE_MIME], {label: 'Width', text: '4x fewer MACs'});
  });

  it('escapeHtml escapes the five special characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  describe('signed numbers', () => {
    it('signs a difference, and gives a value that rounds to zero no minus sign', () => {
      assert.equal(signed(0.0123), '+0.012');
      assert.equal(signed(-0.0123), '-0.012');
      assert.equal(signed(-0.0002), '+0.000');
      assert.equal(signed(-0.04, 1), '+0.0');
    });
  });

  describe('budget', () => {
    it('defaults to quick and reads LAB_BUDGET', () => {
      assert.equal(budgetFromEnv({}), 'quick');
      assert.equal(budgetFromEnv({LAB_BUDGET: 'smoke'}), 'smoke');
      assert.equal(pick('full', {smoke: 1, quick: 2, course: 4, full: 3}), 3);
      assert.equal(budgetFromEnv({LAB_BUDGET: 'course'}), 'course');
    });
    it('names the value and the accepted ones when wrong', () => {
      assert.throws(() => budgetFromEnv({LAB_BUDGET: 'huge'}), /\$LAB_BUDGET must be one of smoke, quick, course, full, got 'huge'/);
      assert.throws(() => parseBudget('', '--budget'), /--budget must be one of/);
    });
  });
});
