/**
 * The convolution kernels of a training step, one at a time: the forward
 * pass, the input gradient and the filter gradient, for the stems, 3x3 /
 * 1x1 and depthwise convolutions the chapters' networks train, on each route
 * the package has (filter gradient by taps or as an XNNPACK convolution;
 * depthwise input gradient direct or on XNNPACK; fused or plain SIMD), against PyTorch's own calls on the same shapes and threads, each
 * shape's PyTorch times taken right after the lab's, each call in whichever of
 * PyTorch's memory formats ran it faster (bench/conv_grads_peer.py). The lab's routes are
 * timed in interleaved rounds, so the machine's drift moves them together:
 * on this shared machine PyTorch's own time for one call moved 4x within
 * an hour. What docs/engine.md's kernel-level figures come from.
 *
 * usage: npm run bench:conv-grads [-- --threads 1 --repeats 7 --calls 10 --shapes stem-1-16,... --python /usr/bin/python3]
 * Writes bench/results/conv-grads.json and prints a Markdown table.
 */
import {spawnSync} from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import {parseArgs} from 'node:util';

import * as tf from '@tensorflow/tfjs';

import {withFilterGradientRoute} from '../packages/tfjs-backend-wasm-train/src/kernels/conv-grads';
import {withDepthwiseInputRoute} from '../packages/tfjs-backend-wasm-train/src/kernels/depthwise-grads';
import {withPlainSimd} from '../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';
import {thisCpu} from '../lib/bench/machine';
import {torchVersion} from '../lib/bench/speed';
import {THREADS_ENV, initEngine} from '../lib/engine';
import {median, writeFileAtomic} from '../lib/results';

interface ConvShape {
  name: string; batch: number; size: number; inChannels: number; outChannels: number;
  kernel: number; stride: number; padding: 'same' | 'valid';
  /** A depthwise convolution (multiplier 1): outChannels = inChannels, one filter per channel. */
  depthwise?: true;
}

const conv = (name: string, size: number, inChannels: number, outChannels: number, kernel: number, stride: number): ConvShape =>
  ({name, batch: 64, size, inChannels, outChannels, kernel, stride, padding: 'same'});
const depthwise = (name: string, size: number, channels: number, stride: number): ConvShape =>
  ({...conv(name, size, channels, channels, 3, stride), depthwise: true});

/** Stems on Fashion-MNIST's 28 x 28 x 1 (and a 3-channel one), then the body's 3x3 and 1x1 convolutions. */
const SHAPES: readonly ConvShape[] = [
  conv('stem-1-16', 28, 1, 16, 3, 1),
  conv('stem-1-32', 28, 1, 32, 3, 1),
  conv('stem-1-32-s2', 28, 1, 32, 3, 2),
  conv('stem-3-16', 28, 3, 16, 3, 1),
  conv('3x3-32-32', 28, 32, 32, 3, 1),
  conv('3x3-64-64', 14, 64, 64, 3, 1),
  conv('3x3-32-64-s2', 28, 32, 64, 3, 2),
  // Chapter 02's grid reductions at width 0.5 (the spectrum at k = 1).
  conv('3x3-64-64-s2', 14, 64, 64, 3, 2),
  conv('3x3-128-128-s2', 7, 128, 128, 3, 2),
  conv('1x1-64-128', 14, 64, 128, 1, 1),
  // Depthwise 3x3 as the tiny net and MobileNets at 32 px train them.
  depthwise('dw-16-s2', 28, 16, 2),
  depthwise('dw-32-s2', 32, 32, 2),
  depthwise('dw-64-s2', 16, 64, 2),
  depthwise('dw-32', 14, 32, 1),
  depthwise('dw-64', 16, 64, 1),
];

const {values} = parseArgs({options: {
  threads: {type: 'string', default: '1'},
  repeats: {type: 'string', default: '7'},
  calls: {type: 'string', default: '10'},
  shapes: {type: 'string', default: SHAPES.map(s => s.name).join(',')},
  python: {type: 'string', default: '/usr/bin/python3'},
}});

type Step = 'forward' | 'inputGradient' | 'filterGradient';
/**
 * What one timed call runs, by route: the default routes, then the filter gradient forced each way, then plain
 * SIMD, then the depthwise input gradient on XNNPACK (for a regular convolution, the default again).
 */
const ROUTES = ['default', 'dW by taps', 'dW as a convolution', 'plain SIMD', 'dx on XNNPACK'] as const;
type Route = typeof ROUTES[number];

function within(route: Route, body: () => Promise<number>): Promise<number> {
  switch (route) {
    case 'default': return body();
    case 'dW by taps': return withFilterGradientRoute('taps', body);
    case 'dW as a convolution': return withFilterGradientRoute('convolution', body);
    case 'plain SIMD': return withPlainSimd(body);
    case 'dx on XNNPACK': return withDepthwiseInputRoute('xnnpack', body);
  }
}

/** Milliseconds a call of `step` takes: `calls` calls, then one read so that the last has finished. */
async function timeCalls(step: () => tf.Tensor, calls: number): Promise<number> {
  const started = performance.now();
  const outputs: tf.Tensor[] = [];
  for (let i = 0; i < calls; i++) outputs.push(step());
  await outputs[calls - 1].data();
  const ms = (performance.now() - started) / calls;
  tf.dispose(outputs);
  return ms;
}

/** PyTorch's times for one shape, measured right after the lab's so that both see the machine as it was. */
function measurePeer(python: string, shape: ConvShape, threads: number, repeats: number, calls: number): {peer: string; ms: Record<Step, number>} {
  const peer = spawnSync(python, [path.join(__dirname, 'conv_grads_peer.py'), String(threads), String(repeats), String(calls),
                                  JSON.stringify([shape])], {encoding: 'utf8'});
  if (peer.status !== 0) throw new Error(`the PyTorch peer failed on ${shape.name}: ${peer.stderr.trim().split('\n').pop()}`);
  const result = JSON.parse(peer.stdout.trim().split('\n').pop()!) as {peer: string; ms: Record<string, Record<Step, number>>};
  return {peer: result.peer, ms: result.ms[shape.name]};
}

async function main(): Promise<void> {
  const [threads, repeats, calls] = [values.threads, values.repeats, values.calls].map(Number);
  const wanted = values.shapes!.split(',');
  const unknown = wanted.filter(name => !SHAPES.some(s => s.name === name));
  if (unknown.length > 0) throw new Error(`--shapes: unknown ${unknown.join(', ')}; accepted: ${SHAPES.map(s => s.name).join(', ')}`);
  const shapes = SHAPES.filter(s => wanted.includes(s.name));
  if (torchVersion(values.python!) == null) {
    throw new Error(`no PyTorch at ${values.python}: install Debian's python3-torch (apt-get install python3-torch) or pass --python`);
  }
  process.env[THREADS_ENV] = String(threads);
  const engine = await initEngine('wasm');

  const rows: Array<{shape: ConvShape; ms: Record<string, number>; torch: {peer: string; ms: Record<Step, number>}}> = [];
  for (const shape of shapes) {
    const x = tf.randomNormal([shape.batch, shape.size, shape.size, shape.inChannels]) as tf.Tensor4D;
    const w = tf.randomNormal([shape.kernel, shape.kernel, shape.inChannels, shape.depthwise ? 1 : shape.outChannels]) as tf.Tensor4D;
    const forward = () => shape.depthwise ? tf.depthwiseConv2d(x, w, shape.stride, shape.padding) : tf.conv2d(x, w, shape.stride, shape.padding);
    const dy = tf.randomNormal(forward().shape) as tf.Tensor4D;
    const attrs = {strides: shape.stride, pad: shape.padding, dilations: 1, dataFormat: 'NHWC'};
    const steps: Record<Step, () => tf.Tensor> = {
      forward,
      inputGradient: () => shape.depthwise ?
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', {dy, filter: w}, {...attrs, inputShape: x.shape}) as tf.Tensor :
          tf.conv2dTranspose(dy, w, x.shape, shape.stride, shape.padding),
      filterGradient: () => tf.engine().runKernel(shape.depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter',
          {x, dy}, {...attrs, filterShape: w.shape}) as tf.Tensor,
    };
    const samples = new Map<string, number[]>();
    // One untimed call of each, then rounds in which every route and step is timed once, side by side.
    for (let round = -1; round < repeats; round++) {
      for (const route of ROUTES) {
        for (const step of Object.keys(steps) as Step[]) {
          const ms = await within(route, () => timeCalls(steps[step], round < 0 ? 1 : calls));
          if (round >= 0) samples.set(`${route}|${step}`, [...samples.get(`${route}|${step}`) ?? [], ms]);
        }
      }
    }
    tf.dispose([x, w, dy]);
    const ms = Object.fromEntries([...samples].map(([key, times]) => [key, median(times)]));
    rows.push({shape, ms, torch: measurePeer(values.python!, shape, threads, repeats, calls)});
  }

  const fmt = (v: number) => v.toFixed(2);
  const lines = [
    `Convolution kernels one at a time, batch 64, median of ${repeats} rounds of ${calls} calls; ${engine.device}, ` +
        `${threads} thread${threads === 1 ? '' : 's'}; ${rows[0]?.torch.peer ?? 'no shapes'}, measured after each shape, each call in ` +
        `the faster of its NCHW and channels-last memory formats; ${thisCpu()}, ${os.cpus().length} cores, ` +
        `${new Date().toISOString().slice(0, 10)}`,
    '',
    '| convolution | forward ms (PyTorch) | dx ms (PyTorch) | dW ms (PyTorch) | dW by taps | dW as a convolution | plain SIMD: dx, dW | ' +
        'depthwise dx on XNNPACK | step vs PyTorch |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const table = rows.map(({shape, ms, torch}) => {
    const theirs = torch.ms;
    const ours = (route: Route, step: Step) => ms[`${route}|${step}`];
    const oursStep = ours('default', 'forward') + ours('default', 'inputGradient') + ours('default', 'filterGradient');
    const theirsStep = theirs.forward + theirs.inputGradient + theirs.filterGradient;
    lines.push(`| ${shape.name} | ${fmt(ours('default', 'forward'))} (${fmt(theirs.forward)}) | ` +
        `${fmt(ours('default', 'inputGradient'))} (${fmt(theirs.inputGradient)}) | ${fmt(ours('default', 'filterGradient'))} (${fmt(theirs.filterGradient)}) | ` +
        `${fmt(ours('dW by taps', 'filterGradient'))} | ${fmt(ours('dW as a convolution', 'filterGradient'))} | ` +
        `${fmt(ours('plain SIMD', 'inputGradient'))}, ${fmt(ours('plain SIMD', 'filterGradient'))} | ` +
        `${shape.depthwise ? fmt(ours('dx on XNNPACK', 'inputGradient')) : ''} | ${(oursStep / theirsStep).toFixed(2)}x |`);
    return {shape, ms, pytorchMs: theirs, stepRatio: oursStep / theirsStep};
  });
  const report = lines.join('\n');
  process.stdout.write(report + '\n');
  writeFileAtomic(path.join(__dirname, 'results', 'conv-grads.json'), JSON.stringify({rows: table, report}, null, 1) + '\n');
}

main().catch(error => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exit(1);
});
