/**
 * Interactive plotly figures that work offline in JupyterLab, classic
 * Notebook and nbconvert HTML reports.
 *
 * plotly.js (plotly.js-dist-min, ~4.8 MB) is inlined into the first figure a
 * kernel shows; later figures wait for `window.Plotly`. The bundle also
 * carries `application/vnd.plotly.v1+json`, which JupyterLab's plotly
 * renderer uses when it is installed.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

import {MimeBundle, display} from './mime';

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
  const html = `${options.embedLibrary ? plotlyLibraryTag() : ''}
<div id="${id}" class="cnnlab-plotly" style="width:${width};max-width:100%;overflow-x:auto;height:${height}px"></div>
<script type="text/javascript">
(function () {
  var fig = ${scriptJson(figure)};
  function draw() {
    window.Plotly.newPlot('${id}', fig.data, fig.layout || {}, Object.assign({responsive: true, displaylogo: false}, fig.config || {}));
  }
  if (window.Plotly) { draw(); return; }
  var tries = 0, timer = setInterval(function () {
    if (window.Plotly) { clearInterval(timer); draw(); }
    else if (++tries > 200) {
      clearInterval(timer);
      var el = document.getElementById('${id}');
      if (el) el.textContent = 'plotly.js is not loaded: run the notebook from its first plot cell.';
    }
  }, 50);
})();
</script>`;
  const traces = figure.data.length;
  return {
    'application/vnd.plotly.v1+json': {data: figure.data, layout: figure.layout ?? {}, config: figure.config ?? {}},
    'text/html': html,
    'text/plain': `<plotly figure: ${traces} trace${traces === 1 ? '' : 's'}>`,
  };
}

let libraryShown = false;

/** Shows a figure, inlining plotly.js the first time this kernel plots. */
export function showPlotly(figure: PlotlyFigure, options: {height?: number} = {}): void {
  const embedLibrary = !libraryShown;
  display(plotlyBundle(figure, {embedLibrary, height: options.height}));
  libraryShown = true;
}
