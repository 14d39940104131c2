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
 * their gradients, batch norm, ...; lib/bench/kernel-clock.ts). `--by source` instead times
 * whole steps under V8's sampling profiler and splits them by where the
 * time goes: the WebAssembly kernels, TF.js's engine, the JavaScript
 * around the lab's kernels, ... (lib/bench/cpu-profile.ts).
 */
import {parseArgs} from 'node:util';

import * as tf from '@tensorflow/tfjs';

import {initEngine, kernelPoolDispatchMs, parseBackend} from '../lib/engine';
import {BENCH_NETS} from '../lib/bench/nets';
import {positiveInteger} from '../lib/bench/options';
import {STEP_BATCH, benchNetNamed, trainingStep} from '../lib/bench/training-step';
import {SOURCES, profileBySource} from '../lib/bench/cpu-profile';
import {KERNEL_CATEGORIES, type KernelTime, clockKernels} from '../lib/bench/kernel-clock';

const {values} = parseArgs({options: {
  backend: {type: 'string', default: 'wasm'},
  nets: {type: 'string', default: BENCH_NETS.map(n => n.name).join(',')},
  top: {type: 'string', default: '8'},
  // Steps profiled after one warm-up step; the figures are per step.
  steps: {type: 'string', default: '3'},
  by: {type: 'string', default: 'kernel'},
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
  const categoryRows: string[] = [];
  for (const name of values.nets!.split(',')) {
    if (by === 'source') {
      await bySource(name, steps);
      continue;
    }
    if (by === 'clock' || by === 'shape' || by === 'category') {
      const times = byClock(name, steps, top, by === 'clock' ? 'kernel' : by, engine.backend);
      if (by === 'category') categoryRows.push(categoryRow(name, times));
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
  if (categoryRows.length > 0) {
    console.log(`\nms a step (${engine.threads} thread(s)), by what the kernels do:\n`);
    console.log(`| net | step | ${KERNEL_CATEGORIES.join(' | ')} | outside the kernels |`);
    console.log(`|---|${'---:|'.repeat(KERNEL_CATEGORIES.length + 2)}`);
    for (const row of categoryRows) console.log(row);
  }
}

/** A markdown row: the step, each category's time and the time outside the kernels, ms a step. */
function categoryRow(name: string, times: StepTimes): string {
  const ms = (v: number) => v.toFixed(1);
  const byCategory = new Map(times.kernels.map(t => [t.kernel, t.ms]));
  const inKernels = times.kernels.reduce((sum, t) => sum + t.ms, 0);
  return `| ${name} | ${ms(times.stepMs)} | ${KERNEL_CATEGORIES.map(c => ms(byCategory.get(c) ?? 0)).join(' | ')} | ${ms(times.stepMs - inKernels)} |`;
}

const WARM_STEPS = 5;

interface StepTimes {
  stepMs: number;
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
    const times = clock.times(by), inKernels = times.reduce((sum, t) => sum + t.ms, 0) / steps;
    const calls = times.reduce((sum, t) => sum + t.calls, 0) / steps;
    console.log(`\n${name}: ${stepMs.toFixed(1)} ms a step, ${inKernels.toFixed(1)} ms in ${calls.toFixed(0)} kernel calls, `
      + `${(stepMs - inKernels).toFixed(1)} ms outside them (TF.js's engine, layers, autodiff)`);
    const perStep = times.map(t => ({...t, ms: t.ms / steps, calls: t.calls / steps}));
    for (const t of perStep.slice(0, top)) {
      const rate = t.macs == null ? '' : `  ${(t.macs * t.calls / t.ms / 1e6).toFixed(1).padStart(5)} GMAC/s`;
      const label = by === 'shape' ? `${t.kernel} ${t.shapes}` : t.kernel;
      console.log(`  ${label.padEnd(by === 'shape' ? 64 : 40)} ${t.ms.toFixed(2).padStart(7)} ms ${t.calls.toFixed(0).padStart(4)} calls${rate}`);
    }
    return {stepMs, kernels: perStep};
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
