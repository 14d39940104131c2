/**
 * Vega-Lite charts rendered to SVG in Node, shown as an image so that every
 * front end (JupyterLab, nbconvert HTML, GitHub's viewer) draws them without
 * a JavaScript runtime.
 *
 * vega 6 and vega-lite 6 are ESM-only. This file compiles to CommonJS, and
 * TypeScript keeps `import()` as a real dynamic import under
 * `module: nodenext`, so they load even from tslab cells (which rewrite the
 * cell's own imports to `require`).
 */
import type {TopLevelSpec} from 'vega-lite';

import {MimeBundle, display, escapeHtml, yieldToEventLoop} from './mime';

export type {TopLevelSpec};

export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const vegaLite = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), {renderer: 'none'});
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * SVG as an <img> data URI in text/html (always shown, never sanitised away)
 * plus image/svg+xml for front ends that prefer it.
 */
export function svgImageBundle(svg: string, alt: string): MimeBundle {
  const uri = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  return {
    'text/html': `<img class="cnnlab-vega" alt="${escapeHtml(alt)}" src="${uri}">`,
    'image/svg+xml': svg,
    'text/plain': `<chart: ${alt}>`,
  };
}

export async function showVegaLite(spec: TopLevelSpec): Promise<void> {
  const svg = await vegaLiteToSvg(spec);
  await yieldToEventLoop();
  const title = typeof spec.title === 'string' ? spec.title : 'vega-lite chart';
  display(svgImageBundle(svg, title));
}
