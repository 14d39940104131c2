/**
 * The wasm engine's ceiling against PyTorch: forward 2-D convolutions, the
 * one part of training that wasm already runs on XNNPACK's SIMD kernels,
 * timed against PyTorch (oneDNN) on the same shapes and thread count.
 * Training cannot get closer to PyTorch than its convolutions do, so this
 * ratio bounds what any work on the lab's own kernels can reach.
 *
 * usage: npm run bench:ceiling [-- --threads 1,2 --repeats 10 --python /usr/bin/python3]
 * Writes bench/results/conv-ceiling.json and prints a Markdown table.
 */
import {spawnSync} from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import {parseArgs} from 'node:util';

import * as tf from '@tensorflow/tfjs';

import {thisCpu} from '../lib/bench/machine';
import {initEngine} from '../lib/engine';
import {writeFileAtomic} from '../lib/results';
import {lastJsonLine} from '../lib/bench/child-output';
import {positiveInteger} from '../lib/bench/options';

/** [batch, size, in channels, out channels, kernel]: the bench nets' typical convolutions. */
const SHAPES: ReadonlyArray<[number, number, number, number, number]> = [
  [64, 32, 32, 32, 3], [64, 16, 64, 64, 3], [64, 8, 128, 128, 3], [64, 16, 128, 128, 1], [64, 32, 16, 32, 1],
];

const {values} = parseArgs({options: {
  threads: {type: 'string', default: [...new Set([1, Math.min(os.cpus().length, 8)])].join(',')},
  repeats: {type: 'string', default: '10'},
  python: {type: 'string', default: '/usr/bin/python3'},
  // Internal: time our convolutions in this process (threads are fixed when wasm starts).
  one: {type: 'boolean', default: false},
}});
const REPEATS = positiveInteger('repeats', values.repeats!);

function flops([batch, size, cin, cout, k]: readonly number[]): number {
  return 2 * batch * size * size * k * k * cin * cout;
}

async function oursHere(): Promise<void> {
  const engine = await initEngine('wasm');
  const ms = SHAPES.map(([batch, size, cin, cout, k]) => {
    const x = tf.randomNormal([batch, size, size, cin]) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, cin, cout]) as tf.Tensor4D;
    const run = () => { const y = tf.conv2d(x, w, 1, 'same'); y.dataSync(); y.dispose(); };
    run();
    let best = Infinity;
    for (let r = 0; r < REPEATS; r++) {
      const start = performance.now();
      run();
      best = Math.min(best, performance.now() - start);
    }
    tf.dispose([x, w]);
    return best;
  });
  process.stdout.write(JSON.stringify({engine: `tfjs ${tf.version.tfjs} wasm`, threads: engine.threads, ms}) + '\n');
}

function main(): void {
  const rows: string[] = [];
  const results: unknown[] = [];
  for (const threads of values.threads!.split(',').map(Number)) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads: '${values.threads}' is not a list of positive integers`);
    const ours = spawnSync(process.execPath, ['-r', 'tsx/cjs', __filename, '--one', '--repeats', String(REPEATS)],
        {encoding: 'utf8', cwd: path.join(__dirname, '..'), env: {...process.env, LAB_THREADS: String(threads)}});
    if (ours.status !== 0) throw new Error(`timing wasm convolutions failed: ${ours.stderr}`);
    const peer = spawnSync(values.python!, [path.join(__dirname, 'conv_ceiling_peer.py'), String(threads), String(REPEATS),
                                            JSON.stringify(SHAPES)], {encoding: 'utf8'});
    if (peer.status !== 0) throw new Error(`PyTorch peer failed (${values.python}): ${peer.stderr}`);
    const o = lastJsonLine<{engine: string; ms: number[]}>(ours.stdout, 'wasm child');
    const p = lastJsonLine<{peer: string; ms: number[]}>(peer.stdout, 'PyTorch peer');
    results.push({threads, ours: o, peer: p});
    SHAPES.forEach((shape, i) => {
      const [batch, size, cin, cout, k] = shape;
      rows.push(`| ${batch}x${size}x${size}x${cin} -> ${cout}, ${k}x${k} | ${threads} | ` +
          `${(flops(shape) / o.ms[i] / 1e6).toFixed(1)} | ${(flops(shape) / p.ms[i] / 1e6).toFixed(1)} | ` +
          `${(o.ms[i] / p.ms[i]).toFixed(2)}x |`);
    });
  }
  const report = [
    `Forward convolution, wasm (XNNPACK) against PyTorch, best of ${REPEATS}, ${thisCpu()}, ` +
        `${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| convolution (NHWC) | threads | wasm GFLOP/s | PyTorch GFLOP/s | wasm time / PyTorch time |',
    '|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  process.stdout.write(report + '\n');
  writeFileAtomic(path.join(__dirname, 'results', 'conv-ceiling.json'), JSON.stringify({results, report}, null, 1) + '\n');
}

if (values.one) {
  oursHere().then(() => process.exit(0), error => { console.error(error); process.exit(1); });
} else {
  main();
}
