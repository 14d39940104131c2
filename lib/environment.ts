/**
 * Readers for the LAB_* environment variables that name folders or flags,
 * shared by the modules that read them (results, data, engine, CLI). A
 * variable is input like a command-line option: a bad value is an error that
 * names the variable, the value and what is accepted, raised where it is
 * read and before anything is written. An empty value counts as unset, as
 * `LAB_X= cnnlab ...` means in a shell.
 *
 * Which variables exist, and what each accepts, is listed in one table:
 * lib/cli/environment.ts (what `cnnlab doctor` shows and every command
 * checks before it starts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The value of `name`, or null when unset or empty. */
export function envValue(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env[name];
  return value == null || value === '' ? null : value;
}

function kindOf(stat: fs.Stats): string {
  return stat.isFile() ? 'a file' : stat.isSymbolicLink() ? 'a link' : 'not a folder';
}

/**
 * The folder a variable names, resolved, or null when it is unset.
 * `create`: the folder may be missing (the lab makes it, e.g. a records
 * folder); then the nearest part of the path that exists must be a folder
 * the lab can write into. Otherwise the folder must exist.
 */
export function folderFromEnv(name: string, options: {create: boolean; accepts?: string},
                              env: NodeJS.ProcessEnv = process.env): string | null {
  const value = envValue(name, env);
  if (value == null) return null;
  const dir = path.resolve(value);
  const accepts = options.accepts ?? (options.create ? 'a folder (made if missing)' : 'an existing folder');
  const refuse = (why: string) => new Error(`$${name} must be ${accepts}, got '${value}': ${why}`);
  let stat: fs.Stats | null = null;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') {
      throw refuse((error as Error).message);
    }
  }
  if (stat != null) {
    if (!stat.isDirectory()) throw refuse(`it is ${kindOf(stat)}`);
    if (options.create) assertWritable(dir, refuse);
    return dir;
  }
  if (!options.create) throw refuse('it does not exist');
  // The nearest existing part of the path must be a folder the lab can write into.
  let existing = path.dirname(dir);
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const parent = fs.statSync(existing);
  if (!parent.isDirectory()) throw refuse(`${existing} is ${kindOf(parent)}`);
  assertWritable(existing, refuse);
  return dir;
}

function assertWritable(dir: string, refuse: (why: string) => Error): void {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw refuse(`${dir} is not writable by this user`);
  }
}

/** Set by the GPU pack's entry (lib/cli/pack-entry.ts) in the pack's own process; '1' or unset. */
export const IN_PACK_ENV = 'LAB_IN_PACK';

/** Whether this process is the GPU pack's bundled lab. */
export function inPack(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = envValue(IN_PACK_ENV, env);
  if (value == null) return false;
  if (value !== '1') {
    throw new Error(`$${IN_PACK_ENV} must be 1 or unset (the GPU pack sets it for its own process), got '${value}': unset it`);
  }
  return true;
}
