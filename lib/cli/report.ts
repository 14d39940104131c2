/**
 * `cnnlab report`: runs every chapter under notebooks/ and writes
 * reports/index.html linking each report with its headline results.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {Budget} from '../experiments/budget';
import {escapeHtml} from '../display/mime';
import {writeFileAtomic} from '../results/atomic';
import {NOTEBOOKS_DIR, REPORTS_DIR} from './paths';
import {RunResult, formatFailure, runNotebook} from './run';

export function listNotebooks(dir = NOTEBOOKS_DIR): string[] {
  return fs.readdirSync(dir).filter(f => f.endsWith('.ipynb')).sort().map(f => path.join(dir, f));
}

/** Title of a notebook: its first Markdown heading, else the file name. */
export function notebookTitle(file: string): string {
  try {
    const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as {cells: Array<{cell_type: string; source: string | string[]}>};
    for (const cell of nb.cells) {
      if (cell.cell_type !== 'markdown') continue;
      const text = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
      const heading = /^#\s+(.+)$/m.exec(text);
      if (heading) return heading[1].trim();
    }
  } catch { /* fall through to the file name */ }
  return path.basename(file, '.ipynb');
}

export function indexHtml(results: readonly RunResult[], budget: Budget, outDir: string): string {
  const rows = results.map(r => {
    const href = encodeURI(path.relative(outDir, r.html));
    const status = r.ok ? `<span class="ok">ran in ${r.seconds?.toFixed(0) ?? '?'} s</span>` :
                          `<span class="failed">FAILED: ${escapeHtml(r.failure?.message ?? 'unknown error')}</span>`;
    const headlines = r.headlines.map(h => `<li><b>${escapeHtml(h.label)}</b>: ${escapeHtml(h.text)}</li>`).join('');
    return `<section><h2><a href="${href}">${escapeHtml(notebookTitle(r.notebook))}</a></h2>
<p>${status}</p>${headlines ? `<ul>${headlines}</ul>` : ''}</section>`;
  }).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Lightweight CNN Lab: reports</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.ok{color:#2a7a2a}.failed{color:#b00020;font-weight:bold}section{border-bottom:1px solid #ddd;padding-bottom:.5rem}</style>
</head><body>
<h1>Lightweight CNN Lab</h1>
<p>Reports executed on the <code>${budget}</code> budget, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.</p>
${rows}
</body></html>
`;
}

export async function runReport(options: {budget: Budget; outDir?: string; cellTimeout?: number; notebooks?: string[]}):
    Promise<RunResult[]> {
  const outDir = path.resolve(options.outDir ?? REPORTS_DIR);
  const notebooks = options.notebooks ?? listNotebooks();
  const results: RunResult[] = [];
  for (const notebook of notebooks) {
    process.stderr.write(`running ${path.relative(process.cwd(), notebook)} (budget ${options.budget})\n`);
    const result = await runNotebook(notebook, {budget: options.budget, outDir, cellTimeout: options.cellTimeout});
    results.push(result);
    if (!result.ok) process.stderr.write(formatFailure(result) + '\n');
    if (result.exitCode === 130) break;  // interrupted: stop the whole report
  }
  writeFileAtomic(path.join(outDir, 'index.html'), indexHtml(results, options.budget, outDir));
  return results;
}
