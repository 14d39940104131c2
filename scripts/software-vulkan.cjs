#!/usr/bin/env node
/**
 * A software Vulkan driver for the webgpu tests, inside the project:
 * Mesa's lavapipe and the Vulkan loader, as Debian packages downloaded with
 * apt into .cache/vulkan/ and unpacked there with `dpkg -x`. Nothing is
 * installed on the system and no root is needed: apt reads the system's
 * package list only to leave out what the machine already has. The loader
 * is always carried, even where the system has Debian's libvulkan1: the
 * tests then use the same loader on every machine, and doctor's answer does
 * not depend on what else is installed.
 *
 * Dawn refuses Debian 12's Mesa 22.3, so on bookworm the packages come from
 * bookworm-backports (Mesa 25); on newer Debian, from its own release.
 *
 * The driver is used through the loader's own variables, in the processes
 * that run webgpu (test/engine/webgpu.test.ts starts them):
 *   VK_DRIVER_FILES=<.cache/vulkan/lvp_icd.json>  LD_LIBRARY_PATH=<its lib folder>
 * `softwareVulkanEnv()` returns them, or says why there are none.
 *
 * Usage: node scripts/software-vulkan.cjs [--quiet]   (npm test runs it)
 */
'use strict';
const {spawnSync} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIR = path.join(ROOT, '.cache', 'vulkan');
const READY = path.join(DIR, 'ready.json');
const PACKAGES = ['mesa-vulkan-drivers', 'libvulkan1'];
/** Dawn accepts lavapipe from this Mesa major version on. */
const MIN_MESA = 24;

function codename() {
  const release = fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf8') : '';
  const id = /^ID=(.*)$/m.exec(release)?.[1]?.replace(/"/g, '');
  const name = /^VERSION_CODENAME=(.*)$/m.exec(release)?.[1]?.replace(/"/g, '');
  return id === 'debian' && name ? name : null;
}

/** apt with its lists, cache and sources under .cache/vulkan/apt, never the system's. */
function apt(tool, args, cwd = DIR) {
  const state = path.join(DIR, 'apt');
  const options = [
    `-o`, `Dir::Etc::SourceList=${path.join(state, 'sources.list')}`, '-o', 'Dir::Etc::SourceParts=/dev/null',
    '-o', `Dir::State::Lists=${path.join(state, 'lists')}`, '-o', `Dir::Cache=${path.join(state, 'cache')}`,
    '-o', 'Debug::NoLocking=1', '-o', 'APT::Get::List-Cleanup=0',
  ];
  return spawnSync(tool, [...options, ...args], {cwd, encoding: 'utf8'});
}

/** The local driver, or {reason} why there is none. Downloads and unpacks on first use. */
function prepare(say) {
  if (fs.existsSync(READY)) {
    try {
      const ready = JSON.parse(fs.readFileSync(READY, 'utf8'));
      if (fs.existsSync(ready.driverFiles) && fs.existsSync(path.join(ready.libraryPath, 'libvulkan.so.1'))) return ready;
    } catch { /* prepare again */ }
  }
  if (!fs.existsSync('/usr/bin/apt-get') || !fs.existsSync('/usr/bin/dpkg')) {
    return {reason: 'no apt-get/dpkg here (not Debian): install Mesa >= 24 with its Vulkan driver to run the webgpu tests'};
  }
  const name = codename();
  if (name == null) return {reason: 'not a Debian release: install Mesa >= 24 with its Vulkan driver to run the webgpu tests'};
  const backports = name === 'bookworm';
  const state = path.join(DIR, 'apt');
  for (const dir of ['lists/partial', 'cache/archives/partial', '../debs', '../root']) fs.mkdirSync(path.join(state, dir), {recursive: true});
  fs.writeFileSync(path.join(state, 'sources.list'), `deb http://deb.debian.org/debian ${name} main\n` +
      (backports ? `deb http://deb.debian.org/debian ${name}-backports main\n` : ''));
  say(`downloading Mesa's software Vulkan driver into ${path.relative(ROOT, DIR)}/ (Debian packages, nothing installed on the system)`);
  const update = apt('apt-get', ['-qq', 'update']);
  if (update.status !== 0) return {reason: `apt-get update for .cache/vulkan failed: ${(update.stderr || '').trim().split('\n').pop()}`};
  // What the machine lacks of the driver and its dependencies, as apt would install it.
  const plan = apt('apt-get', ['-qq', '--print-uris', '--no-install-recommends', ...(backports ? ['-t', `${name}-backports`] : []),
                               'install', ...PACKAGES]);
  if (plan.status !== 0) return {reason: `apt could not resolve ${PACKAGES.join(', ')}: ${(plan.stderr || '').trim().split('\n').pop()}`};
  const wanted = [...plan.stdout.matchAll(/^'[^']+' (\S+?)_(\S+?)_\S+\.deb /gm)].map(m => `${m[1]}=${decodeURIComponent(m[2])}`);
  // apt leaves out a libvulkan1 the system has; the loader is carried all the same (see above).
  if (!wanted.some(w => w.startsWith('libvulkan1='))) wanted.push('libvulkan1');
  const debs = path.join(DIR, 'debs');
  if (wanted.length > 0) {
    const download = apt('apt-get', ['-qq', 'download', ...wanted], debs);
    if (download.status !== 0) return {reason: `apt-get download failed: ${(download.stderr || '').trim().split('\n').pop()}`};
  }
  const root = path.join(DIR, 'root');
  fs.rmSync(root, {recursive: true, force: true});
  fs.mkdirSync(root, {recursive: true});
  for (const deb of fs.readdirSync(debs).filter(f => f.endsWith('.deb'))) {
    const unpack = spawnSync('dpkg', ['-x', path.join(debs, deb), root], {encoding: 'utf8'});
    if (unpack.status !== 0) return {reason: `dpkg -x ${deb} failed: ${unpack.stderr.trim()}`};
  }
  // The driver where it was unpacked, else the system's (when the machine already had it).
  const libDir = path.join(root, 'usr', 'lib', 'x86_64-linux-gnu');
  const localDriver = path.join(libDir, 'libvulkan_lvp.so');
  const driver = fs.existsSync(localDriver) ? localDriver : '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so';
  if (!fs.existsSync(driver)) return {reason: `no libvulkan_lvp.so after unpacking ${wanted.join(' ')}`};
  if (!fs.existsSync(path.join(libDir, 'libvulkan.so.1'))) return {reason: `no libvulkan.so.1 after unpacking ${wanted.join(' ')}`};
  const mesa = /mesa-vulkan-drivers=(\d+)/.exec(wanted.join(' '))?.[1];
  if (mesa != null && Number(mesa) < MIN_MESA) return {reason: `Mesa ${mesa} is too old for Dawn (needs ${MIN_MESA}+)`};
  const driverFiles = path.join(DIR, 'lvp_icd.json');
  fs.writeFileSync(driverFiles, JSON.stringify({file_format_version: '1.0.0', ICD: {library_path: driver, api_version: '1.3.0'}}, null, 2) + '\n');
  const ready = {driverFiles, libraryPath: libDir, packages: wanted};
  fs.writeFileSync(READY, JSON.stringify(ready, null, 2) + '\n');
  // Only the unpacked files are needed from here on.
  fs.rmSync(debs, {recursive: true, force: true});
  fs.rmSync(state, {recursive: true, force: true});
  return ready;
}

/**
 * Environment for a process that should see the software driver, or
 * {reason} why there is none. Prepares it on first use.
 */
function softwareVulkanEnv(say = () => {}) {
  const ready = prepare(say);
  if (ready.reason) return ready;
  return {env: {VK_DRIVER_FILES: ready.driverFiles, VK_ICD_FILENAMES: ready.driverFiles,
                LD_LIBRARY_PATH: [ready.libraryPath, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':')}};
}

module.exports = {softwareVulkanEnv, SOFTWARE_VULKAN_DIR: DIR};

if (require.main === module) {
  const quiet = process.argv.includes('--quiet');
  const result = softwareVulkanEnv(msg => { if (!quiet) process.stderr.write(`[setup] ${msg}\n`); });
  if (!quiet) {
    process.stderr.write(result.reason ? `[setup] the webgpu tests will be skipped: ${result.reason}\n` :
                                         `[setup] software Vulkan for the webgpu tests: ${path.relative(ROOT, DIR)}/\n`);
  }
}
