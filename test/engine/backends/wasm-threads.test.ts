/**
 * Threaded wasm (lib/engine/backends/wasm-threads.ts): it really runs on the threads
 * asked for, gives bit-identical results to one thread (forward, XNNPACK
 * and the lab's gradient kernels), and the process still exits by itself.
 */
import {strict as assert} from 'node:assert';
import {spawnSync} from 'node:child_process';
import * as path from 'node:path';

import {parseThreads, threadsFromEnvironment} from '../../../lib/engine';

const CHILD = path.join(__dirname, '..', '..', 'fixtures', 'threads-child.ts');
const TSX = path.join(__dirname, '..', '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');

function runChild(threads: string): {threads: number; values: number[][]} {
  // A timeout here means the thread pool kept the process alive.
  const child = spawnSync(process.execPath, [TSX, CHILD], {
    env: {...process.env, LAB_THREADS: threads}, encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 26,
  });
  assert.equal(child.signal, null, `child did not exit by itself (LAB_THREADS=${threads})`);
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

describe('wasm threads', function () {
  this.timeout(150_000);

  it('two threads run, give the same bits as one, and the process exits on its own', () => {
    const one = runChild('1');
    const two = runChild('2');
    assert.equal(one.threads, 1);
    assert.equal(two.threads, 2);
    assert.equal(two.values.length, 4);
    two.values.forEach((v, i) => assert.deepEqual(v, one.values[i], `output ${i} differs between 1 and 2 threads`));
  });

  it('LAB_THREADS and --threads accept 1-8 and say so otherwise', () => {
    assert.equal(parseThreads('3', '--threads'), 3);
    assert.throws(() => parseThreads('0', '--threads'), /--threads must be a whole number of threads in \[1, 8\], got '0'/);
    assert.throws(() => parseThreads('two', '$LAB_THREADS'), /\$LAB_THREADS must be .* got 'two'/);
    const saved = process.env['LAB_THREADS'];
    try {
      process.env['LAB_THREADS'] = '2';
      assert.equal(threadsFromEnvironment(), 2);
    } finally {
      if (saved == null) delete process.env['LAB_THREADS']; else process.env['LAB_THREADS'] = saved;
    }
  });
});
