/** The results store and sweeps: atomic records, reuse, corrupt files, resume after a kill. */
import {strict as assert} from 'node:assert';
import {spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {ResultsStore, canonicalJson, configKey} from '../../lib/results';
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

  it('getOrRun reuses a stored run and runs only a missing one (or every one when fresh)', async () => {
    const store = new ResultsStore(tempDir('sweep'));
    let calls = 0;
    const runOne = async (c: {i: number}) => { calls++; return {square: c.i * c.i}; };
    const sweep = async (configs: Array<{i: number}>, fresh = false) => {
      const outcomes = [];
      for (const c of configs) outcomes.push(await store.getOrRun(c, () => runOne(c), {fresh}));
      return outcomes;
    };
    const configs = [1, 2, 3].map(i => ({i}));
    assert.deepEqual((await sweep(configs)).map(o => o.reused), [false, false, false]);
    assert.equal(calls, 3);
    const second = await sweep([...configs, {i: 4}]);
    assert.deepEqual(second.map(o => o.reused), [true, true, true, false]);
    assert.equal(calls, 4);
    assert.deepEqual(second.map(o => o.record.result.square), [1, 4, 9, 16]);
    assert.deepEqual((await sweep(configs, true)).map(o => o.reused), [false, false, false]);
    assert.equal(calls, 7);
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
    const resumed = [];
    for (const c of configs) resumed.push(await store.getOrRun(c, async () => ({value: c.index * 10})));
    assert.equal(resumed.filter(o => o.reused).length, kept.length);
    assert.deepEqual(resumed.map(o => o.record.result.value), configs.map(c => c.index * 10));
  });

  it('writers of the same record at once (two cluster tasks given one run) leave one whole record and no temporary files', async function () {
    this.timeout(60_000);
    const dir = tempDir('same-record');
    const writers = [1, 2, 3].map(writer => spawn(process.execPath,
        ['-r', 'tsx/cjs', path.join(ROOT, 'test', 'fixtures', 'same-record-child.ts'), dir, String(writer), '150'], {cwd: ROOT, stdio: 'inherit'}));
    const exited = writers.map(child => new Promise<number | null>(resolve => child.once('exit', resolve)));
    // Read while they write: every read sees a whole record or none yet.
    const store = new ResultsStore(dir);
    let reads = 0;
    let done = false;
    void Promise.all(exited).then(() => { done = true; });
    while (!done) {
      const record = store.get<{experiment: string}, {writer: number; i: number; padding: string}>({experiment: 'same-record'});
      if (record != null) {
        reads++;
        assert.equal(record.result.padding.length, 64 * 1024);
      }
      await new Promise(resolve => setImmediate(resolve));
    }
    assert.deepEqual(await Promise.all(exited), [0, 0, 0]);
    assert.deepEqual(store.problems, [], 'no read met a torn record');
    assert.ok(reads > 0, 'the reader saw the record while it was being written');
    const last = store.get<{experiment: string}, {writer: number; i: number}>({experiment: 'same-record'});
    assert.ok(last != null && [1, 2, 3].includes(last.result.writer) && last.result.i === 149, JSON.stringify(last?.result.i));
    assert.deepEqual(fs.readdirSync(dir), [path.basename(store.fileFor({experiment: 'same-record'}))]);
  });
});
