/**
 * What the lab's generated convolutions (packages/tfjs-backend-wasm-train,
 * kernels/direct-conv.ts and kernels/direct-filter-grad.ts) do to whole
 * training steps: step times with them and without, alternated in one
 * process (whole-step times of identical runs in separate processes moved
 * by up to 40 % on the shared 2-vCPU machine). Without means either
 * XNNPACK's convolutions wherever the generated forward kernel would run,
 * forward passes and the input gradients' convolutions alike (`--against
 * xnnpack`), XNNPACK's only below a raised floor of output channels
 * (`--against floor16`: the narrow 4- and 8-channel tiles against XNNPACK),
 * or the filter gradient's routes before its generated kernel (`--against
 * taps`: products per tap, XNNPACK's convolution), or the direct
 * convolution where Winograd's runs (`--against direct`: 3x3 stride-1
 * convolutions of 8 or more channels, kernels/winograd-conv.ts), or
 * Winograd's route at stride 1 only (`--against stride2`: the direct
 * kernel where stride 2's scheme pays, kernels/winograd-conv.ts), or
 * Winograd's filter gradient over the whole batch where it runs chunk by
 * chunk of images (`--against chunks`), or the direct
 * convolution where Winograd's runs grouped convolutions (`--against
 * grouped`), or TF.js's own clones of the tensors gradients save where
 * the package shares them (`--against clones`, kernels/identity.ts), or
 * the stock Cast, which copies where the package's shares (`--against
 * cast`), or each ReLU after a batch norm as its own layer's kernels where
 * batch norm's apply it (`--against activations`), or XNNPACK's depthwise
 * convolution and the earlier input gradient where the generated 3x3
 * depthwise kernel runs (`--against depthwise`), or TF.js's own gradient
 * of Mean (ones, a product, a quotient) where the package's one kernel
 * runs (`--against mean`), or tfjs-backend-wasm's MaxPool (XNNPACK's)
 * where the package's runs (`--against maxpool`), or every lab kernel on the calling thread
 * where the kernel pool splits them (`--against pool`, two threads or
 * more). Each round times
 * `--steps` steps of each setting, the lab's first in odd rounds; a net's
 * row gives each round's median step in milliseconds. docs/engine.md's
 * whole-step tables of the generated kernels are measured this way.
 *
 * usage: npm run bench:direct-conv -- [--against xnnpack|floor16|taps|direct|stride2|chunks|grouped|clones|cast|activations|depthwise|mean|maxpool|pool] [--nets tiny,... --rounds 3 --steps 5]
 * Threads follow LAB_THREADS, as for training.
 */
import {parseArgs} from 'node:util';

import * as tf from '@tensorflow/tfjs';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {initEngine} from '../lib/engine';
import {BENCH_NETS} from '../lib/bench/nets';
import {positiveInteger} from '../lib/bench/options';
import {benchNetNamed, inAlternatedRounds, trainingStep} from '../lib/bench/training-step';
import {median} from '../lib/results/stats';
import {withSeparateActivations} from '../lib/layers/batch-norm';
import {setDirectConvolutionFloor, withoutDirectConvolution} from '../packages/tfjs-backend-wasm-train/src/kernels/direct-conv';
import {withoutDirectFilterGradient} from '../packages/tfjs-backend-wasm-train/src/kernels/direct-filter-grad';
import {
  setWinogradFilterChunk, setWinogradStrides, withoutGroupedWinograd, withoutWinograd,
} from '../packages/tfjs-backend-wasm-train/src/kernels/winograd-conv';
import {withStockClones} from '../packages/tfjs-backend-wasm-train/src/kernels/identity';
import {withoutGeneratedDepthwise} from '../packages/tfjs-backend-wasm-train/src/kernels/depthwise-conv';
import {withStockWasmKernel} from '../packages/tfjs-backend-wasm-train/src/kernels/wasm-replacements';
import {withStockMeanGradient} from '../packages/tfjs-backend-wasm-train/src/kernels/mean-grad';
import {kernelPoolFor, useKernelPool} from '../packages/tfjs-backend-wasm-train/src/wasm/kernel-pool';

const AGAINST = ['xnnpack', 'floor16', 'taps', 'direct', 'stride2', 'chunks', 'grouped', 'clones', 'cast', 'activations', 'depthwise', 'mean',
                 'maxpool', 'pool'] as const;
type Against = typeof AGAINST[number];

const {values} = parseArgs({options: {
  against: {type: 'string', default: 'xnnpack'},
  nets: {type: 'string', default: BENCH_NETS.map(n => n.name).join(',')},
  rounds: {type: 'string', default: '3'},
  steps: {type: 'string', default: '5'},
}});

/** Runs `body` with a package setting switched to the other route, and back after. */
type Without = <T>(body: () => Promise<T>) => Promise<T>;

/** Runs `body` between `set` and `reset` (a package setting), resetting whatever happens. */
function whileSet(set: () => void, reset: () => void): Without {
  return async body => {
    set();
    try {
      return await body();
    } finally {
      reset();
    }
  };
}

/** Each comparison: what the lab runs by default, what it runs instead, and how to switch to that. */
const SETTINGS: Record<Against, {ours: string; theirs: string; without: Without}> = {
  xnnpack: {ours: 'the generated convolution', theirs: 'XNNPACK\'s convolutions', without: withoutDirectConvolution},
  floor16: {ours: 'the generated convolution', theirs: 'XNNPACK\'s below 16 output channels',
            without: whileSet(() => setDirectConvolutionFloor(16), () => setDirectConvolutionFloor())},
  taps: {ours: 'the generated filter gradient', theirs: 'the filter gradient\'s routes before the generated one (per-tap products, XNNPACK)',
         without: withoutDirectFilterGradient},
  direct: {ours: 'the generated convolution', theirs: 'the direct convolution where Winograd\'s runs', without: withoutWinograd},
  stride2: {ours: 'the generated convolution', theirs: 'the direct convolution where Winograd\'s runs at stride 2',
            without: whileSet(() => setWinogradStrides([1]), () => setWinogradStrides())},
  chunks: {ours: 'Winograd\'s filter gradient chunk by chunk', theirs: 'Winograd\'s filter gradient over the whole batch at once',
           without: whileSet(() => setWinogradFilterChunk('whole'), () => setWinogradFilterChunk())},
  grouped: {ours: 'the generated convolution', theirs: 'the direct convolution where Winograd\'s runs grouped convolutions',
            without: withoutGroupedWinograd},
  clones: {ours: 'shared clones', theirs: 'TF.js\'s own clones of the tensors gradients save (an Identity call and a tape node each)',
           without: withStockClones},
  cast: {ours: 'the sharing Cast', theirs: 'tfjs-backend-wasm\'s Cast, a copy even to the same dtype',
         without: body => withStockWasmKernel('Cast', body)},
  activations: {ours: 'batch norm applying the ReLU after it', theirs: 'each ReLU after a batch norm as its own kernels',
                without: withSeparateActivations},
  depthwise: {ours: 'the generated 3x3 depthwise convolution', theirs: 'XNNPACK\'s depthwise convolution and the direct input gradient',
              without: withoutGeneratedDepthwise},
  mean: {ours: 'Mean\'s gradient as one kernel', theirs: 'TF.js\'s gradient of Mean (ones, a product, a quotient)', without: withStockMeanGradient},
  maxpool: {ours: 'the lab\'s max pool', theirs: 'tfjs-backend-wasm\'s MaxPool (XNNPACK on its thread pool)',
            without: body => withStockWasmKernel('MaxPool', body)},
  pool: {ours: 'the kernel pool', theirs: 'every lab kernel on the calling thread (XNNPACK keeps its threads)', without: withoutKernelPool},
};

/** Runs `body` with the lab's kernels on the calling thread (what LAB_KERNEL_POOL=off does, switched in this process). */
async function withoutKernelPool<T>(body: () => Promise<T>): Promise<T> {
  const pool = kernelPoolFor(tf.backend() as BackendWasm);
  return whileSet(() => useKernelPool(null), () => useKernelPool(pool))(body);
}

async function main(): Promise<void> {
  const against = values.against as Against;
  if (!AGAINST.includes(against)) throw new Error(`--against: '${values.against}' is not one of ${AGAINST.join(', ')}`);
  const rounds = positiveInteger('rounds', values.rounds!);
  const steps = positiveInteger('steps', values.steps!);
  const engine = await initEngine('wasm');
  const {ours, theirs, without} = SETTINGS[against];
  console.log(`${ours} against ${theirs}: ` +
              `median step (ms, batch 64, ${steps} steps), ${rounds} alternated round(s), ${engine.threads} thread(s), ${engine.device}\n`);
  console.log(`| net | threads | lab | ${against} |\n|---|---:|---|---|`);
  for (const name of values.nets!.split(',')) {
    const step = trainingStep(benchNetNamed(name));
    const measured: Record<'lab' | 'other', string[]> = {lab: [], other: []};
    const measure = async (setting: 'lab' | 'other') => {
      step.run();  // the setting's own warm-up: XNNPACK builds its operators, the lab compiles its geometries
      const times: number[] = [];
      for (let s = 0; s < steps; s++) {
        const start = performance.now();
        step.run();
        times.push(performance.now() - start);
      }
      measured[setting].push(median(times).toFixed(1));
    };
    await inAlternatedRounds(rounds, ['lab', 'other'] as const,
        setting => setting === 'other' ? without(() => measure('other')) : measure('lab'));
    console.log(`| ${name} | ${engine.threads} | ${measured.lab.join(', ')} | ${measured.other.join(', ')} |`);
    step.dispose();
  }
}

main().catch(error => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
