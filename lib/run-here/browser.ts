/**
 * The page side of a report's "run it here" section (section.ts writes it;
 * scripts/build-run-here.cjs bundles this file with TF.js and
 * tfjs-backend-wasm-train into dist/run-here/run-here.js).
 *
 * `mount(root)` reads the experiment and the images the section carries,
 * and wires its buttons: "Estimate" times a short run of each arm and says
 * how long the experiment will take here; "Start" trains every run on the
 * wasm backend (WebAssembly SIMD, one thread: a report opened from a file
 * cannot be cross-origin isolated), filling the plot in as runs finish and
 * judging the pairs by the book's rule; "Stop" abandons the run under way.
 * Nothing is fetched: TF.js's wasm binary and the images are in the page.
 */
import * as tf from '@tensorflow/tfjs';
import {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import {kernelBuild} from 'tfjs-backend-wasm-train';

import {ImageSet} from '../data/dataset';
import {formatDuration, plural} from '../display/format';
import {plotFigure} from './plot';
import {Estimate, RunHereConfig, RunOutcome, RunStopped, estimate, judge, runsOf, smokeConfig, trainRun} from './runner';

/** What section.ts writes into the page beside the experiment. */
export interface CarriedData {
  /** gzip of the training images, training labels, test images, test labels, in that order, base64. */
  images: string;
  train: number;
  test: number;
  height: number;
  width: number;
  classNames: string[];
  /** tfjs-backend-wasm's SIMD binary, base64. */
  wasm: string;
}

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function setsOf(data: CarriedData): Promise<{train: ImageSet; test: ImageSet}> {
  const all = await gunzip(bytesOf(data.images));
  const pixels = data.height * data.width;
  let at = 0;
  const take = (n: number) => all.subarray(at, at += n);
  const set = (name: string, count: number): ImageSet => ({
    name, images: take(count * pixels), labels: new Uint8Array(0), count, height: data.height, width: data.width, channels: 1,
    classNames: data.classNames,
  });
  const train = set('fashion-mnist (carried)', data.train);
  train.labels = take(data.train);
  const test = set('fashion-mnist test (carried)', data.test);
  test.labels = take(data.test);
  if (at !== all.length) throw new Error(`the carried images hold ${all.length} bytes, expected ${at}`);
  return {train, test};
}

let engine: Promise<{backend: string; device: string}> | null = null;

/** The wasm backend on the binary the page carries, once a page. */
function startEngine(wasmBase64: string): Promise<{backend: string; device: string}> {
  engine ??= (async () => {
    tf.env().set('PROD', true);
    // Only the SIMD binary travels: the threaded one needs a cross-origin isolated page, which a file is not.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const url = URL.createObjectURL(new Blob([bytesOf(wasmBase64)], {type: 'application/wasm'}));
    setWasmPaths({'tfjs-backend-wasm-simd.wasm': url, 'tfjs-backend-wasm.wasm': url, 'tfjs-backend-wasm-threaded-simd.wasm': url});
    if (!(await tf.setBackend('wasm'))) throw new Error('TF.js could not start its WebAssembly backend in this browser');
    await tf.ready();
    return {backend: 'wasm', device: 'WebAssembly SIMD in this browser, one thread'};
  })();
  return engine;
}

/** Lets the page paint and take clicks between training steps, at most every `ms`. */
function breather(ms = 100): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < ms) return;
    await new Promise(resolve => setTimeout(resolve, 0));
    last = performance.now();
  };
}

interface Elements {
  estimate: HTMLButtonElement;
  start: HTMLButtonElement;
  stop: HTMLButtonElement;
  /** The bar inside the progress track: its width is the share done. */
  progress: HTMLElement;
  status: HTMLElement;
  plot: HTMLElement;
  verdict: HTMLElement;
}

function elementsOf(root: HTMLElement): Elements {
  const find = <T extends HTMLElement>(role: string) => {
    const element = root.querySelector<T>(`[data-role="${role}"]`);
    if (element == null) throw new Error(`run-it-here section: no element with data-role="${role}"`);
    return element;
  };
  return {estimate: find('estimate'), start: find('start'), stop: find('stop'), progress: find('progress'),
          status: find('status'), plot: find('plot'), verdict: find('verdict')};
}

/** Waits for plotly.js, which the report's first figure inlines; null if it never comes. */
async function plotly(timeoutMs = 20_000): Promise<PlotlyLike | null> {
  const started = performance.now();
  for (;;) {
    const found = (window as unknown as {Plotly?: PlotlyLike}).Plotly;
    if (found != null) return found;
    if (performance.now() - started > timeoutMs) return null;
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

interface PlotlyLike {
  react(element: HTMLElement, data: unknown[], layout: object, config: object): Promise<unknown>;
}

/** Reads the section's experiment and images and wires its buttons. */
export function mount(root: HTMLElement): void {
  const read = (role: string) => JSON.parse(root.querySelector(`script[data-role="${role}"]`)!.textContent!) as unknown;
  const smoke = new URLSearchParams(location.search).get('run-here') === 'smoke';
  const full = read('config') as RunHereConfig;
  const config = smoke ? smokeConfig(full) : full;
  const data = read('data') as CarriedData;
  const ui = elementsOf(root);
  const outcomes: RunOutcome[] = [];
  let sets: {train: ImageSet; test: ImageSet} | null = null;
  let stopRequested = false;
  let estimated: Estimate | null = null;

  // ?run-here=smoke (the tests): every run on a few images, said on every status line.
  const setProgress = (share: number) => {
    ui.progress.style.width = `${(100 * share).toFixed(1)}%`;
    ui.progress.parentElement!.setAttribute('aria-valuenow', share.toFixed(3));
  };
  const status = (text: string) => { ui.status.textContent = smoke ? `Smoke size (${config.training.limit} training images, ` +
      `${config.seeds.length} seeds): ${text}` : text; };
  const prepare = async () => {
    const started = await startEngine(data.wasm);
    sets ??= await setsOf(data);
    return started;
  };
  const redraw = async () => {
    const Plotly = await plotly();
    if (Plotly == null) {
      ui.plot.textContent = 'plotly.js is not on this page: the runs are listed below instead.';
      return;
    }
    const figure = plotFigure(config, outcomes);
    await Plotly.react(ui.plot, figure.data, figure.layout, {displaylogo: false, responsive: true});
  };
  const showVerdict = () => {
    const judged = judge(config, outcomes);
    const finished = outcomes.map(o => `${config.arms[o.arm].label}, seed ${o.seed}: ${(o.accuracy * 100).toFixed(1)} %`).join('; ');
    ui.verdict.textContent = (judged == null ? 'The verdict needs both arms at two seeds or more. ' : `${judged.sentence} `) +
        (finished ? `Runs so far: ${finished}.` : '');
  };
  const fail = (error: unknown) => {
    status(`Could not run here: ${(error as Error).message}`);
    ui.estimate.disabled = false;
    ui.start.disabled = false;
    ui.stop.disabled = true;
  };

  ui.estimate.addEventListener('click', () => {
    ui.estimate.disabled = true;
    ui.start.disabled = true;
    status('Timing a short run of each network on this machine…');
    (async () => {
      const engineInfo = await prepare();
      const step = breather();
      estimated = await estimate(config, sets!, {engine: engineInfo, onStep: step});
      status(`The experiment will take ${estimated.text}; the kernels run as ${kernelBuild()} WebAssembly.`);
      ui.start.textContent = `Start (${formatDuration(estimated.total)})`;
      ui.start.disabled = false;
      ui.estimate.disabled = false;
    })().catch(fail);
  });

  ui.stop.addEventListener('click', () => {
    stopRequested = true;
    ui.stop.disabled = true;
    status('Stopping after this training step…');
  });

  ui.start.addEventListener('click', () => {
    ui.start.disabled = true;
    ui.estimate.disabled = true;
    ui.stop.disabled = false;
    stopRequested = false;
    outcomes.length = 0;
    (async () => {
      const engineInfo = await prepare();
      const runs = runsOf(config);
      const started = performance.now();
      const step = breather();
      await redraw();
      for (const [index, run] of runs.entries()) {
        const label = `run ${index + 1} of ${runs.length}: ${config.arms[run.arm].label}, seed ${run.seed}`;
        status(`Training ${label}…`);
        try {
          outcomes.push(await trainRun(config, sets!, run, {
            engine: engineInfo,
            async onStep(done) {
              setProgress((index + done) / runs.length);
              await step();
              if (stopRequested) throw new RunStopped();
            },
          }));
        } catch (error) {
          if (error instanceof RunStopped) {
            status(`Stopped during ${label}; ${plural(outcomes.length, 'run')} finished.`);
            ui.stop.disabled = true;
            ui.start.disabled = false;
            ui.estimate.disabled = false;
            showVerdict();
            return;
          }
          throw error;
        }
        setProgress((index + 1) / runs.length);
        await redraw();
        showVerdict();
      }
      status(`Done: ${runs.length} runs in ${formatDuration((performance.now() - started) / 1000)}` +
             (estimated ? ` (estimated ${formatDuration(estimated.total)}).` : '.'));
      root.dataset['state'] = 'done';
      ui.stop.disabled = true;
      ui.start.disabled = false;
      ui.estimate.disabled = false;
    })().catch(fail);
  });
}
