/**
 * The grouped 3x3 convolution, one training step, for G = 1 ... C groups:
 * each of the lab's three routes (lib/layers/group-conv.ts) and the one
 * 'auto' takes, against PyTorch's native grouped convolution on the same
 * shape and thread count, measured in one run. What 'auto''s rule rests on
 * (docs/engine.md, "Grouped convolutions").
 *
 * usage: npm run bench:group-conv [-- --channels 64 --size 14 --batch 32 --threads 1 --python /usr/bin/python3]
 * Writes bench/results/group-conv.json and prints a Markdown table.
 */
import {spawnSync} from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import {parseArgs} from 'node:util';

import {thisCpu} from '../lib/bench/machine';
import {MEASURED_ROUTES, timeGroupConvRoutes} from '../lib/bench/grouped-conv-routes';
import {torchVersion} from '../lib/bench/speed';
import {THREADS_ENV, initEngine} from '../lib/engine';
import {writeFileAtomic} from '../lib/results';

const {values} = parseArgs({options: {
  channels: {type: 'string', default: '64'},
  size: {type: 'string', default: '14'},
  batch: {type: 'string', default: '32'},
  threads: {type: 'string', default: '1'},
  repeats: {type: 'string', default: '9'},
  python: {type: 'string', default: '/usr/bin/python3'},
}});

async function main(): Promise<void> {
  const [channels, size, batch, threads, repeats] = [values.channels, values.size, values.batch, values.threads, values.repeats].map(Number);
  if (torchVersion(values.python!) == null) {
    throw new Error(`no PyTorch at ${values.python}: install Debian's python3-torch (apt-get install python3-torch) or pass --python`);
  }
  process.env[THREADS_ENV] = String(threads);
  const engine = await initEngine('wasm');
  const groups: number[] = [];
  for (let g = 1; g <= channels; g *= 2) groups.push(g);
  const ours = timeGroupConvRoutes({batch, size, channels, kernel: 3}, groups, repeats);
  const peer = spawnSync(values.python!, [path.join(__dirname, 'group_conv_peer.py'), String(batch), String(size), String(channels),
                                          String(threads), String(repeats), groups.join(',')], {encoding: 'utf8'});
  if (peer.status !== 0) throw new Error(`the PyTorch peer failed: ${peer.stderr.trim().split('\n').pop()}`);
  const torch = JSON.parse(peer.stdout.trim().split('\n').pop()!) as {peer: string; ms: Record<string, number>};
  const lines = [
    `Grouped 3x3 convolution, one training step (forward + input and kernel gradients), batch ${batch}, ${size}x${size}x${channels}, ` +
        `median of ${repeats}; ${engine.device}, ${threads} thread${threads === 1 ? '' : 's'}; ${torch.peer}; ` +
        `${thisCpu()}, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `| groups | MACs | ${MEASURED_ROUTES.map(r => `${r} ms`).join(' | ')} | 'auto' | PyTorch ms | 'auto' vs PyTorch |`,
    `|---:|---:|${MEASURED_ROUTES.map(() => '---:').join('|')}|---|---:|---:|`,
  ];
  const rows = ours.map(t => {
    const auto = t.auto === 'conv' ? t.ms.split : t.ms[t.auto];
    const theirs = torch.ms[String(t.groups)];
    lines.push(`| ${t.groups} | ${t.macs.toLocaleString('en-US')} | ${MEASURED_ROUTES.map(r => t.ms[r].toFixed(1)).join(' | ')} | ` +
        `${t.auto} | ${theirs.toFixed(1)} | ${(auto / theirs).toFixed(2)}x |`);
    return {...t, autoMs: auto, pytorchMs: theirs};
  });
  const report = lines.join('\n');
  process.stdout.write(report + '\n');
  writeFileAtomic(path.join(__dirname, 'results', 'group-conv.json'), JSON.stringify({rows, report}, null, 1) + '\n');
}

main().catch(error => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exit(1);
});
