import * as assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {ROOT} from './cli';

describe('the tests\' temporary folders', () => {
  it('a test file\'s tempDir folders last while it runs and are gone when mocha is done', function () {
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'temp-dirs-test-'));
    const log = `${tmp}.log`;
    try {
      const run = spawnSync(process.execPath, [
        path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--reporter', 'dot',
        path.join('test', 'fixtures', 'temp-dirs-child.ts'),
      ], {cwd: ROOT, env: {...process.env, TMPDIR: tmp, TEMP_DIRS_LOG: log}, encoding: 'utf8'});
      assert.equal(run.status, 0, `the child file failed:\n${run.stdout}\n${run.stderr}`);
      const made = fs.readFileSync(log, 'utf8').trim().split('\n');
      assert.equal(made.length, 2, made.join('\n'));
      for (const dir of made) assert.equal(path.dirname(dir), tmp, `${dir} is not under the child's TMPDIR`);
      for (const dir of made) assert.ok(!fs.existsSync(dir), `${dir} is still there`);
      // tsx keeps its compile cache in TMPDIR on purpose (reused by every run); nothing else may stay.
      assert.deepEqual(fs.readdirSync(tmp).filter(name => !name.startsWith('tsx')), [], 'left behind in TMPDIR');
    } finally {
      fs.rmSync(tmp, {recursive: true, force: true});
      fs.rmSync(log, {force: true});
    }
  });
});
