/**
 * bench/torch_categories_peer.py, with Debian's python3-torch (installed by
 * .ci/run): PyTorch's profiled step of a benchmark net comes back in the
 * kernel clock's categories, its convolutions, their gradients and batch
 * norm among them, and the categories' sum fits inside the step.
 */
import {strict as assert} from 'node:assert';
import {spawnSync} from 'node:child_process';
import * as path from 'node:path';

import {KERNEL_CATEGORIES} from '../../lib/bench/kernel-clock';
import {lastJsonLine} from '../../lib/bench/child-output';
import {torchVersion} from '../../lib/bench/speed';
import {REPO_ROOT} from '../../lib/root';

const PYTHON = '/usr/bin/python3';

describe('bench: PyTorch\'s step by category', function () {
  this.timeout(120_000);

  it('splits the tiny net\'s profiled step into the clock\'s categories', function () {
    if (torchVersion(PYTHON) == null) this.skip();  // the suite's machines have python3-torch; a bare one may not
    const script = path.join(REPO_ROOT, 'bench', 'torch_categories_peer.py');
    const r = spawnSync(PYTHON, [script, 'tiny', '28', '1', '1', '2'], {encoding: 'utf8', cwd: path.dirname(script)});
    assert.equal(r.status, 0, r.stderr);
    const out = lastJsonLine<{net: string; threads: number; stepMs: number; unprofiledStepMs: number; categoryMs: Record<string, number>}>(
        r.stdout, 'torch_categories_peer.py');
    assert.equal(out.net, 'tiny');
    assert.equal(out.threads, 1);
    for (const name of Object.keys(out.categoryMs)) assert.ok((KERNEL_CATEGORIES as readonly string[]).includes(name), name);
    for (const name of ['convolutions, forward', 'convolution gradients', 'batch norm', 'pooling', 'optimiser (Adam)']) {
      assert.ok((out.categoryMs[name] ?? 0) > 0, `${name}: ${out.categoryMs[name]}`);
    }
    const inKernels = Object.values(out.categoryMs).reduce((a, b) => a + b, 0);
    assert.ok(inKernels > 0 && inKernels < out.stepMs, `${inKernels} ms in kernels of a ${out.stepMs} ms step`);
    assert.ok(out.unprofiledStepMs > 0);
  });
});
