/**
 * Speed and memory of the cost atlas as a user meets them: the `cnnlab`
 * command in a fresh process, timed from spawn to exit, peak resident memory
 * from GNU time. Targets (issue 3): one `cnnlab cost` of the largest network
 * (Inception-ResNet-v2) under 5 s and 2 GB; `cnnlab variants --json` for the
 * whole registry under 60 s.
 *
 * usage: npm run bench:cost [-- --repeat N]
 * Writes bench/results/cost.json and prints a Markdown table.
 */
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {parseArgs} from 'node:util';

import {thisCpu} from '../lib/bench/machine';
import {COST_CACHE} from '../lib/models/costs';
import {REGISTRY} from '../lib/models';
import {writeFileAtomic} from '../lib/results';
import {REPO_ROOT} from '../lib/root';

const {values} = parseArgs({options: {repeat: {type: 'string', default: '3'}}});
const REPEAT = Number(values.repeat);
const CLI = path.join(REPO_ROOT, 'bin', 'cnnlab.cjs');
const TIME = '/usr/bin/time';

interface Row {
  command: string;
  /** Median over the repeats. */
  seconds: number;
  peakRssMB: number;
  target: string;
}

function measure(args: string[]): {seconds: number; peakRssMB: number} {
  const useTime = fs.existsSync(TIME);
  const started = performance.now();
  const child = useTime ?
      spawnSync(TIME, ['-f', '%M', process.execPath, CLI, ...args], {encoding: 'utf8', maxBuffer: 1 << 28}) :
      spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8', maxBuffer: 1 << 28});
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`cnnlab ${args.join(' ')} failed (${child.status}): ${child.stderr}`);
  // GNU time prints the peak RSS in KiB as the last line of stderr.
  const kib = useTime ? Number(child.stderr.trim().split('\n').pop()) : NaN;
  return {seconds, peakRssMB: kib / 1024};
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** [arguments, target, what each repeat starts from]: `variants` cold (its cache removed) and warm. */
const COMMANDS: Array<[string[], string, 'cold' | 'as is']> = [
  [['cost', 'inception_resnet_v2', '--json'], '< 5 s, < 2048 MB', 'as is'],
  [['cost', 'mobilenet_v2_1.0_224', '--json'], '', 'as is'],
  [['variants', '--json'], `< 60 s (${REGISTRY.length} variants), no cache`, 'cold'],
  [['variants', '--json'], 'from .cache/network-costs.json', 'as is'],
];

const rows: Row[] = COMMANDS.map(([args, target, start]) => {
  const runs = Array.from({length: REPEAT}, () => {
    if (start === 'cold') fs.rmSync(COST_CACHE, {force: true});
    return measure(args);
  });
  return {command: `cnnlab ${args.join(' ')}`, seconds: median(runs.map(r => r.seconds)),
          peakRssMB: Math.max(...runs.map(r => r.peakRssMB)), target};
});

const report = {date: new Date().toISOString(), cpus: os.cpus().length, cpu: thisCpu(), node: process.version,
                repeat: REPEAT, rows};
const out = path.join(REPO_ROOT, 'bench', 'results', 'cost.json');
fs.mkdirSync(path.dirname(out), {recursive: true});
writeFileAtomic(out, JSON.stringify(report, null, 1) + '\n');
console.log(`| command | wall time (median of ${REPEAT}) | peak RSS | target |\n|---|---|---|---|`);
for (const r of rows) console.log(`| \`${r.command}\` | ${r.seconds.toFixed(2)} s | ${r.peakRssMB.toFixed(0)} MB | ${r.target} |`);
