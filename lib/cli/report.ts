/**
 * `cnnlab report`: runs every chapter under notebooks/ and writes
 * reports/index.html: the book's chapters in order, each report linked with
 * its headline results, the chapters not written yet marked, and the
 * engine, commit and versions the reports ran with.
 */
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {BOOK, BookEntry} from '../chapters';
import {plural} from '../display/format';
import {Budget} from '../experiments/budget';
import {escapeHtml} from '../display/mime';
import {writeFileAtomic} from '../results/atomic';
import {NOTEBOOKS_DIR, REPORTS_DIR, ROOT} from './paths';
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

/** Where the reports came from: the code's commit and the versions that ran them. */
export interface ReportContext {
  commit: string;
  versions: Record<string, string>;
  generated: Date;
}

export function reportContext(): ReportContext {
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-C', ROOT, ...args], {encoding: 'utf8'});
    return r.status === 0 ? r.stdout.trim() : null;
  };
  const head = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no');
  const packageVersion = (name: string) => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {version: string}).version;
    } catch {
      return 'not installed';
    }
  };
  return {
    commit: head == null ? 'unknown (not a git checkout)' : `${head}${dirty ? ' with local changes' : ''}`,
    versions: {'Node.js': process.versions.node, 'TensorFlow.js': packageVersion('@tensorflow/tfjs'), 'tslab': packageVersion('tslab')},
    generated: new Date(),
  };
}

function chapterSection(r: RunResult, outDir: string): string {
  const href = encodeURI(path.relative(outDir, r.html));
  const status = r.ok ? `<span class="ok">ran in ${r.seconds?.toFixed(0) ?? '?'} s</span>` :
                        `<span class="failed">FAILED: ${escapeHtml(r.failure?.message ?? 'unknown error')}</span>`;
  const headlines = r.headlines.map(h => `<li><b>${escapeHtml(h.label)}</b>: ${escapeHtml(h.text)}</li>`).join('');
  const contents = r.sections.map(s => `<a href="${href}#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join(' · ');
  return `<section><h2><a href="${href}">${escapeHtml(notebookTitle(r.notebook))}</a></h2>
<p>${status}</p>${contents ? `<p class="contents">${contents}</p>` : ''}${headlines ? `<ul>${headlines}</ul>` : ''}</section>`;
}

function plannedSection(entry: BookEntry): string {
  return `<section class="planned"><h2>${escapeHtml(entry.id)}. ${escapeHtml(entry.title)}</h2>
<p><span class="planned-tag">planned: not written yet</span> (<code>notebooks/${escapeHtml(entry.notebook)}</code>)</p></section>`;
}

/**
 * The index: every chapter of the book in order (those that ran, linked with
 * their headlines; those not written yet, marked), then what ran them.
 */
export function indexHtml(results: readonly RunResult[], budget: Budget, outDir: string,
                          context: ReportContext = reportContext()): string {
  const ran = new Map(results.map(r => [path.basename(r.notebook), r]));
  const inBook = new Set(BOOK.map(e => e.notebook));
  const sections = [
    ...BOOK.map(entry => ran.has(entry.notebook) ? chapterSection(ran.get(entry.notebook)!, outDir) :
                         entry.written ? '' : plannedSection(entry)),
    // Notebooks outside the book (a course's own) after it, in the order they ran.
    ...results.filter(r => !inBook.has(path.basename(r.notebook))).map(r => chapterSection(r, outDir)),
  ].filter(Boolean).join('\n');
  const engine = results.find(r => r.engine)?.engine;
  const facts = [
    ['budget', budget],
    ['engine', engine ? `${engine.backend} on ${engine.device}, ${plural(engine.threads, 'thread')}` : 'not reported'],
    ['code', `commit ${context.commit}`],
    ...Object.entries(context.versions),
    ['written', `${context.generated.toISOString().slice(0, 16).replace('T', ' ')} UTC`],
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Lightweight CNN Lab: reports</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.contents{font-size:.92em}.contents a{color:#1a5fb4;text-decoration:none}.ok{color:#2a7a2a}.failed{color:#b00020;font-weight:bold}section{border-bottom:1px solid #ddd;padding-bottom:.5rem}
.planned h2{color:#777}.planned-tag{background:#eee;border-radius:3px;padding:1px 6px;font-size:.9em}
table.facts td{padding:1px 12px 1px 0;vertical-align:top}table.facts td:first-child{color:#555}</style>
</head><body>
<h1>Lightweight CNN Lab</h1>
<table class="facts">${facts.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
${sections}
</body></html>
`;
}

export async function runReport(options: {budget: Budget; outDir?: string; cellTimeout?: number; notebooks?: string[]}):
    Promise<RunResult[]> {
  const outDir = path.resolve(options.outDir ?? REPORTS_DIR);
  const notebooks = options.notebooks ?? listNotebooks();
  const results: RunResult[] = [];
  const link = (i: number) => i >= 0 && i < notebooks.length ?
      {title: notebookTitle(notebooks[i]), href: `${path.basename(notebooks[i], '.ipynb')}.html`} : undefined;
  for (const [i, notebook] of notebooks.entries()) {
    process.stderr.write(`running ${path.relative(process.cwd(), notebook)} (budget ${options.budget})\n`);
    const neighbours = {index: 'index.html', previous: link(i - 1), next: link(i + 1)};
    const result = await runNotebook(notebook, {budget: options.budget, outDir, cellTimeout: options.cellTimeout, neighbours});
    results.push(result);
    if (!result.ok) process.stderr.write(formatFailure(result) + '\n');
    if (result.exitCode === 130) break;  // interrupted: stop the whole report
  }
  writeFileAtomic(path.join(outDir, 'index.html'), indexHtml(results, options.budget, outDir));
  return results;
}
