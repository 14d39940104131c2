/**
 * Threaded wasm (lib/engine/backends/wasm-threads.ts): it really runs on the threads
 * asked for, gives bit-identical results to one thread (forward, XNNPACK
 * and the lab's gradient kernels, with the lab's kernel pool and without),
 * and the process still exits by itself.
 */
import {strict as assert} from 'node:assert';
import {spawnSync} from 'node:child_process';
import * as path from 'node:path';

import {parseThreads, threadsFromEnvironment} from '../../../lib/engine';

const CHILD = path.join(__dirname, '..', '..', 'fixtures', 'threads-child.ts');
const TSX = path.join(__dirname, '..', '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** What the child prints: each output's bytes hashed (sha256), and its values where it is small. */
interface ChildOutputs {
  threads: number;
  helperTasks: number;
  outputs: Array<{hash: string; values?: number[]}>;
}

function runChild(threads: string, kernelPool = 'on'): ChildOutputs {
  // A timeout here means a thread pool (XNNPACK's or the lab's) kept the process alive.
  const child = spawnSync(process.execPath, [TSX, CHILD], {
    env: {...process.env, LAB_THREADS: threads, LAB_KERNEL_POOL: kernelPool}, encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 26,
  });
  assert.equal(child.signal, null, `child did not exit by itself (LAB_THREADS=${threads}, LAB_KERNEL_POOL=${kernelPool})`);
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

describe('wasm threads', function () {
  this.timeout(150_000);

  it('two threads run, give the same bits as one, with the kernel pool and without, and the process exits on its own', () => {
    const one = runChild('1');
    const two = runChild('2');
    const twoWithoutPool = runChild('2', 'off');
    assert.equal(one.threads, 1);
    assert.equal(two.threads, 2);
    assert.equal(two.outputs.length, 27);
    // The pool's helper really took a share of the filter gradients; without it, or at one thread, nothing runs there.
    assert.ok(two.helperTasks > 0, `the kernel pool's helper ran ${two.helperTasks} tasks`);
    assert.equal(one.helperTasks, 0);
    assert.equal(twoWithoutPool.helperTasks, 0);
    two.outputs.forEach((o, i) => assert.equal(o.hash, one.outputs[i]!.hash, `output ${i} differs between 1 and 2 threads`));
    // Without the pool the stride-1 3x3 filter gradient (output 4) takes XNNPACK's route at two threads
    // (tapsRoutePays), which sums in another order: equal to rounding, not to the bit.
    twoWithoutPool.outputs.forEach((o, i) => {
      if (i !== 4) return assert.equal(o.hash, one.outputs[i]!.hash, `output ${i} differs between 1 and 2 threads without the pool`);
      const reference = one.outputs[i]!.values!, values = o.values!;
      const scale = Math.max(...reference.map(Math.abs));
      const worst = Math.max(...values.map((value, j) => Math.abs(value - reference[j]!)));
      assert.ok(worst <= 1e-5 * scale, `output 4 without the pool: off by ${worst} against values up to ${scale}`);
    });
  });

  it('LAB_KERNEL_POOL accepts on and off and says so otherwise', () => {
    const child = spawnSync(process.execPath, [TSX, CHILD], {
      env: {...process.env, LAB_THREADS: '2', LAB_KERNEL_POOL: 'yes'}, encoding: 'utf8', timeout: 60_000,
    });
    assert.equal(child.status, 1);
    assert.match(child.stderr, /\$LAB_KERNEL_POOL must be 'on' or 'off', got 'yes'/);
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
