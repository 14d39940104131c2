/**
 * Training speed of one benchmark network, the lab's engine against its
 * PyTorch peer (bench/torch_peer.py) on the same synthetic images, batch,
 * optimiser (Adam 2e-3) and threads. Each measurement runs in a process of
 * its own (a thread count is fixed when the wasm engine starts, and peak
 * memory is the process's), which prints its result as one JSON line.
 */
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';

import {pixelStats, syntheticImages} from '../data';
import {BackendName, initEngine} from '../engine';
import {REPO_ROOT} from '../root';
import {inPack} from '../environment';
import {train} from '../train';
import {lastJsonLine} from './child-output';
import {BENCH_NETS, BenchNet} from './nets';

export interface SpeedSettings {
  images: number;
  epochs: number;
  batch: number;
}

export interface SpeedRow {
  net: string;
  engine: string;
  device: string;
  threads: number;
  batch: number;
  trainableParams: number;
  imagesPerSecond: number;
  peakMiB: number;
}

export function benchNet(name: string): BenchNet {
  const net = BENCH_NETS.find(n => n.name === name);
  if (net == null) throw new Error(`unknown bench net '${name}'; known: ${BENCH_NETS.map(n => n.name).join(', ')}`);
  return net;
}

/** One network trained here; epochs after the first are timed (the first compiles and allocates). */
export async function measureOurs(backend: BackendName, netName: string, settings: SpeedSettings): Promise<SpeedRow> {
  const engine = await initEngine(backend);
  const net = benchNet(netName);
  const [h, , c] = net.input;
  const data = syntheticImages({count: settings.images, size: h, channels: c, seed: 5});
  const model = net.build();
  const result = await train(model, {train: data}, {
    epochs: settings.epochs, batchSize: settings.batch, optimizer: 'adam', learningRate: 2e-3, seed: 1, preciseBatchNormImages: 0,
  });
  const steady = result.curves.length > 1 ? result.curves.slice(1) : result.curves;
  const seconds = steady.reduce((a, e) => a + e.seconds, 0) / steady.length;
  const trainable = model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  model.dispose();
  return {net: netName, engine: `tfjs ${tf.version.tfjs} ${engine.backend}`, device: engine.device, threads: engine.threads,
          batch: settings.batch, trainableParams: trainable, imagesPerSecond: settings.images / seconds,
          peakMiB: process.resourceUsage().maxRSS / 1024};
}

/** The `cnnlab` command of this installation: the lab's bin/, or the pack's bundle. */
export function cnnlabCommand(): string[] {
  const packed = path.join(REPO_ROOT, 'app', 'cnnlab.js');
  return [process.execPath, inPack() ? packed : path.join(REPO_ROOT, 'bin', 'cnnlab.cjs')];
}

/** `measureOurs` in a child process (`cnnlab bench one`), with `threads` for wasm. */
export function measureOursInChild(backend: string, netName: string, threads: number, settings: SpeedSettings,
                                   env: NodeJS.ProcessEnv = process.env): SpeedRow {
  const [node, script] = cnnlabCommand();
  const r = spawnSync(node, [script, 'bench', 'one', '--backend', backend, '--net', netName, '--images', String(settings.images),
                             '--epochs', String(settings.epochs), '--batch', String(settings.batch)],
                      {encoding: 'utf8', env: {...env, LAB_THREADS: String(threads)}, maxBuffer: 1 << 26});
  if (r.status !== 0) throw new Error(`measuring ${netName} on ${backend} failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' ')}`);
  return lastJsonLine<SpeedRow>(r.stdout, `measuring ${netName} on ${backend}`);
}

/** PyTorch's version where `python` imports it (and, for 'cuda', sees a GPU), else null. */
export function torchVersion(python: string, device: 'cpu' | 'cuda' = 'cpu'): string | null {
  const probe = device === 'cuda' ? 'import torch; assert torch.cuda.is_available(); print(torch.__version__, torch.cuda.get_device_name(0))' :
                                    'import torch; print(torch.__version__)';
  const r = spawnSync(python, ['-c', probe], {encoding: 'utf8'});
  return r.status === 0 ? r.stdout.trim() : null;
}

export const PEER_SCRIPT = path.join(REPO_ROOT, 'bench', 'torch_peer.py');

/** The PyTorch peer on the same images (normalised as the lab's batches are), threads and device. */
export function measurePeer(python: string, netName: string, threads: number, device: 'cpu' | 'cuda', settings: SpeedSettings,
                            scratch: string): SpeedRow {
  const net = benchNet(netName);
  const [h, w, c] = net.input;
  const data = syntheticImages({count: settings.images, size: h, channels: c, seed: 5});
  const {mean, std} = pixelStats(data);
  const floats = Float32Array.from(data.images, v => (v / 255 - mean) / std);
  const dataFile = path.join(scratch, `${netName}-${settings.images}.f32`);
  const labelFile = path.join(scratch, `${netName}-${settings.images}.i32`);
  fs.writeFileSync(dataFile, Buffer.from(floats.buffer));
  fs.writeFileSync(labelFile, Buffer.from(Int32Array.from(data.labels).buffer));
  const r = spawnSync(python, [PEER_SCRIPT, dataFile, labelFile, String(settings.images), String(h), String(w), String(c), netName,
                               String(threads), String(settings.epochs), String(settings.batch), device], {encoding: 'utf8'});
  if (r.status !== 0) throw new Error(`the PyTorch peer failed for ${netName} on ${device}: ${(r.stderr || '').trim().split('\n').pop()}`);
  const out = lastJsonLine<{peer: string; device: string; trainableParams: number; imagesPerSecond: number; peakMiB: number}>(
      r.stdout, `the PyTorch peer for ${netName}`);
  return {net: netName, engine: out.peer, device: out.device, threads, batch: settings.batch, trainableParams: out.trainableParams,
          imagesPerSecond: out.imagesPerSecond, peakMiB: out.peakMiB};
}
