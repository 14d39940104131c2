/**
 * Interactive plotly figures that work offline in JupyterLab, classic
 * Notebook and nbconvert HTML reports.
 *
 * plotly.js (plotly.js-dist-min, ~4.8 MB) is inlined into the first figure a
 * kernel shows; later figures wait for `window.Plotly`. The bundle also
 * carries `application/vnd.plotly.v1+json`, which JupyterLab's plotly
 * renderer uses when it is installed. A figure may carry a static copy (an
 * SVG drawn from a vega-lite spec): it sits inside the figure's box until
 * plotly draws over it, and travels as image/svg+xml, so a viewer that runs
 * no script (an untrusted notebook, GitHub) shows the same figure once,
 * static; a figure without one says there what it is and where it draws.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

import {MimeBundle, display, escapeHtml} from './mime';

/** A plotly figure as plotly.js takes it (traces are free-form JSON). */
export interface PlotlyFigure {
  data: Array<Record<string, unknown>>;
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

export interface PlotlyOptions {
  /** Inline plotly.js into this output (the first plot of a notebook). */
  embedLibrary: boolean;
  /** Height in CSS pixels. Default 450. */
  height?: number;
  /** The same figure as a static SVG, shown where no script runs. */
  staticCopy?: StaticCopy;
}

export interface StaticCopy {
  svg: string;
  alt: string;
}

/** The static copy as an <img> (a data URI: sanitisers keep it, where they drop inline <svg>). */
export function staticImage(copy: StaticCopy, style = ''): string {
  const uri = `data:image/svg+xml;base64,${Buffer.from(copy.svg).toString('base64')}`;
  return `<img class="cnnlab-vega" alt="${escapeHtml(copy.alt)}" src="${uri}"${style ? ` style="${style}"` : ''}>`;
}

/** A figure's title as plotly holds it (a string, or {text}), or null. */
function titleOf(figure: PlotlyFigure): string | null {
  const title = figure.layout?.['title'];
  if (typeof title === 'string') return title;
  const text = (title as {text?: unknown} | undefined)?.text;
  return typeof text === 'string' ? text : null;
}

/**
 * What a figure without a static copy shows where no script runs (an
 * untrusted notebook in JupyterLab, a mail client): its title and where it
 * draws, instead of an empty box.
 */
export function noScriptNote(figure: PlotlyFigure): string {
  const title = titleOf(figure);
  return `<p class="cnnlab-noscript">${title ? `<b>${escapeHtml(title)}</b>: an` : 'An'} interactive figure. It draws where ` +
      'scripts run: the HTML report, or the notebook in JupyterLab once trusted or run.</p>';
}

let libraryTag: string | null = null;

/** plotly.js as a script tag, read once per process. */
function plotlyLibraryTag(): string {
  if (libraryTag == null) {
    const source = fs.readFileSync(require.resolve('plotly.js-dist-min'), 'utf8')
                       .replace(/<\/script/gi, '<\\/script');
    // Shadow AMD/CommonJS globals so the UMD wrapper always sets window.Plotly
    // (require.js is present in classic Notebook pages).
    libraryTag = `<script type="text/javascript">(function(define, module, exports){\n${source}\n}).call(window);</script>`;
  }
  return libraryTag;
}

/** Serialises JSON for inclusion inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function plotlyBundle(figure: PlotlyFigure, options: PlotlyOptions): MimeBundle {
  const id = `plotly-${crypto.randomBytes(6).toString('hex')}`;
  // A figure with a fixed size (its labels were placed for it) gets a box of that size.
  const layout = figure.layout ?? {};
  const height = options.height ?? (typeof layout['height'] === 'number' ? layout['height'] : 450);
  const width = typeof layout['width'] === 'number' ? `${layout['width']}px` : '100%';
  const copy = options.staticCopy;
  // Without a script the box holds the static copy or the note, so it takes their height; the script sets the figure's.
  const box = copy ? `min-height:${height}px` : '';
  const html = `${options.embedLibrary ? plotlyLibraryTag() : ''}
<div id="${id}" class="cnnlab-plotly" style="width:${width};max-width:100%;overflow-x:auto;${box}">${copy ? staticImage(copy, 'max-width:100%') : noScriptNote(figure)}</div>
<script type="text/javascript">
(function () {
  var fig = ${scriptJson(figure)};
  function draw() {
    var el = document.getElementById('${id}');
    el.innerHTML = '';
    el.style.height = '${height}px';
    window.Plotly.newPlot(el, fig.data, fig.layout || {}, Object.assign({responsive: true, displaylogo: false}, fig.config || {}));
  }
  if (window.Plotly) { draw(); return; }
  var tries = 0, timer = setInterval(function () {
    if (window.Plotly) { clearInterval(timer); draw(); }
    else if (++tries > 200) {
      clearInterval(timer);
      var el = document.getElementById('${id}');
      if (el) el.insertAdjacentText('afterbegin', 'plotly.js is not loaded: run the notebook from its first plot cell.');
    }
  }, 50);
})();
</script>`;
  const traces = figure.data.length;
  return {
    'application/vnd.plotly.v1+json': {data: figure.data, layout: figure.layout ?? {}, config: figure.config ?? {}},
    'text/html': html,
    ...(copy ? {'image/svg+xml': copy.svg} : {}),
    'text/plain': `<plotly figure: ${traces} trace${traces === 1 ? '' : 's'}>`,
  };
}

let libraryShown = false;

/** Shows a figure, inlining plotly.js the first time this kernel plots. */
export function showPlotly(figure: PlotlyFigure, options: {height?: number; staticCopy?: StaticCopy} = {}): void {
  const embedLibrary = !libraryShown;
  display(plotlyBundle(figure, {embedLibrary, height: options.height, staticCopy: options.staticCopy}));
  libraryShown = true;
}
