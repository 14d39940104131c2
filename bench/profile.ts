/**
 * Where a training step's time goes, by kernel: one step of each benchmark
 * net (batch 64, Adam, synthetic data) under `tf.profile`, kernel times summed
 * by name. This is how docs/engine.md's profiles were taken.
 *
 * usage: npm run bench:profile [-- --backend wasm --nets tiny,... --top 8 --steps 3 --by kernel|clock|shape|category|source]
 * Threads follow LAB_THREADS, as for training. `--by clock` times every
 * kernel call with a clock around it instead of `tf.profile` (which inflates
 * small kernels on wasm), and says how much of the step is outside the
 * kernels; `--by shape` does the same by kernel and input shapes, with each
 * convolution's rate in GMAC/s, `--by category` by what the kernels do (convolutions,
 * their gradients, batch norm, ...; lib/bench/kernel-clock.ts), and with `--against pytorch`
 * PyTorch's profiled step of the same net in the same categories beside it
 * (bench/torch_categories_peer.py; Debian's python3-torch). `--by category`
 * writes its rows and tables to bench/results/profile-categories-<threads>t.json. `--by source` instead times
 * whole steps under V8's sampling profiler and splits them by where the
 * time goes: the WebAssembly kernels, TF.js's engine, the JavaScript
 * around the lab's kernels, ... (lib/bench/cpu-profile.ts).
 */
import {spawnSync} from 'node:child_process';
import * as os from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';

import * as tf from '@tensorflow/tfjs';

import {initEngine, kernelPoolDispatchMs, parseBackend} from '../lib/engine';
import {BENCH_NETS} from '../lib/bench/nets';
import {positiveInteger} from '../lib/bench/options';
import {lastJsonLine} from '../lib/bench/child-output';
import {torchVersion} from '../lib/bench/speed';
import {REPO_ROOT} from '../lib/root';
import {thisCpu} from '../lib/bench/machine';
import {writeFileAtomic} from '../lib/results';
import {STEP_BATCH, benchNetNamed, trainingStep} from '../lib/bench/training-step';
import {SOURCES, profileBySource} from '../lib/bench/cpu-profile';
import {KERNEL_CATEGORIES, type KernelCategory, type KernelTime, clockKernels} from '../lib/bench/kernel-clock';

const {values} = parseArgs({options: {
  backend: {type: 'string', default: 'wasm'},
  nets: {type: 'string', default: BENCH_NETS.map(n => n.name).join(',')},
  top: {type: 'string', default: '8'},
  // Steps profiled after one warm-up step; the figures are per step.
  steps: {type: 'string', default: '3'},
  by: {type: 'string', default: 'kernel'},
  // With --by category: PyTorch's step of the same net in the same categories (bench/torch_categories_peer.py).
  against: {type: 'string'},
  python: {type: 'string', default: '/usr/bin/python3'},
}});

/**
 * tf.profile times a tf.customGrad call as a whole, named 'unnamed scope'
 * (the lab's batch norm) or after its op ('fusedConv2d__op'), so that row
 * repeats the kernels inside it: it is not extra time.
 */
function kernelLabel(name: string): string {
  if (name === 'unnamed scope') return 'customGrad wrapper (repeats its kernels)';
  return name.endsWith('__op') ? `${name} (wrapper, repeats its kernels)` : name;
}

async function main(): Promise<void> {
  const engine = await initEngine(parseBackend(values.backend!));
  const top = positiveInteger('top', values.top!);
  const steps = positiveInteger('steps', values.steps!);
  const by = values.by!;
  if (!['kernel', 'clock', 'shape', 'category', 'source'].includes(by)) {
    throw new Error(`--by must be 'kernel', 'clock', 'shape', 'category' or 'source', got '${by}'`);
  }
  console.log(`backend ${engine.backend} (${engine.device}), ${engine.threads} thread(s), batch ${STEP_BATCH}, ${steps} step(s)`);
  const against = values.against;
  if (against != null && (against !== 'pytorch' || by !== 'category')) {
    throw new Error(`--against takes 'pytorch', with --by category; got --against '${against}' --by '${by}'`);
  }
  if (against != null && torchVersion(values.python!) == null) {
    throw new Error(`--against pytorch: no PyTorch at ${values.python} (apt-get install python3-torch, or pass --python)`);
  }
  const categoryRows: string[] = [], comparedRows: string[] = [];
  const stored: StoredRow[] = [];
  for (const name of values.nets!.split(',')) {
    if (by === 'source') {
      await bySource(name, steps);
      continue;
    }
    if (by === 'clock' || by === 'shape' || by === 'category') {
      const times = byClock(name, steps, top, by === 'clock' ? 'kernel' : by, engine.backend);
      if (by !== 'category') continue;
      categoryRows.push(categoryRow(name, times));
      const peer = against == null ? null : pytorchStep(values.python!, name, engine.threads, steps);
      if (peer != null) comparedRows.push(comparedRow(name, times, peer));
      stored.push({net: name, stepMs: times.stepMs, inKernelsMs: times.inKernelsMs,
                   categoryMs: Object.fromEntries(times.kernels.map(t => [t.kernel, t.ms])), pytorch: peer});
      continue;
    }
    const step = trainingStep(benchNetNamed(name));  // its first step warms up XNNPACK's operators and Adam's slots
    const byKernel = new Map<string, number>();
    const started = performance.now();
    for (let s = 0; s < steps; s++) {
      const info = await tf.profile(() => step.runKeeping());
      for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    }
    const stepMs = (performance.now() - started) / steps;
    const ranked = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, top);
    console.log(`\n${name}: ${stepMs.toFixed(0)} ms a step (profiled)`);
    for (const [kernel, ms] of ranked) console.log(`  ${kernelLabel(kernel).padEnd(44)} ${(ms / steps).toFixed(1).padStart(8)} ms`);
    step.dispose();
  }
  const tables: string[] = [];
  if (categoryRows.length > 0) {
    tables.push([`ms a step (${engine.threads} thread(s)), by what the kernels do:`, '',
                 `| net | step | ${KERNEL_CATEGORIES.join(' | ')} | outside the kernels |`,
                 `|---|${'---:|'.repeat(KERNEL_CATEGORIES.length + 2)}`, ...categoryRows].join('\n'));
  }
  if (comparedRows.length > 0) {
    tables.push([`ms a step (${engine.threads} thread(s)), the lab's engine / PyTorch (profiled steps; its profiler adds about a tenth):`, '',
                 `| net | step | ${COMPARED.map(c => c.label).join(' | ')} | outside the kernels |`,
                 `|---|${'---:|'.repeat(COMPARED.length + 2)}`, ...comparedRows].join('\n'));
  }
  for (const table of tables) console.log(`\n${table}`);
  if (stored.length > 0) {
    const file = path.join(REPO_ROOT, 'bench', 'results', `profile-categories-${engine.threads}t.json`);
    writeFileAtomic(file, JSON.stringify({date: new Date().toISOString(), machine: `${thisCpu()}, ${os.cpus().length} cores`,
                                          device: engine.device, threads: engine.threads, steps, rows: stored, tables}, null, 1) + '\n');
    console.log(`\nwrote ${path.relative(REPO_ROOT, file)}`);
  }
}

/** One net's row of `--by category`, as bench/results/profile-categories-<threads>t.json keeps it (ms a step). */
interface StoredRow {
  net: string;
  stepMs: number;
  inKernelsMs: number;
  categoryMs: Record<string, number>;
  pytorch: PeerStep | null;
}

interface PeerStep {
  stepMs: number;
  unprofiledStepMs: number;
  categoryMs: Partial<Record<KernelCategory, number>>;
}

/** PyTorch's profiled steps of `name`, by category (bench/torch_categories_peer.py). */
function pytorchStep(python: string, name: string, threads: number, steps: number): PeerStep {
  const [height, , channels] = benchNetNamed(name).input;
  const script = path.join(REPO_ROOT, 'bench', 'torch_categories_peer.py');
  const r = spawnSync(python, [script, name, String(height), String(channels), String(threads), String(steps)],
                      {encoding: 'utf8', cwd: path.dirname(script)});
  if (r.status !== 0) throw new Error(`PyTorch's profile of ${name} failed: ${r.stderr.slice(-800)}`);
  return lastJsonLine<PeerStep>(r.stdout, `PyTorch's profile of ${name}`);
}

/** The columns of the comparison: the large categories alone, the rest together. */
const COMPARED: Array<{label: string; categories: readonly KernelCategory[]}> = [
  {label: 'convolutions, forward', categories: ['convolutions, forward']},
  {label: 'convolution gradients', categories: ['convolution gradients']},
  {label: 'batch norm', categories: ['batch norm']},
  {label: 'other kernels', categories: KERNEL_CATEGORIES.filter(c => !['convolutions, forward', 'convolution gradients', 'batch norm'].includes(c))},
];

/** A markdown row of the lab's and PyTorch's steps side by side, ms a step. */
function comparedRow(name: string, lab: StepTimes, peer: PeerStep): string {
  const labMs = new Map(lab.kernels.map(t => [t.kernel, t.ms]));
  const sum = (get: (c: KernelCategory) => number, categories: readonly KernelCategory[]) => categories.reduce((a, c) => a + get(c), 0);
  const labOf = (c: KernelCategory) => labMs.get(c) ?? 0, peerOf = (c: KernelCategory) => peer.categoryMs[c] ?? 0;
  const pair = (a: number, b: number) => `${a.toFixed(1)} / ${b.toFixed(1)}`;
  const cells = COMPARED.map(col => pair(sum(labOf, col.categories), sum(peerOf, col.categories)));
  const outside = pair(lab.stepMs - lab.inKernelsMs, peer.stepMs - sum(peerOf, KERNEL_CATEGORIES));
  return `| ${name} | ${pair(lab.stepMs, peer.stepMs)} | ${cells.join(' | ')} | ${outside} |`;
}

/** A markdown row: the step, each category's time and the time outside the kernels, ms a step. */
function categoryRow(name: string, times: StepTimes): string {
  const ms = (v: number) => v.toFixed(1);
  const byCategory = new Map(times.kernels.map(t => [t.kernel, t.ms]));
  return `| ${name} | ${ms(times.stepMs)} | ${KERNEL_CATEGORIES.map(c => ms(byCategory.get(c) ?? 0)).join(' | ')} | ${ms(times.stepMs - times.inKernelsMs)} |`;
}

const WARM_STEPS = 5;

interface StepTimes {
  stepMs: number;
  /** Milliseconds a step inside kernels, all of them. */
  inKernelsMs: number;
  /** Each kernel's (shape's, category's) milliseconds and calls a step. */
  kernels: KernelTime[];
}

/** One net's steps with a clock around every kernel call, milliseconds a step by kernel, shape or category. */
function byClock(name: string, steps: number, top: number, by: 'kernel' | 'shape' | 'category', backend: string): StepTimes {
  const step = trainingStep(benchNetNamed(name));
  // Warm steps: V8 tiers up the generated kernels' modules and TF.js's code over the first few
  // (the tiny net's first five clocked steps after one warm step took twice the next twenty's).
  for (let s = 0; s < WARM_STEPS; s++) step.run();
  const clock = clockKernels(backend);
  try {
    const started = performance.now();
    for (let s = 0; s < steps; s++) step.run();
    const stepMs = (performance.now() - started) / steps;
    const perStep = clock.times(by).map(t => ({...t, ms: t.ms / steps, calls: t.calls / steps}));
    const inKernelsMs = perStep.reduce((sum, t) => sum + t.ms, 0), calls = perStep.reduce((sum, t) => sum + t.calls, 0);
    console.log(`\n${name}: ${stepMs.toFixed(1)} ms a step, ${inKernelsMs.toFixed(1)} ms in ${calls.toFixed(0)} kernel calls, `
      + `${(stepMs - inKernelsMs).toFixed(1)} ms outside them (TF.js's engine, layers, autodiff)`);
    for (const t of perStep.slice(0, top)) {
      const rate = t.macs == null ? '' : `  ${(t.macs * t.calls / t.ms / 1e6).toFixed(1).padStart(5)} GMAC/s`;
      const label = by === 'shape' ? `${t.kernel} ${t.shapes}` : t.kernel;
      console.log(`  ${label.padEnd(by === 'shape' ? 64 : 40)} ${t.ms.toFixed(2).padStart(7)} ms ${t.calls.toFixed(0).padStart(4)} calls${rate}`);
    }
    return {stepMs, inKernelsMs, kernels: perStep};
  } finally {
    clock.stop();
    step.dispose();
  }
}

/** One net's steps under the sampling profiler, milliseconds a step by source. */
async function bySource(name: string, steps: number): Promise<void> {
  const step = trainingStep(benchNetNamed(name));
  step.run();  // a second warm step: the generated kernels' modules tier up
  const started = performance.now();
  const bySource = await profileBySource(() => step.run(), steps);
  const stepMs = (performance.now() - started) / steps;
  const sampled = [...bySource.values()].reduce((a, b) => a + b, 0);
  console.log(`\n${name}: ${stepMs.toFixed(1)} ms a step under the profiler, ${sampled.toFixed(1)} sampled on this thread`);
  for (const [source, ms] of bySource) {
    if (ms > 0) console.log(`  ${source.padEnd(58)} ${ms.toFixed(1).padStart(7)} ms  ${(100 * ms / sampled).toFixed(0).padStart(3)} %`);
  }
  // The profiler's sampling thread competes for the second core, so the pool's row above is
  // inflated at two threads; the pool's own clock, over as many steps without the profiler, is not.
  if ((bySource.get(SOURCES[5]) ?? 0) > 0) {
    const dispatchedBefore = kernelPoolDispatchMs(), unprofiledFrom = performance.now();
    for (let s = 0; s < steps; s++) step.run();
    const unprofiledMs = (performance.now() - unprofiledFrom) / steps, dispatchMs = (kernelPoolDispatchMs() - dispatchedBefore) / steps;
    console.log(`  without the profiler: ${unprofiledMs.toFixed(1)} ms a step, of which the kernel pool's dispatch (its own clock) ${dispatchMs.toFixed(1)} ms`);
  }
  step.dispose();
}

main().catch(error => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
