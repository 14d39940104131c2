/**
 * `cnnlab bench gpu`: what a machine with a GPU gives the lab, in one run of
 * a few minutes, written as JSON and printed as tables:
 *   1. the device: adapter, driver, Dawn and Vulkan versions, CPU and cores;
 *   2. correctness: whole-model gradients on webgpu against cpu, one
 *      lab-scale network of each family;
 *   3. training speed on webgpu for the benchmark networks at batch 64 and
 *      256, against PyTorch on CUDA where `python3 -c 'import torch'` finds a GPU;
 *   4. the CPU side: wasm and PyTorch at 1, 2, 4, 8 and all threads on two nets.
 * Each part runs even when an earlier one fails, and says why a part or a
 * measurement was skipped. On a software adapter (no GPU) parts 2 and 3 run
 * small and are labelled as not a GPU figure, and part 4 trains one net on a
 * quarter of the images: such a run checks that every part works, as the
 * tests do.
 */
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';

import {AdapterProbe, MAX_WASM_THREADS, initEngine, probeAdapter, vulkanDrivers, vulkanLoader} from '../engine';
import {writeFileAtomic} from '../results/atomic';
import {REPO_ROOT} from '../root';
import {LAB_GRADIENT_CASES, modelGradients, normwiseError} from './gradients';
import {thisCpu} from './machine';
import {withPlainCpuFilterGradient} from './plain-filter-gradient';
import {BENCH_NETS} from './nets';
import {SpeedRow, SpeedSettings, measureOurs, measureOursInChild, measurePeer, torchVersion} from './speed';

/** Gradients on webgpu must match cpu's to this, norm-wise (what the webgpu tests require). */
export const GRADIENT_TOLERANCE = 1e-4;

export interface GpuBenchOptions {
  /** Stop starting measurements after this many minutes (the device session's limit is the reason). */
  minutes: number;
  python: string;
  out?: string;
  say?: (line: string) => void;
}

export interface Part<Row> {
  status: 'done' | 'partly done' | 'skipped' | 'failed';
  /** Why the part was skipped or cut short, or what to read it as. */
  notes: string[];
  rows: Row[];
}

export interface MachineFacts {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  tfjs: string;
  dawn: string;
  vulkanLoader: string | null;
  vulkanDrivers: string[];
  adapter: AdapterProbe;
  /** nvidia-smi's name, driver and memory, where it is installed. */
  nvidia: string | null;
  torchCpu: string | null;
  torchCuda: string | null;
}

export interface GpuBenchReport {
  machine: MachineFacts;
  correctness: Part<{family: string; options: Record<string, unknown>; error: number; ok: boolean}>;
  gpuSpeed: Part<SpeedRow>;
  cpuScaling: Part<SpeedRow>;
  /** True when the adapter is a software rasteriser: parts 2-3 are then no GPU figure. */
  softwareAdapter: boolean;
  seconds: number;
  file: string;
}

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as {version: string}).version;
  } catch {
    return 'not installed';
  }
}

function nvidiaSmi(): string | null {
  const r = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], {encoding: 'utf8'});
  return r.status === 0 ? r.stdout.trim() : null;
}

function machineFacts(python: string): MachineFacts {
  const loader = vulkanLoader();
  return {
    date: new Date().toISOString(), cpu: thisCpu(), cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.versions.node, tfjs: tf.version.tfjs,
    dawn: `webgpu ${packageVersion('webgpu')}`,
    vulkanLoader: loader ? fs.realpathSync(loader) : null,
    vulkanDrivers: vulkanDrivers().filter(d => d.used).map(d => `${d.file} -> ${d.library}`),
    adapter: probeAdapter(), nvidia: nvidiaSmi(), torchCpu: torchVersion(python, 'cpu'), torchCuda: torchVersion(python, 'cuda'),
  };
}

const firstLine = (error: unknown) => ((error as Error).message ?? String(error)).split('\n')[0];

export async function benchGpu(options: GpuBenchOptions): Promise<GpuBenchReport> {
  const say = options.say ?? (() => {});
  const started = Date.now();
  const deadline = started + options.minutes * 60_000;
  const timeLeft = () => Date.now() < deadline;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cnnlab-bench-gpu-'));

  say('1/4 the machine');
  const machine = machineFacts(options.python);
  const software = machine.adapter.ok && machine.adapter.software === true;

  const correctness: GpuBenchReport['correctness'] = {status: 'skipped', notes: [], rows: []};
  const gpuSpeed: GpuBenchReport['gpuSpeed'] = {status: 'skipped', notes: [], rows: []};
  let webgpu = false;
  if (!machine.adapter.ok) {
    const why = `no WebGPU adapter: ${machine.adapter.error}`;
    correctness.notes.push(why);
    gpuSpeed.notes.push(why);
  } else {
    try {
      await initEngine('webgpu');
      webgpu = true;
    } catch (error) {
      const why = `the webgpu engine did not start: ${firstLine(error)}`;
      correctness.status = gpuSpeed.status = 'failed';
      correctness.notes.push(why);
      gpuSpeed.notes.push(why);
    }
  }
  if (software) {
    const label = `${machine.adapter.adapter} is a software rasteriser: not a GPU figure (run small)`;
    correctness.notes.push(label);
    gpuSpeed.notes.push(label);
  }

  if (webgpu) {
    say('2/4 gradients on webgpu against cpu');
    // A software rasteriser only shows that the path works: one network (depthwise, pointwise, batch norm).
    const cases = software ? LAB_GRADIENT_CASES.slice(0, 1) : LAB_GRADIENT_CASES;
    for (const c of cases) {
      if (!timeLeft()) {
        correctness.notes.push(`time budget spent: ${cases.length - correctness.rows.length} networks not checked`);
        break;
      }
      try {
        const reference = await withPlainCpuFilterGradient(() => modelGradients('cpu', c.family, c.options, {batch: 8, training: c.training}));
        const ours = await modelGradients('webgpu', c.family, c.options, {batch: 8, training: c.training});
        const error = normwiseError(ours, reference);
        correctness.rows.push({family: c.family, options: c.options, error, ok: error < GRADIENT_TOLERANCE});
        say(`    ${c.family}: norm-wise error ${error.toExponential(2)}`);
      } catch (error) {
        correctness.notes.push(`${c.family}: ${firstLine(error)}`);
      }
    }
    correctness.status = correctness.rows.length === cases.length ? 'done' : correctness.rows.length > 0 ? 'partly done' : 'failed';

    say('3/4 training speed on webgpu' + (machine.torchCuda ? ' and PyTorch on CUDA' : ''));
    if (machine.torchCuda == null) gpuSpeed.notes.push(`no PyTorch with CUDA at ${options.python}: webgpu measured alone`);
    const nets = software ? ['tiny'] : BENCH_NETS.map(n => n.name);
    const batches = software ? [64] : [64, 256];
    let planned = 0;
    for (const net of nets) {
      for (const batch of batches) {
        planned++;
        if (!timeLeft()) continue;
        const settings: SpeedSettings = software ? {images: 128, epochs: 2, batch} : {images: Math.max(512, 8 * batch), epochs: 3, batch};
        try {
          gpuSpeed.rows.push(await measureOurs('webgpu', net, settings));
          say(`    ${net}, batch ${batch}: ${gpuSpeed.rows.at(-1)!.imagesPerSecond.toFixed(0)} img/s on webgpu`);
        } catch (error) {
          gpuSpeed.notes.push(`${net} at batch ${batch} on webgpu: ${firstLine(error)}`);
        }
        if (machine.torchCuda != null) {
          try {
            gpuSpeed.rows.push(measurePeer(options.python, net, 1, 'cuda', settings, scratch));
          } catch (error) {
            gpuSpeed.notes.push(`${net} at batch ${batch} on PyTorch CUDA: ${firstLine(error)}`);
          }
        }
      }
    }
    const measured = new Set(gpuSpeed.rows.filter(r => r.engine.includes('webgpu')).map(r => `${r.net}:${r.batch}`)).size;
    if (measured < planned) gpuSpeed.notes.push(`${planned - measured} of ${planned} webgpu measurements not made (time budget or failure)`);
    gpuSpeed.status = measured === planned ? 'done' : measured > 0 ? 'partly done' : 'failed';
  }

  say('4/4 every core: wasm and PyTorch on the CPU');
  const cpuScaling: GpuBenchReport['cpuScaling'] = {status: 'done', notes: [], rows: []};
  const threadCounts = [...new Set([1, 2, 4, 8, machine.cores].filter(t => t <= machine.cores))];
  if (machine.cores > MAX_WASM_THREADS) cpuScaling.notes.push(`wasm runs at most ${MAX_WASM_THREADS} threads (tfjs-backend-wasm's pool)`);
  if (machine.torchCpu == null) cpuScaling.notes.push(`no PyTorch at ${options.python}: wasm measured alone`);
  const cpuSettings: SpeedSettings = software ? {images: 128, epochs: 2, batch: 64} : {images: 512, epochs: 3, batch: 64};
  let skipped = 0;
  // On a software adapter the run is a check that every part works: one net.
  for (const net of software ? ['mobilenet_v2_0.5_32'] : ['mobilenet_v2_0.5_32', 'inception_lab_32']) {
    for (const threads of threadCounts) {
      if (!timeLeft()) {
        skipped++;
        continue;
      }
      if (threads <= MAX_WASM_THREADS) {
        try {
          cpuScaling.rows.push(measureOursInChild('wasm', net, threads, cpuSettings));
          say(`    ${net}, ${threads === 1 ? '1 thread' : `${threads} threads`}: ${cpuScaling.rows.at(-1)!.imagesPerSecond.toFixed(0)} img/s on wasm`);
        } catch (error) {
          cpuScaling.notes.push(`${net} on wasm at ${threads} threads: ${firstLine(error)}`);
        }
      }
      if (machine.torchCpu != null) {
        try {
          cpuScaling.rows.push(measurePeer(options.python, net, threads, 'cpu', cpuSettings, scratch));
        } catch (error) {
          cpuScaling.notes.push(`${net} on PyTorch at ${threads} threads: ${firstLine(error)}`);
        }
      }
    }
  }
  if (skipped > 0) {
    cpuScaling.notes.push(`time budget spent: ${skipped} thread counts not measured`);
    cpuScaling.status = cpuScaling.rows.length > 0 ? 'partly done' : 'skipped';
  }
  fs.rmSync(scratch, {recursive: true, force: true});

  const file = path.resolve(options.out ?? path.join(REPO_ROOT, 'bench', 'results', `gpu-${machine.date.slice(0, 10)}.json`));
  const report: GpuBenchReport = {machine, correctness, gpuSpeed, cpuScaling, softwareAdapter: software,
                                  seconds: (Date.now() - started) / 1000, file};
  writeFileAtomic(file, JSON.stringify(report, null, 1) + '\n');
  return report;
}

/** Ratio of PyTorch's images/s to ours at the same net, batch, threads and kind of device. */
function ratioTo(rows: readonly SpeedRow[], row: SpeedRow, peerMatch: (r: SpeedRow) => boolean): string {
  const peer = rows.find(r => r.net === row.net && r.batch === row.batch && r.threads === row.threads && peerMatch(r));
  return peer ? `${(peer.imagesPerSecond / row.imagesPerSecond).toFixed(2)}x` : '-';
}

/** The report as Markdown, the way the README quotes it. */
export function formatGpuBench(report: GpuBenchReport): string {
  const m = report.machine;
  const lines = [
    `GPU benchmark, ${m.date.slice(0, 10)}: ${m.adapter.ok ? m.adapter.adapter : 'no WebGPU adapter'}` +
        `${report.softwareAdapter ? ' (SOFTWARE ADAPTER: NOT A GPU FIGURE)' : ''}`,
    `CPU ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}, TF.js ${m.tfjs}, Dawn (${m.dawn}); ` +
        `Vulkan loader ${m.vulkanLoader ?? 'none'}; NVIDIA ${m.nvidia ?? '(no nvidia-smi)'}; PyTorch ${m.torchCuda ?? m.torchCpu ?? 'none'}`,
    `${report.seconds.toFixed(0)} s in all; JSON: ${report.file}`,
    '',
    `Correctness (${report.correctness.status}): whole-model gradients, webgpu against cpu, norm-wise (must be < ${GRADIENT_TOLERANCE})`,
    '', '| network | error | ok |', '|---|---:|---|',
    ...report.correctness.rows.map(r => `| ${r.family} | ${r.error.toExponential(2)} | ${r.ok ? 'yes' : 'NO'} |`),
    ...report.correctness.notes.map(n => `- ${n}`),
    '',
    `Training speed on the GPU (${report.gpuSpeed.status}), images/s; in brackets PyTorch CUDA's images/s over webgpu's`,
    '', '| net | batch | webgpu | PyTorch CUDA |', '|---|---:|---:|---:|',
    ...report.gpuSpeed.rows.filter(r => r.engine.includes('webgpu')).map(r => {
      const peer = report.gpuSpeed.rows.find(p => p.net === r.net && p.batch === r.batch && p.engine.includes('cuda'));
      return `| ${r.net} | ${r.batch} | ${r.imagesPerSecond.toFixed(0)} | ` +
          `${peer ? `${peer.imagesPerSecond.toFixed(0)} (${(peer.imagesPerSecond / r.imagesPerSecond).toFixed(2)}x)` : '-'} |`;
    }),
    ...report.gpuSpeed.notes.map(n => `- ${n}`),
    '',
    `The CPU (${report.cpuScaling.status}), images/s at batch 64; in brackets PyTorch's images/s over wasm's at the same threads`,
    '', '| net | threads | wasm | PyTorch CPU |', '|---|---:|---:|---:|',
    ...[...new Set(report.cpuScaling.rows.map(r => `${r.net}:${r.threads}`))].map(key => {
      const [net, threads] = key.split(':');
      const wasm = report.cpuScaling.rows.find(r => r.net === net && String(r.threads) === threads && r.engine.includes('wasm'));
      const torch = report.cpuScaling.rows.find(r => r.net === net && String(r.threads) === threads && r.engine.startsWith('pytorch'));
      return `| ${net} | ${threads} | ${wasm ? wasm.imagesPerSecond.toFixed(0) : '-'} | ` +
          `${torch ? `${torch.imagesPerSecond.toFixed(0)}${wasm ? ` (${ratioTo(report.cpuScaling.rows, wasm, r => r.engine.startsWith('pytorch'))})` : ''}` : '-'} |`;
    }),
    ...report.cpuScaling.notes.map(n => `- ${n}`),
  ];
  return lines.join('\n') + '\n';
}
