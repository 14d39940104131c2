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
 * runs (`--against mean`). Each round times
 * `--steps` steps of each setting, the lab's first in odd rounds; a net's
 * row gives each round's median step in milliseconds. docs/engine.md's
 * whole-step tables of the generated kernels are measured this way.
 *
 * usage: npm run bench:direct-conv -- [--against xnnpack|floor16|taps|direct|stride2|chunks|grouped|clones|cast|activations|depthwise|mean] [--nets tiny,... --rounds 3 --steps 5]
 * Threads follow LAB_THREADS, as for training.
 */
import {parseArgs} from 'node:util';

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

const AGAINST = ['xnnpack', 'floor16', 'taps', 'direct', 'stride2', 'chunks', 'grouped', 'clones', 'cast', 'activations', 'depthwise', 'mean'] as const;
type Against = typeof AGAINST[number];

const {values} = parseArgs({options: {
  against: {type: 'string', default: 'xnnpack'},
  nets: {type: 'string', default: BENCH_NETS.map(n => n.name).join(',')},
  rounds: {type: 'string', default: '3'},
  steps: {type: 'string', default: '5'},
}});

/** Runs `body` with the generated convolution where `against` says XNNPACK's runs instead. */
async function withoutIt<T>(against: Against, body: () => Promise<T>): Promise<T> {
  if (against === 'xnnpack') return withoutDirectConvolution(body);
  if (against === 'taps') return withoutDirectFilterGradient(body);
  if (against === 'direct') return withoutWinograd(body);
  if (against === 'grouped') return withoutGroupedWinograd(body);
  if (against === 'clones') return withStockClones(body);
  if (against === 'cast') return withStockWasmKernel('Cast', body);
  if (against === 'activations') return withSeparateActivations(body);
  if (against === 'depthwise') return withoutGeneratedDepthwise(body);
  if (against === 'mean') return withStockMeanGradient(body);
  if (against === 'stride2') return whileSet(() => setWinogradStrides([1]), () => setWinogradStrides(), body);
  if (against === 'chunks') return whileSet(() => setWinogradFilterChunk('whole'), () => setWinogradFilterChunk(), body);
  return whileSet(() => setDirectConvolutionFloor(16), () => setDirectConvolutionFloor(), body);
}

/** Runs `body` between `set` and `reset` (a package setting), resetting whatever happens. */
async function whileSet<T>(set: () => void, reset: () => void, body: () => Promise<T>): Promise<T> {
  set();
  try {
    return await body();
  } finally {
    reset();
  }
}

async function main(): Promise<void> {
  const against = values.against as Against;
  if (!AGAINST.includes(against)) throw new Error(`--against: '${values.against}' is not one of ${AGAINST.join(', ')}`);
  const rounds = positiveInteger('rounds', values.rounds!);
  const steps = positiveInteger('steps', values.steps!);
  const engine = await initEngine('wasm');
  const other = {xnnpack: 'XNNPACK\'s convolutions', floor16: 'XNNPACK\'s below 16 output channels',
                 taps: 'the filter gradient\'s routes before the generated one (per-tap products, XNNPACK)',
                 direct: 'the direct convolution where Winograd\'s runs',
                 stride2: 'the direct convolution where Winograd\'s runs at stride 2',
                 chunks: 'Winograd\'s filter gradient over the whole batch at once',
                 grouped: 'the direct convolution where Winograd\'s runs grouped convolutions',
                 clones: 'TF.js\'s own clones of the tensors gradients save (an Identity call and a tape node each)',
                 cast: 'tfjs-backend-wasm\'s Cast, a copy even to the same dtype',
                 activations: 'each ReLU after a batch norm as its own kernels',
                 depthwise: 'XNNPACK\'s depthwise convolution and the direct input gradient',
                 mean: 'TF.js\'s gradient of Mean (ones, a product, a quotient)'}[against];
  console.log(`${against === 'clones' ? 'shared clones' : against === 'cast' ? 'the sharing Cast' :
              against === 'activations' ? 'batch norm applying the ReLU after it' :
              against === 'depthwise' ? 'the generated 3x3 depthwise convolution' : against === 'mean' ? 'Mean\'s gradient as one kernel' :
              against === 'chunks' ? 'Winograd\'s filter gradient chunk by chunk' : `the generated ${against === 'taps' ? 'filter gradient' : 'convolution'}`} against ${other}: ` +
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
        setting => setting === 'other' ? withoutIt(against, () => measure('other')) : measure('lab'));
    console.log(`| ${name} | ${engine.threads} | ${measured.lab.join(', ')} | ${measured.other.join(', ')} |`);
    step.dispose();
  }
}

main().catch(error => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
