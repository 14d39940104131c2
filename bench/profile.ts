/**
 * Where a training step's time goes, by kernel: one step of each benchmark
 * net (batch 64, Adam, synthetic data) under `tf.profile`, kernel times summed
 * by name. This is how docs/engine.md's profiles were taken.
 *
 * usage: npm run bench:profile [-- --backend wasm --nets tiny,... --top 8 --steps 3 --by kernel|source]
 * Threads follow LAB_THREADS, as for training. `--by source` instead times
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
  if (values.by !== 'kernel' && values.by !== 'source') throw new Error(`--by must be 'kernel' or 'source', got '${values.by}'`);
  console.log(`backend ${engine.backend} (${engine.device}), ${engine.threads} thread(s), batch ${STEP_BATCH}, ${steps} step(s)`);
  for (const name of values.nets!.split(',')) {
    if (values.by === 'source') {
      await bySource(name, steps);
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
