/**
 * What the webgpu engine needs of a machine, found the way the Vulkan
 * loader finds it: the loader library (libvulkan.so.1), the drivers' ICD
 * files (NVIDIA ships nvidia_icd.json, sometimes only in the driver's own
 * folder, reached through VK_DRIVER_FILES), and the adapter Dawn sees.
 * `cnnlab doctor` shows all three and what is missing.
 *
 * The adapter is asked for in a child process (webgpu-adapter.ts): Dawn
 * prints its limit warnings to the process's stderr from native code, and
 * the loader reads its environment only when a process starts.
 */
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/lib64', '/usr/lib', '/usr/local/lib'];
/** Where the loader looks for drivers when no variable says otherwise, plus NVIDIA's container folder. */
const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/local/nvidia/share/vulkan/icd.d'];

const split = (value: string | undefined) => (value ?? '').split(':').filter(Boolean);

/** libvulkan.so.1 where the dynamic linker would find it: LD_LIBRARY_PATH first, then the usual folders. */
export function vulkanLoader(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of [...split(env['LD_LIBRARY_PATH']), ...LIBRARY_DIRS]) {
    const file = path.join(dir, 'libvulkan.so.1');
    if (fs.existsSync(file)) return file;
  }
  return null;
}

export interface VulkanDriver {
  /** The ICD file. */
  file: string;
  /** The driver library it names. */
  library: string;
  /** Whether the loader will read it: named by VK_DRIVER_FILES/VK_ICD_FILENAMES or in a folder it searches. */
  used: boolean;
}

function driverOf(file: string, used: boolean): VulkanDriver | null {
  try {
    const icd = JSON.parse(fs.readFileSync(file, 'utf8')) as {ICD?: {library_path?: string}};
    return {file, library: icd.ICD?.library_path ?? '?', used};
  } catch {
    return null;
  }
}

function icdFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter(f => f.endsWith('.json')).sort().map(f => path.join(dir, f));
  } catch {
    return [];
  }
}

/**
 * The driver files on this machine. With VK_DRIVER_FILES (or the older
 * VK_ICD_FILENAMES) set, the loader reads only those; the others are listed
 * as present but unused, so a driver hidden in a vendor folder is visible.
 */
export function vulkanDrivers(env: NodeJS.ProcessEnv = process.env): VulkanDriver[] {
  const named = split(env['VK_DRIVER_FILES'] ?? env['VK_ICD_FILENAMES'])
      .flatMap(p => fs.existsSync(p) && fs.statSync(p).isDirectory() ? icdFiles(p) : [p]);
  const standard = ICD_DIRS.slice(0, 3).flatMap(icdFiles);
  const vendor = ICD_DIRS.slice(3).flatMap(icdFiles);
  const drivers = named.length > 0 ?
      [...named.map(f => driverOf(f, true)), ...[...standard, ...vendor].filter(f => !named.includes(f)).map(f => driverOf(f, false))] :
      [...standard.map(f => driverOf(f, true)), ...vendor.map(f => driverOf(f, false))];
  return drivers.filter((d): d is VulkanDriver => d != null);
}

export interface AdapterProbe {
  ok: boolean;
  /** vendor, architecture, description as Dawn reports them. */
  adapter?: string;
  software?: boolean;
  error?: string;
}

/** True when a WebGPU adapter is a software rasteriser (lavapipe, SwiftShader). */
export function isSoftwareAdapter(device: string): boolean {
  return /llvmpipe|lavapipe|swiftshader|software|cpu/i.test(device);
}

/** The adapter Dawn would use, asked in a child process with `env`; Dawn's own warnings are left out. */
export function probeAdapter(env: NodeJS.ProcessEnv = process.env): AdapterProbe {
  const script = path.join(__dirname, `webgpu-adapter${path.extname(__filename)}`);
  const args = path.extname(__filename) === '.ts' ? ['-r', 'tsx/cjs', script] : [script];
  const child = spawnSync(process.execPath, args, {env, encoding: 'utf8', timeout: 60_000});
  const line = child.stdout?.trim().split('\n').pop() ?? '';
  try {
    const result = JSON.parse(line) as AdapterProbe;
    return result.adapter ? {...result, software: isSoftwareAdapter(result.adapter)} : result;
  } catch {
    const reason = (child.stderr ?? '').split('\n').filter(l => l.trim() && !/artificially reduced/.test(l)).pop();
    return {ok: false, error: `the adapter probe failed (exit ${child.status ?? child.signal})${reason ? `: ${reason}` : ''}`};
  }
}
