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

import {MimeBundle} from './mime';
import {staticImage} from './plotly';

export type {TopLevelSpec};

/**
 * A vega-lite logger that keeps what it is told instead of printing it:
 * printed, a warning lands in the report as a red stderr block.
 */
function collectingLogger(messages: string[]): object {
  interface Logger {
    level(): Logger;
    error(...args: unknown[]): Logger;
    warn(...args: unknown[]): Logger;
    info(): Logger;
    debug(): Logger;
  }
  const logger: Logger = {
    level: () => logger,
    error: (...args) => { messages.push(args.join(' ')); return logger; },
    warn: (...args) => { messages.push(args.join(' ')); return logger; },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/**
 * The chart as SVG. The lab writes its specs, so a warning from vega-lite
 * (conflicting encodings, a dropped field) is a bug in the lab: it throws,
 * with the warnings, and the chapter tests catch it.
 */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const vegaLite = await import('vega-lite');
  const vega = await import('vega');
  const warnings: string[] = [];
  const compiled = vegaLite.compile(spec, {logger: collectingLogger(warnings) as never}).spec;
  if (warnings.length > 0) throw new Error(`vega-lite warned about the chart '${String(spec.title)}': ${warnings.join('; ')}`);
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
  return {
    'text/html': staticImage({svg, alt}),
    'image/svg+xml': svg,
    'text/plain': `<chart: ${alt}>`,
  };
}
