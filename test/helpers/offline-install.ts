/**
 * An npm project installed offline, as a user's would be from a tarball:
 * its lockfile is cut from the lab's own package-lock.json (the same
 * versions, already in npm's cache since the lab's `npm ci`), so `npm ci
 * --offline` needs neither the network nor cached registry metadata, which
 * `npm install <tarball>` would ask for to resolve peer dependencies.
 */
import {spawnSync} from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {REPO_ROOT} from '../../lib/root';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, {optional?: boolean}>;
  [field: string]: unknown;
}

/** The lock key `name` resolves to from the package at `from` (nested node_modules first, then up to the root). */
function resolveKey(packages: Record<string, LockEntry>, from: string, name: string): string | null {
  let base = from;
  for (;;) {
    const key = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[key] != null) return key;
    if (base === '') return null;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

/** The entries of the lab's lockfile that `roots` need, with what marked them dev or optional in the lab removed. */
function lockClosure(roots: readonly string[]): Record<string, LockEntry> {
  const lab = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {packages: Record<string, LockEntry>};
  const out: Record<string, LockEntry> = {};
  const add = (key: string) => {
    if (out[key] != null) return;
    const {dev, optional, peer, devOptional, ...entry} = lab.packages[key];
    void dev; void optional; void peer; void devOptional;
    out[key] = entry;
    const needed = {...entry.dependencies, ...entry.peerDependencies};
    for (const name of Object.keys(needed)) {
      if (entry.peerDependenciesMeta?.[name]?.optional) continue;
      const found = resolveKey(lab.packages, key, name);
      if (found == null) throw new Error(`package-lock.json: ${key} needs ${name}, which the lock does not hold`);
      add(found);
    }
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      const found = resolveKey(lab.packages, key, name);
      if (found != null) add(found);
    }
  };
  for (const name of roots) {
    const key = `node_modules/${name}`;
    if (lab.packages[key] == null) throw new Error(`package-lock.json holds no ${key}`);
    add(key);
  }
  return out;
}

export interface Tarball {
  /** The package's name and version, as in its package.json. */
  name: string;
  version: string;
  file: string;
  peerDependencies: Record<string, string>;
}

/**
 * Makes `dir` an npm project depending on `registryPackages` (at the
 * versions the lab's lockfile holds) and `tarball`, and installs it with
 * `npm ci --offline --ignore-scripts`. Throws with npm's output if it fails.
 */
export function installOffline(dir: string, registryPackages: readonly string[], tarball: Tarball): void {
  const entries = lockClosure(registryPackages);
  const dependencies: Record<string, string> = {};
  for (const name of registryPackages) dependencies[name] = entries[`node_modules/${name}`].version!;
  const spec = `file:${path.relative(dir, tarball.file)}`;
  dependencies[tarball.name] = spec;
  const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball.file)).digest('base64')}`;
  entries[`node_modules/${tarball.name}`] = {version: tarball.version, resolved: spec, integrity, peerDependencies: tarball.peerDependencies};
  const project = {name: 'wasm-train-user', version: '1.0.0', private: true, dependencies};
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(project, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({
    name: project.name, version: project.version, lockfileVersion: 3, requires: true,
    packages: {'': {name: project.name, version: project.version, dependencies}, ...entries},
  }, null, 2) + '\n');
  const npm = spawnSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {cwd: dir, encoding: 'utf8'});
  if (npm.status !== 0) throw new Error(`npm ci --offline in ${dir} failed (${npm.status}):\n${npm.stdout}\n${npm.stderr}`);
}
