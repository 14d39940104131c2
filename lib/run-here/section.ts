/**
 * A report's "run it here" section: a headline claim of the chapter that a
 * reader trains in their own browser (runner.ts, browser.ts), with the
 * buttons, progress bar, plot and verdict it needs, and everything it runs
 * on inside the section: the page code (dist/run-here/run-here.js, built
 * by setup), TF.js's WebAssembly binary and a few thousand Fashion-MNIST
 * images, gzipped. Nothing is fetched: the report still opens as one file.
 *
 * Where no script runs (an untrusted notebook, GitHub), the section shows
 * its Markdown: what the experiment is and that it runs in the HTML report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import {ImageSet, subset} from '../data/dataset';
import {loadFashionMnist} from '../data/fashion-mnist';
import {formatCount, plural} from '../display/format';
import {escapeHtml} from '../display/mime';
import {Item, markdownItem} from '../display/show';
import {predictedText} from '../experiments/claims';
import {REPO_ROOT} from '../root';
import type {CarriedData} from './browser';
import {RunHereOptions, runHereConfig} from './config';
import {RunHereConfig} from './runner';

export const RUN_HERE_BUNDLE = path.join(REPO_ROOT, 'dist', 'run-here', 'run-here.js');

/** How many more training images the page carries than a run uses, so each seed draws its own subset. */
const POOL_FACTOR = 1.5;

function wasmBinary(): Buffer {
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  return fs.readFileSync(path.join(dir, 'dist', 'tfjs-backend-wasm-simd.wasm'));
}

/** The images a page carries: the first of Fashion-MNIST's training and test sets (what a run then subsets by its seed). */
export function carriedSets(config: RunHereConfig): {train: ImageSet; test: ImageSet} {
  const {train, test} = loadFashionMnist();
  const trainCount = Math.min(train.count, Math.ceil(config.training.limit! * POOL_FACTOR));
  const testCount = Math.min(test.count, config.training.testLimit!);
  return {train: subset(train, range(trainCount), `${train.name} (carried)`), test: subset(test, range(testCount), `${test.name} (carried)`)};
}

const range = (n: number) => Array.from({length: n}, (_, i) => i);

/** The carried images gzipped, with TF.js's wasm binary, as the page reads them (browser.ts). */
function carriedData(config: RunHereConfig): CarriedData {
  const {train, test} = carriedSets(config);
  const packed = Buffer.concat([train.images, train.labels, test.images, test.labels]);
  return {
    images: zlib.gzipSync(packed, {level: 9}).toString('base64'), train: train.count, test: test.count,
    height: train.height, width: train.width, classNames: [...train.classNames], wasm: wasmBinary().toString('base64'),
  };
}

/** JSON inside <script type="application/json">: only "</" could end it early. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/<\//g, '<\\/');

/**
 * The page code, gzipped and base64: a third of its size, and none of its
 * text (TF.js's own messages among it) in the report's source.
 */
function bundleGzipBase64(): string {
  if (!fs.existsSync(RUN_HERE_BUNDLE)) {
    throw new Error(`${path.relative(process.cwd(), RUN_HERE_BUNDLE)} is missing: run \`npm run setup\` (it builds the page code)`);
  }
  return zlib.gzipSync(fs.readFileSync(RUN_HERE_BUNDLE), {level: 9}).toString('base64');
}

const STYLE = `
.cnnlab-run-here{border:1px solid #c8d3e0;border-radius:6px;padding:12px 16px;margin:8px 0;background:#f7f9fc;font-size:15px}
.cnnlab-run-here h4{margin:0 0 6px 0}
.cnnlab-run-here button{font-size:15px;padding:5px 14px;margin-right:8px;cursor:pointer}
.cnnlab-run-here [role=progressbar]{width:100%;height:12px;margin:10px 0 4px 0;background:#dde4ee;border-radius:6px;overflow:hidden}
.cnnlab-run-here [data-role=progress]{height:100%;width:0;background:#1f77b4;transition:width .2s}
.cnnlab-run-here [data-role=status]{color:#333;min-height:1.3em}
.cnnlab-run-here [data-role=verdict]{margin-top:8px}
`;

/** The section's text: what runs, on how much, and what the paper predicts. */
function description(config: RunHereConfig): string {
  const t = config.training;
  const [a, b] = config.arms;
  const predicted = predictedText(config.claim);
  return `**Run it here.** ${config.claim.text} (Source: ${config.claim.source}.) Your browser trains ${a.label} ` +
      `(${formatCount(a.macs)} multiply-adds) and ${b.label} (${formatCount(b.macs)} multiply-adds) at ${plural(config.seeds.length, 'paired seed')}, ` +
      `each run on ${formatCount(t.limit!)} Fashion-MNIST training images for ${plural(t.epochs, 'epoch')} and judged on ` +
      `${formatCount(t.testLimit!)} test images: the chapter's recipe at a size a laptop trains in minutes. ` +
      `${predicted[0].toUpperCase()}${predicted.slice(1)}; the verdict uses the book's rule ` +
      `(a paired 95 % interval, equivalence within ±${config.claim.margin} by its 90 % interval).`;
}

/** The section as HTML: controls, the experiment, the images, the page code. */
export function runHereHtml(config: RunHereConfig): string {
  const id = `cnnlab-run-here-${config.chapter}-${config.id}`;
  return `<style>${STYLE}</style>
<div class="cnnlab-run-here" id="${id}">
<h4>Run it here: ${escapeHtml(config.claim.a.label)} against ${escapeHtml(config.claim.b.label)}</h4>
<p>${escapeHtml(description(config).replace(/^\*\*Run it here\.\*\* /, ''))}</p>
<div><button data-role="estimate">Estimate the time on this machine</button><button data-role="start" disabled>Start</button><button data-role="stop" disabled>Stop</button></div>
<div role="progressbar" aria-label="runs done" aria-valuemin="0" aria-valuemax="1" aria-valuenow="0"><div data-role="progress"></div></div>
<div data-role="status">Press "Estimate" first: it times a short run of each network here.</div>
<div data-role="plot"></div>
<div data-role="verdict"></div>
<script type="application/json" data-role="config">${scriptJson(config)}</script>
<script type="application/json" data-role="data">${scriptJson(carriedData(config))}</script>
</div>
<script>(async () => {
  // The page code, gzipped (dist/run-here/run-here.js); once a page, however many sections it has.
  if (!window.cnnlabRunHere) {
    const bytes = Uint8Array.from(atob(${JSON.stringify(bundleGzipBase64())}), c => c.charCodeAt(0));
    const code = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
    // Indirect eval runs it at global scope; a strict-mode bundle keeps its var to itself, so it is handed over.
    (0, eval)(code + ';window.cnnlabRunHere = cnnlabRunHere;');
  }
  cnnlabRunHere.mount(document.getElementById(${JSON.stringify(id)}));
})();</script>`;
}

/**
 * A chapter's "run it here" section, for a notebook cell:
 * `await lab.show(lab.runItHere({chapter: '02', claim: 'between', trainImages: 1536, seeds: 3}))`.
 */
export function runItHere(options: RunHereOptions): Item {
  const config = runHereConfig(options);
  const text = `${description(config)}\n\n*The buttons, the plot and the training run in the HTML report (\`npm run report\`) ` +
      'or in a trusted notebook: this view shows no scripts.*';
  return markdownItem(text, {'text/html': runHereHtml(config), 'application/vnd.cnnlab.run-here+json': config});
}
