/**
 * What the lab's replacement of some kernels does inside a training step:
 * the named kernels' time a step with the lab's kernels and with
 * tfjs-backend-wasm's own, alternated in one process (whole-step times of
 * identical runs moved by up to 30 % on the shared 2-vCPU machine, so runs
 * in separate processes could not show a few milliseconds). Each round
 * profiles `--steps` steps of each setting, lab first in odd rounds and
 * stock first in even ones; a net's row gives each round's mean, in
 * milliseconds a step. This is how docs/engine.md's "lab / stock" kernel
 * tables are measured.
 *
 * usage: npm run bench:kernel-ab -- --kernels Add,Sub [--nets tiny,condensenet_ch04_28 --rounds 3 --steps 4]
 * Threads follow LAB_THREADS, as for training.
 */
import {parseArgs} from 'node:util';

import * as tf from '@tensorflow/tfjs';

import {initEngine} from '../lib/engine';
import {BENCH_NETS} from '../lib/bench/nets';
import {positiveInteger} from '../lib/bench/options';
import {benchNetNamed, inAlternatedRounds, trainingStep} from '../lib/bench/training-step';
import {WASM_KERNELS, withStockWasmKernel} from '../packages/tfjs-backend-wasm-train/src/kernels/wasm-replacements';

const {values} = parseArgs({options: {
  kernels: {type: 'string'},
  nets: {type: 'string', default: BENCH_NETS.map(n => n.name).join(',')},
  rounds: {type: 'string', default: '3'},
  steps: {type: 'string', default: '4'},
}});

/** Runs `body` with tfjs-backend-wasm's own kernels in place of the lab's `names`. */
function withStockKernels<T>(names: readonly string[], body: () => Promise<T>): Promise<T> {
  return names.reduceRight<() => Promise<T>>((inner, name) => () => withStockWasmKernel(name, inner), body)();
}

async function main(): Promise<void> {
  const names = (values.kernels ?? '').split(',').filter(n => n !== '');
  const replaced = Object.keys(WASM_KERNELS);
  const unknown = names.filter(n => !replaced.includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--kernels: give the lab's kernels to compare (${unknown.length > 0 ? `'${unknown.join(', ')}' not among them` : 'none given'}); ` +
                    `those that replace a stock kernel: ${replaced.join(', ')}`);
  }
  const rounds = positiveInteger('rounds', values.rounds!);
  const steps = positiveInteger('steps', values.steps!);
  const engine = await initEngine('wasm');
  console.log(`${names.join(' + ')}: kernel time a step (ms, mean of ${steps} profiled steps), ${rounds} alternated round(s), ` +
              `${engine.threads} thread(s), ${engine.device}\n`);
  console.log('| net | threads | lab | stock |\n|---|---:|---|---|');
  for (const name of values.nets!.split(',')) {
    const step = trainingStep(benchNetNamed(name));
    const measured: Record<'lab' | 'stock', string[]> = {lab: [], stock: []};
    const measure = async (setting: 'lab' | 'stock') => {
      step.run();  // the setting's own warm-up: the stock kernels build their XNNPACK operators
      let total = 0;
      for (let s = 0; s < steps; s++) {
        const info = await tf.profile(() => step.runKeeping());
        total += info.kernels.filter(k => names.includes(k.name)).reduce((sum, k) => sum + (k.kernelTimeMs as number), 0);
      }
      measured[setting].push((total / steps).toFixed(2));
    };
    await inAlternatedRounds(rounds, ['lab', 'stock'] as const,
        setting => setting === 'stock' ? withStockKernels(names, () => measure('stock')) : measure('lab'));
    console.log(`| ${name} | ${engine.threads} | ${measured.lab.join(', ')} | ${measured.stock.join(', ')} |`);
    step.dispose();
  }
}

main().catch(error => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
