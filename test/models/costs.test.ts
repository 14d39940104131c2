/**
 * The one cost cache (lib/models/costs.ts): the same answer as building and
 * costing the network, kept on disk and read back by the next process,
 * ignored when it was made by other code.
 */
import {strict as assert} from 'node:assert';
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {costOf} from '../../lib/cost';
import {buildModel} from '../../lib/models';
import {COST_CACHE, networkCost, useCostCacheFile} from '../../lib/models/costs';
import {ROOT, tempDir} from '../helpers/cli';

const NETWORK = ['mobilenet_v1', {width: 0.25, resolution: 32, depth: 3}] as const;

/** networkCost's MACs for NETWORK in a fresh process using `file`. */
function macsInAnotherProcess(file: string): number {
  const script = `const c = require('./lib/models/costs'); c.useCostCacheFile(${JSON.stringify(file)});` +
      `process.stdout.write(String(c.networkCost(${JSON.stringify(NETWORK[0])}, ${JSON.stringify(NETWORK[1])}).totals.macs));`;
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], {cwd: ROOT, encoding: 'utf8'});
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim().split('\n').pop());
}

describe('the network cost cache', function () {
  this.timeout(120_000);

  it('gives what building and costing gives, whatever the order of the options, and keeps it on disk', async () => {
    const file = path.join(tempDir('costs'), 'network-costs.json');
    useCostCacheFile(file);
    const model = buildModel(NETWORK[0], {...NETWORK[1]});
    const built = costOf(model).totals;
    model.dispose();
    assert.deepEqual(networkCost(NETWORK[0], {...NETWORK[1]}).totals, built);
    assert.deepEqual(networkCost(NETWORK[0], {depth: 3, resolution: 32, width: 0.25}).totals, built);
    // The file is written once the synchronous work is done.
    await new Promise(resolve => setImmediate(resolve));
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as {code: string; networks: Record<string, unknown>};
    assert.equal(Object.keys(kept.networks).length, 1, 'one network, under one key');
    assert.match(kept.code, /^[0-9a-f]{20}$/);
    // Later tests in this process use the project's cache again: a temporary file here would outlive its folder.
    useCostCacheFile(COST_CACHE);
  });

  it('a later process reads the file instead of building; a file made by other code is ignored', () => {
    const file = path.join(tempDir('costs'), 'network-costs.json');
    const real = macsInAnotherProcess(file);
    assert.ok(real > 0);
    // Mark the kept answer: a process that reuses it reports the mark, one that builds reports the real value.
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as {code: string; networks: Record<string, {layers: Array<{macs: number}>}>};
    const [entry] = Object.values(kept.networks);
    entry.layers.forEach(l => { l.macs = 0; });
    entry.layers[0].macs = 12345;
    fs.writeFileSync(file, JSON.stringify(kept));
    assert.equal(macsInAnotherProcess(file), 12345, 'reused from disk');
    fs.writeFileSync(file, JSON.stringify({...kept, code: 'other code'}));
    assert.equal(macsInAnotherProcess(file), real, 'recomputed: the file came from other code');
  });
});
