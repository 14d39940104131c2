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
 * whole (rename replaces atomically, on NFS too). A write that fails (a
 * full disk, no permission) leaves no temporary file behind and the old
 * content, if any, in place.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const dir = path.dirname(file);
  makeFolder(dir);
  const unique = `${os.hostname()}.${process.pid}.${crypto.randomBytes(6).toString('hex')}`;
  const tmp = path.join(dir, `.${path.basename(file)}.${unique}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    try {
      fs.writeFileSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, {force: true});
    throw error;
  }
}

/** mkdir -p, failing with the real cause. */
function makeFolder(dir: string): void {
  try {
    fs.mkdirSync(dir, {recursive: true});
  } catch (error) {
    // Node's recursive mkdir says ENOENT for any failure under an existing
    // folder (a read-only file system, no permission): ask once more without it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync(path.dirname(dir))) fs.mkdirSync(dir);
    throw error;
  }
}

/** Why a write failed, in words, from its error code. */
export function writeFailureReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOSPC: 'no space left on the device', EDQUOT: 'the disk quota is used up', EACCES: 'permission denied',
    EPERM: 'operation not permitted', EROFS: 'the file system is read-only', ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'a part of the path is a file, not a folder', EIO: 'an input/output error from the device',
  };
  return code != null && code in reasons ? `${reasons[code]} (${code})` : (error as Error).message;
}
