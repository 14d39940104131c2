/**
 * A records folder that cannot take a record: a real full file system (a
 * 64 KiB tmpfs in a mount namespace of the test's own, so nothing on the
 * machine changes) and the same file system read-only. The message says
 * where and why, nothing temporary is left in the records folder, and the
 * trained result is saved elsewhere or said to be lost.
 */
import {strict as assert} from 'node:assert';
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {ROOT, tempDir} from '../helpers/cli';

/** unshare's flags for a mount namespace where this user may mount a tmpfs: its own as root, else with a user namespace. */
function namespaceFlags(): string[] | null {
  for (const flags of [['--mount'], ['--user', '--map-root-user', '--mount']]) {
    const probe = spawnSync('unshare', [...flags, 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"']);
    if (probe.status === 0) return flags;
  }
  return null;
}

describe('results store on a full or read-only disk', function () {
  this.timeout(60_000);

  it('says where and why, leaves nothing temporary, and saves the trained result elsewhere (or says it could not)', function () {
    const flags = namespaceFlags();
    if (flags == null) {
      console.log('      (skipped: unshare cannot make a mount namespace with a tmpfs here: needs root or user namespaces)');
      this.skip();
    }
    const work = tempDir('full-disk');
    const mounted = path.join(work, 'disk');
    const rescue = path.join(work, 'tmp');
    fs.mkdirSync(mounted);
    fs.mkdirSync(rescue);
    const child = path.join(ROOT, 'test', 'fixtures', 'full-disk-child.ts');
    const r = spawnSync('unshare', [...flags!, 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$1" && exec "$2" -r tsx/cjs "$3" "$1"',
                                    'sh', mounted, process.execPath, child],
                        {cwd: ROOT, encoding: 'utf8', env: {...process.env, TMPDIR: rescue}});
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const records = path.join(mounted, 'records');
    const saved = path.join(rescue, 'cnnlab-unsaved-records');

    // 1. The disk is full: the record goes to the temporary folder, and the message says so.
    assert.match(out.full.error, new RegExp(`^could not write the record of mobilenet_v1, seed 1 to ${records}/\\w+\\.json: ` +
                                            `no space left on the device \\(ENOSPC\\); nothing was left in ${records}\\. ` +
                                            `The trained result is saved in ${saved}/\\w+\\.json: once there is room, move it into ${records}`));
    assert.equal(path.dirname(out.full.savedTo), saved);
    assert.deepEqual(out.full.savedRecord.result.accuracy, 0.875);
    assert.equal(out.full.savedRecord.config.seed, 1);
    assert.deepEqual(out.full.left.filter((f: string) => !f.endsWith('.json') || f.startsWith('.')), [], 'no temporary file left');
    assert.equal(out.full.left.length, 1, 'only the record written before the disk filled');

    // 2. Read-only: the same, with the reason.
    assert.match(out.readOnly.error, /to .*: the file system is read-only \(EROFS\); nothing was left in .* The trained result is saved in /);
    assert.equal(out.readOnly.savedRecord.config.seed, 2);

    // 3. Nowhere to save it: the message says the run must be trained again, and that earlier records are kept.
    assert.match(out.nowhere.error, /could not be saved in .*elsewhere\/cnnlab-unsaved-records either \(the file system is read-only \(EROFS\)\): the run must be trained again/);
    assert.equal(out.nowhere.savedTo, null);
    assert.deepEqual(out.kept, {accuracy: 0.5}, 'the record written before is intact');
  });
});
