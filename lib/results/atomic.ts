import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Writes a file so that readers see either the old content or the new, never
 * a half-written file: write a temporary sibling, flush it, rename over.
 * The temporary name holds the host, the process and random bytes: writers on
 * several machines of a cluster share one folder, and their process ids and
 * clocks can coincide. Two writers of one file leave one of their contents,
 * whole (rename replaces atomically, on NFS too).
 */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, {recursive: true});
  const unique = `${os.hostname()}.${process.pid}.${crypto.randomBytes(6).toString('hex')}`;
  const tmp = path.join(dir, `.${path.basename(file)}.${unique}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, {force: true});
    throw error;
  }
}
