/**
 * What a chapter shows, as data: tables, prose, figures, findings and
 * headlines. Chapter modules (lib/chapters) return these items, tests read
 * them without a kernel, and a notebook cell shows them with one call:
 * `await lab.show(lab.mobilenet.gridSection(runs))`.
 */
import type {Finding} from '../results/findings';
import {findingsBundle} from './findings';
import {Headline, headlineBundle} from './headline';
import {MimeBundle, display, sentSinceLastYield, yieldToEventLoop} from './mime';
import {PlotlyFigure, showPlotly} from './plotly';
import {Column, Table, makeTable, tableBundleOf} from './table';
import {TopLevelSpec, svgImageBundle, vegaLiteToSvg} from './vega';

export type Item =
  | {kind: 'table'; table: Table}
  | {kind: 'markdown'; text: string; data?: MimeBundle}
  | {kind: 'plotly'; figure: PlotlyFigure; height?: number; staticCopy?: TopLevelSpec}
  | {kind: 'vega'; spec: TopLevelSpec; alt: string}
  | {kind: 'findings'; findings: Finding[]}
  | {kind: 'headline'; headline: Headline};

export function tableItem<Row>(rows: readonly Row[], columns: readonly Column<Row>[], caption?: string): Item {
  return {kind: 'table', table: makeTable(rows, columns, caption)};
}

/**
 * Prose computed from results (never typed in by hand), as Markdown; `data`
 * (MIME type -> JSON) travels beside it for tools that read the notebook.
 */
export function markdownItem(text: string, data?: MimeBundle): Item {
  return data ? {kind: 'markdown', text, data} : {kind: 'markdown', text};
}

export function plotlyItem(figure: PlotlyFigure, height?: number): Item {
  return {kind: 'plotly', figure, height};
}

/**
 * One figure in two representations, one output: interactive plotly where
 * scripts run (JupyterLab, the HTML report), the vega-lite chart as a static
 * SVG where they do not.
 */
export function figureItem(figure: PlotlyFigure, staticCopy: TopLevelSpec, height?: number): Item {
  return {kind: 'plotly', figure, height, staticCopy};
}

/** What a chart's image says to a reader who cannot see it: its title, or 'chart'. */
const altOf = (spec: TopLevelSpec) => typeof spec.title === 'string' ? spec.title : 'chart';

export function vegaItem(spec: TopLevelSpec): Item {
  return {kind: 'vega', spec, alt: altOf(spec)};
}

export function findingsItem(findings: Finding[]): Item {
  return {kind: 'findings', findings};
}

export function headlineItem(label: string, text: string): Item {
  return {kind: 'headline', headline: {label, text}};
}

async function bundleOf(item: Item): Promise<MimeBundle | null> {
  switch (item.kind) {
    case 'table': return tableBundleOf(item.table);
    case 'markdown': return {...item.data, 'text/markdown': item.text, 'text/plain': item.text};
    case 'findings': return findingsBundle(item.findings);
    case 'headline': return headlineBundle(item.headline);
    case 'vega': return svgImageBundle(await vegaLiteToSvg(item.spec), item.alt);
    case 'plotly': return null;
  }
}

/**
 * Shows items in order. Each goes out in its own turn of the event loop,
 * since tslab's transport refuses a second send while one is pending (mime.ts).
 */
export async function show(...items: Array<Item | readonly Item[]>): Promise<void> {
  for (const item of items.flat()) {
    if (sentSinceLastYield()) await yieldToEventLoop();
    if (item.kind === 'plotly') {
      const spec = item.staticCopy;
      const staticCopy = spec ? {svg: await vegaLiteToSvg(spec), alt: altOf(spec)} : undefined;
      showPlotly(item.figure, {height: item.height, staticCopy});
    } else {
      display((await bundleOf(item))!);
    }
  }
  await yieldToEventLoop();
}

/** The text of every markdown item (what tests and `cnnlab` read of a section's prose). */
export function proseOf(items: readonly Item[]): string {
  return items.flatMap(i => i.kind === 'markdown' ? [i.text] : []).join('\n');
}

/** The tables among items, by caption (tests read a section's numbers from here). */
export function tablesOf(items: readonly Item[]): Table[] {
  return items.flatMap(i => i.kind === 'table' ? [i.table] : []);
}
