/**
 * Folders the tests make under $TMPDIR, removed when their test file ends
 * (the root hook in test/setup-hooks.ts), so `npm test` leaves nothing behind:
 * a run used to leave some 200 MB there, most of it the pack test's.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made = new Set<string>();

/** A new empty folder `$TMPDIR/cnnlab-PREFIX-XXXXXX`, removed after this test file. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cnnlab-${prefix}-`));
  made.add(dir);
  return dir;
}

/** Removes every folder `tempDir` made in this process; returns how many. */
export function removeTempDirs(): number {
  const count = made.size;
  for (const dir of made) fs.rmSync(dir, {recursive: true, force: true});
  made.clear();
  return count;
}
