/**
 * Training speed of the lab's engine against PyTorch on the same networks,
 * data, batch size (64), optimiser (Adam 2e-3) and thread count, measured in
 * one run so the ratio is fair on a shared machine. Each measurement is
 * repeated in rounds (ours, then PyTorch, next to each other in time), and
 * the table gives each engine's median images/s and the median of the
 * rounds' ratios with their range: on a shared virtual machine whole runs
 * of the same code differed by 20 % or more minutes apart.
 *
 * usage: npm run bench [-- --images N --epochs N --rounds N --backends wasm,cpu --nets tiny,... --threads 1,2 --out FILE]
 * Writes bench/results/train-speed.json (or --out) and prints a Markdown table.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {parseArgs} from 'node:util';

import {BENCH_NETS} from '../lib/bench/nets';
import {thisCpu} from '../lib/bench/machine';
import {SpeedRow, measureOursInChild, measurePeer, torchVersion} from '../lib/bench/speed';
import {BACKEND_NAMES} from '../lib/engine';
import {median, writeFileAtomic} from '../lib/results';

const {values} = parseArgs({options: {
  images: {type: 'string', default: '512'},
  epochs: {type: 'string', default: '3'},
  rounds: {type: 'string', default: '3'},
  backends: {type: 'string', default: 'wasm'},
  nets: {type: 'string', default: BENCH_NETS.map(n => n.name).join(',')},
  python: {type: 'string', default: '/usr/bin/python3'},
  // Thread counts to measure both engines at (default: 1 and every core).
  threads: {type: 'string', default: [...new Set([1, Math.min(os.cpus().length, 8)])].join(',')},
  // A run over a few nets can keep its own file instead of replacing the full table's.
  out: {type: 'string', default: path.join(__dirname, 'results', 'train-speed.json')},
}});
const IMAGES = Number(values.images);
const EPOCHS = Number(values.epochs);
const ROUNDS = Number(values.rounds);
const BATCH = 64;

/** A row of the table: medians over the rounds, with each round's images/s and ratio to PyTorch (PyTorch's time over ours). */
type Row = SpeedRow & {rounds?: number[]; ratios?: number[]};

const SETTINGS = {images: IMAGES, epochs: EPOCHS, batch: BATCH};

/** The first line of a child's error (the message, without its stack). */
function firstLine(message: string): string {
  return message.split('\n').map(l => l.trim()).filter(l => l.length > 0).slice(0, 2).join(' ');
}

async function main(): Promise<void> {
  const python = values.python!;
  if (torchVersion(python) == null) {
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
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds must be a whole number >= 1, got '${values.rounds}'`);
  const lines = [
    `Training speed, ${IMAGES} synthetic images, batch ${BATCH}, Adam, ${EPOCHS} epochs (first excluded), ` +
        `${ROUNDS} round(s), ${thisCpu()}, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| net | engine | threads | trainable params | images/s (median) | time vs PyTorch, same threads (median of rounds, range) | peak RSS MiB |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const net of nets) {
    for (const threads of values.threads!.split(',').map(Number)) {
      // Per round: each backend's row and the peer's, measured next to each other.
      const roundRows: Row[][] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Progress on stderr: a whole run takes over half an hour on two cores.
        process.stderr.write(`bench: ${net}, ${threads === 1 ? '1 thread' : `${threads} threads`}, round ${round + 1} of ${ROUNDS}\n`);
        const here: Row[] = [];
        for (const backend of backends) {
          if (unavailable.has(backend)) continue;
          try {
            here.push(measureOursInChild(backend, net, threads, SETTINGS));
          } catch (error) {
            const reason = firstLine((error as Error).message);
            if (/is not available here/.test(reason)) unavailable.set(backend, reason);
            else failures.push(`${net} on ${backend}, ${threads === 1 ? '1 thread' : `${threads} threads`}: ${reason}`);
            process.stderr.write(`bench: ${reason}\n`);
          }
        }
        here.push(measurePeer(python, net, threads, 'cpu', SETTINGS, scratch));
        roundRows.push(here);
      }
      for (const engine of [...new Set(roundRows.flat().map(r => r.engine))]) {
        const runs = roundRows.map(here => here.find(r => r.engine === engine)).filter((r): r is Row => r != null);
        const ratios = roundRows.flatMap(here => {
          const ours = here.find(r => r.engine === engine), peer = here.find(r => r.engine.startsWith('pytorch'));
          return ours != null && peer != null ? [peer.imagesPerSecond / ours.imagesPerSecond] : [];
        });
        const row: Row = {...runs[0], imagesPerSecond: median(runs.map(r => r.imagesPerSecond)),
                          peakMiB: Math.max(...runs.map(r => r.peakMiB)), rounds: runs.map(r => r.imagesPerSecond), ratios};
        rows.push(row);
        const ratio = engine.startsWith('pytorch') ? '1.00x' :
            `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`;
        lines.push(`| ${row.net} | ${row.engine} | ${row.threads} | ${row.trainableParams.toLocaleString('en-US')} | ` +
            `${row.imagesPerSecond.toFixed(0)} | ${ratio} | ${row.peakMiB.toFixed(1)} |`);
      }
    }
  }
  fs.rmSync(scratch, {recursive: true, force: true});
  const mismatch = [...new Set(rows.map(r => r.net))].filter(net =>
      new Set(rows.filter(r => r.net === net).map(r => r.trainableParams)).size !== 1);
  if (mismatch.length > 0) lines.push('', `WARNING: parameter counts differ between engines for ${mismatch.join(', ')}`);
  for (const [backend, reason] of unavailable) lines.push('', `NOT MEASURED: ${backend}: ${reason}`);
  for (const failure of failures) lines.push('', `FAILED: ${failure}`);
  const report = lines.join('\n');
  process.stdout.write(report + '\n');
  writeFileAtomic(values.out!, JSON.stringify({rows, report}, null, 1) + '\n');
  process.exit(unavailable.size + failures.length > 0 ? 1 : 0);
}

main().catch(error => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exit(1);
});
