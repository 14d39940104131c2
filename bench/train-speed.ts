/**
 * Training speed of the lab's engine against PyTorch on the same networks,
 * data, batch size (64), optimiser (Adam 2e-3) and thread count, measured in
 * one run so the ratio is fair on a shared machine.
 *
 * usage: npm run bench [-- --images N --epochs N --backends wasm,cpu --nets tiny,... --threads 1,2]
 * Writes bench/results/train-speed.json and prints a Markdown table.
 */
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {parseArgs} from 'node:util';

import * as tf from '@tensorflow/tfjs';

import {pixelStats, syntheticImages} from '../lib/data';
import {BACKEND_NAMES, BackendName, initEngine} from '../lib/engine';
import {writeFileAtomic} from '../lib/results';
import {train} from '../lib/train';
import {lastJsonLine} from './child-output';
import {BENCH_NETS} from './nets';

const {values} = parseArgs({options: {
  images: {type: 'string', default: '512'},
  epochs: {type: 'string', default: '3'},
  backends: {type: 'string', default: 'wasm'},
  nets: {type: 'string', default: BENCH_NETS.map(n => n.name).join(',')},
  python: {type: 'string', default: '/usr/bin/python3'},
  // Thread counts to measure both engines at (default: 1 and every core).
  threads: {type: 'string', default: [...new Set([1, Math.min(os.cpus().length, 8)])].join(',')},
  // Internal: measure one net on one backend in this process (a child).
  one: {type: 'string'},
}});
const IMAGES = Number(values.images);
const EPOCHS = Number(values.epochs);
const BATCH = 64;

interface Row {
  net: string;
  engine: string;
  threads: number;
  trainableParams: number;
  imagesPerSecond: number;
  peakMiB: number;
}

function torchAvailable(python: string): string | null {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], {encoding: 'utf8'});
  return r.status === 0 ? r.stdout.trim() : null;
}

async function ours(backend: BackendName, netName: string): Promise<Row> {
  const engine = await initEngine(backend);
  const net = BENCH_NETS.find(n => n.name === netName)!;
  const [h, , c] = net.input;
  const data = syntheticImages({count: IMAGES, size: h, channels: c, seed: 5});
  const model = net.build();
  const result = await train(model, {train: data}, {
    epochs: EPOCHS, batchSize: BATCH, optimizer: 'adam', learningRate: 2e-3, seed: 1,
  });
  const steady = result.curves.slice(1);
  const seconds = steady.reduce((a, e) => a + e.seconds, 0) / steady.length;
  const trainable = model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  model.dispose();
  return {net: netName, engine: `tfjs ${tf.version.tfjs} ${engine.backend}`, threads: engine.threads,
          trainableParams: trainable, imagesPerSecond: IMAGES / seconds,
          peakMiB: process.resourceUsage().maxRSS / 1024};
}

/** The first line of a child's error (the message, without its stack). */
function firstLine(message: string): string {
  return message.split('\n').map(l => l.trim()).filter(l => l.length > 0).slice(0, 2).join(' ');
}

/** Each of our measurements in its own process, so peak RSS is its own (as for the peer). */
function oursInChild(backend: string, net: string, threads: number): Row {
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', __filename, '--one', `${backend}:${net}`,
                                         '--images', String(IMAGES), '--epochs', String(EPOCHS)],
                      {encoding: 'utf8', cwd: path.join(__dirname, '..'), env: {...process.env, LAB_THREADS: String(threads)}});
  if (r.status !== 0) throw new Error(`measuring ${net} on ${backend} failed: ${r.stderr}`);
  return lastJsonLine<Row>(r.stdout, `measuring ${net} on ${backend}`);
}

function peer(python: string, netName: string, threads: number, scratch: string): Row {
  const net = BENCH_NETS.find(n => n.name === netName)!;
  const [h, w, c] = net.input;
  const data = syntheticImages({count: IMAGES, size: h, channels: c, seed: 5});
  // The same normalisation the lab's batches apply.
  const {mean, std} = pixelStats(data);
  const floats = Float32Array.from(data.images, v => (v / 255 - mean) / std);
  const dataFile = path.join(scratch, `${netName}.f32`);
  const labelFile = path.join(scratch, `${netName}.i32`);
  fs.writeFileSync(dataFile, Buffer.from(floats.buffer));
  fs.writeFileSync(labelFile, Buffer.from(Int32Array.from(data.labels).buffer));
  const r = spawnSync(python, [path.join(__dirname, 'torch_peer.py'), dataFile, labelFile, String(IMAGES), String(h),
                               String(w), String(c), netName, String(threads), String(EPOCHS), String(BATCH)],
                      {encoding: 'utf8'});
  if (r.status !== 0) throw new Error(`torch peer failed for ${netName}: ${r.stderr}`);
  const out = lastJsonLine<{peer: string; trainableParams: number; imagesPerSecond: number; peakMiB: number}>(
      r.stdout, `the torch peer for ${netName}`);
  return {net: netName, engine: out.peer, threads, trainableParams: out.trainableParams,
          imagesPerSecond: out.imagesPerSecond, peakMiB: out.peakMiB};
}

async function main(): Promise<void> {
  const python = values.python!;
  const torchVersion = torchAvailable(python);
  if (torchVersion == null) {
    throw new Error(`no PyTorch at ${python}: install Debian's python3-torch (apt-get install python3-torch) ` +
        'or pass --python with one that has torch');
  }
  const nets = values.nets!.split(','), backends = values.backends!.split(',');
  for (const backend of backends) {
    if (!(BACKEND_NAMES as readonly string[]).includes(backend)) {
      throw new Error(`--backends: unknown backend '${backend}'; known: ${BACKEND_NAMES.join(', ')}`);
    }
  }
  for (const net of nets) {
    if (!BENCH_NETS.some(n => n.name === net)) throw new Error(`unknown bench net '${net}'; known: ${BENCH_NETS.map(n => n.name)}`);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cnnlab-bench-'));
  const rows: Row[] = [];
  // A measurement that fails is reported and the rest still run; a backend that does not load here
  // (tensorflow after an `npm ci`, say) is not tried again for the other nets.
  const failures: string[] = [];
  const unavailable = new Map<string, string>();
  for (const net of nets) {
    for (const threads of values.threads!.split(',').map(Number)) {
      for (const backend of backends) {
        if (unavailable.has(backend)) continue;
        try {
          rows.push(oursInChild(backend, net, threads));
        } catch (error) {
          const reason = firstLine((error as Error).message);
          if (/is not available here/.test(reason)) unavailable.set(backend, reason);
          else failures.push(`${net} on ${backend}, ${threads} thread(s): ${reason}`);
          process.stderr.write(`bench: ${reason}\n`);
        }
      }
      rows.push(peer(python, net, threads, scratch));
    }
  }
  fs.rmSync(scratch, {recursive: true, force: true});
  const lines = [
    `Training speed, ${IMAGES} synthetic images, batch ${BATCH}, Adam, ${EPOCHS} epochs (first excluded), ` +
        `${os.cpus()[0].model}, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| net | engine | threads | trainable params | images/s | time vs PyTorch, same threads | peak RSS MiB |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const torchSame = rows.find(r => r.net === row.net && r.engine.startsWith('pytorch') && r.threads === row.threads);
    const ratio = torchSame ? (torchSame.imagesPerSecond / row.imagesPerSecond).toFixed(2) + 'x' : '-';
    lines.push(`| ${row.net} | ${row.engine} | ${row.threads} | ${row.trainableParams.toLocaleString('en-US')} | ` +
        `${row.imagesPerSecond.toFixed(0)} | ${ratio} | ${row.peakMiB.toFixed(1)} |`);
  }
  const mismatch = [...new Set(rows.map(r => r.net))].filter(net =>
      new Set(rows.filter(r => r.net === net).map(r => r.trainableParams)).size !== 1);
  if (mismatch.length > 0) lines.push('', `WARNING: parameter counts differ between engines for ${mismatch.join(', ')}`);
  for (const [backend, reason] of unavailable) lines.push('', `NOT MEASURED: ${backend}: ${reason}`);
  for (const failure of failures) lines.push('', `FAILED: ${failure}`);
  const report = lines.join('\n');
  process.stdout.write(report + '\n');
  writeFileAtomic(path.join(__dirname, 'results', 'train-speed.json'), JSON.stringify({rows, report}, null, 1) + '\n');
  process.exit(unavailable.size + failures.length > 0 ? 1 : 0);
}

async function measureOne(spec: string): Promise<void> {
  const [backend, net] = spec.split(':');
  process.stdout.write(JSON.stringify(await ours(backend as BackendName, net)) + '\n');
  process.exit(0);
}

(values.one ? measureOne(values.one) : main()).catch(error => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exit(1);
});
