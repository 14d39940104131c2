/** The results store and sweeps: atomic records, reuse, corrupt files, resume after a kill. */
import {strict as assert} from 'node:assert';
import {spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {ResultsStore, canonicalJson, configKey, runSweep} from '../../lib/results';
import {ROOT, tempDir} from '../helpers/cli';

describe('results store', () => {
  it('keys a config by its content, not the order of its keys', () => {
    assert.equal(configKey({a: 1, b: {c: [1, 2], d: 'x'}}), configKey({b: {d: 'x', c: [1, 2]}, a: 1}));
    assert.notEqual(configKey({a: 1}), configKey({a: 2}));
    assert.equal(canonicalJson({b: 1, a: [true, null]}), '{"a":[true,null],"b":1}');
    assert.throws(() => canonicalJson({x: NaN}), /config value NaN cannot be stored/);
  });

  it('stores and finds a record; a different config misses', () => {
    const store = new ResultsStore(tempDir('store'));
    store.put({model: 'm', seed: 1}, {accuracy: 0.9});
    assert.deepEqual(store.get({seed: 1, model: 'm'})?.result, {accuracy: 0.9});
    assert.equal(store.get({model: 'm', seed: 2}), null);
    assert.deepEqual(fs.readdirSync(store.dir).filter(f => !f.endsWith('.json')), [], 'no temporary files left');
  });

  it('reports a corrupt record and skips it instead of failing', () => {
    const store = new ResultsStore(tempDir('store'));
    store.put({run: 1}, {ok: true});
    store.put({run: 2}, {ok: true});
    fs.writeFileSync(store.fileFor({run: 2}), '{"format": 1, "key": "trunc');
    assert.equal(store.get({run: 2}), null);
    assert.equal(store.list().length, 1);
    assert.equal(store.problems.length, 2);
    assert.match(store.problems[0].problem, /corrupt, skipped \(delete it to re-run\)/);
    assert.match(store.problems[0].file, /\.json$/);
  });

  it('a sweep reuses stored runs and runs only the missing ones', async () => {
    const store = new ResultsStore(tempDir('sweep'));
    const configs = [1, 2, 3].map(i => ({i}));
    let calls = 0;
    const runOne = async (c: {i: number}) => { calls++; return {square: c.i * c.i}; };
    const first = await runSweep(configs, runOne, {store, progress: 'silent'});
    assert.deepEqual([first.ran, first.reused, calls], [3, 0, 3]);
    const second = await runSweep([...configs, {i: 4}], runOne, {store, progress: 'silent'});
    assert.deepEqual([second.ran, second.reused, calls], [1, 3, 4]);
    assert.deepEqual(second.records.map(r => r.result.square), [1, 4, 9, 16]);
    const fresh = await runSweep(configs, runOne, {store, progress: 'silent', fresh: true});
    assert.equal(fresh.ran, 3);
  });

  it('a sweep killed with SIGKILL keeps every finished record, and resumes', async function () {
    this.timeout(60_000);
    const dir = tempDir('killed');
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(ROOT, 'test', 'fixtures', 'sweep-child.ts'), dir, '10'],
                        {cwd: ROOT, stdio: 'ignore'});
    // Kill it once a few records exist, mid-way through another run.
    await new Promise<void>(resolve => {
      const timer = setInterval(() => {
        if (fs.existsSync(dir) && fs.readdirSync(dir).filter(f => f.endsWith('.json')).length >= 3) {
          clearInterval(timer);
          setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 150);
        }
      }, 20);
    });
    await new Promise(resolve => child.once('exit', resolve));
    const store = new ResultsStore(dir);
    const kept = store.list();
    assert.ok(kept.length >= 3 && kept.length < 10, `kept ${kept.length}`);
    assert.deepEqual(store.problems, [], 'every file that looks like a record is a whole record');
    const configs = Array.from({length: 10}, (_, i) => ({experiment: 'kill-test', index: i}));
    const resumed = await runSweep(configs, async c => ({value: c.index * 10}), {store, progress: 'silent'});
    assert.equal(resumed.reused, kept.length);
    assert.equal(resumed.ran, 10 - kept.length);
    assert.deepEqual(resumed.records.map(r => r.result.value), configs.map(c => c.index * 10));
  });
});
