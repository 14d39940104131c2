/**
 * `cnnlab doctor`: what the lab needs, what is here, and for each missing
 * piece the command that fixes it. Exit code 1 when the lab cannot run.
 */
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {inPack} from '../environment';
import {LAB_VARIABLES, checkEnvironment, unknownVariableNote} from './environment';
import {loadFashionMnist} from '../data/fashion-mnist';
import {locateFashionMnist, missingDataMessage} from '../data/locate';
import {probeAdapter, probeBackends, vulkanDrivers, vulkanLoader} from '../engine';
import {plural} from '../display/format';
import {ROOT, VENV_PYTHON, jupyterEnv, kernelSpecFile, kernelSpecFix} from './paths';

export interface Check {
  name: string;
  ok: boolean;
  /** What was found (a version, a path). */
  found: string;
  /** The command that fixes it, when not ok. */
  fix?: string;
  /** A missing optional piece does not stop the lab. */
  optional?: boolean;
  /** Present but wrong (a bad setting), rather than missing. */
  wrong?: boolean;
}

function pythonVersions(): Check[] {
  if (!fs.existsSync(VENV_PYTHON)) {
    return [{name: 'Python venv (.venv)', ok: false, found: 'missing', fix: 'npm run setup'}];
  }
  const script = 'import sys, json, importlib.metadata as m\n' +
      'print(json.dumps({"python": sys.version.split()[0], **{p: m.version(p) for p in ' +
      '["jupyterlab", "notebook", "nbconvert", "nbclient", "nbformat"]}}))';
  const r = spawnSync(VENV_PYTHON, ['-c', script], {encoding: 'utf8'});
  if (r.status !== 0) {
    return [{name: 'Jupyter (in .venv)', ok: false, found: (r.stderr || '').trim().split('\n').pop() ?? 'error',
             fix: 'rm -rf .venv && npm run setup'}];
  }
  const v = JSON.parse(r.stdout) as Record<string, string>;
  return [
    {name: 'Python (.venv)', ok: true, found: v['python']},
    {name: 'Jupyter', ok: true,
     found: `JupyterLab ${v['jupyterlab']}, Notebook ${v['notebook']}, nbconvert ${v['nbconvert']}, nbclient ${v['nbclient']}`},
  ];
}

function tslabCheck(): Check {
  const pkg = path.join(ROOT, 'node_modules', 'tslab', 'package.json');
  if (!fs.existsSync(pkg)) return {name: 'tslab', ok: false, found: 'not installed', fix: 'npm ci'};
  return {name: 'tslab', ok: true, found: (JSON.parse(fs.readFileSync(pkg, 'utf8')) as {version: string}).version};
}

function kernelSpecCheck(): Check {
  let file: string;
  try {
    file = kernelSpecFile();
  } catch {
    return {name: 'kernel spec', ok: false, found: 'not looked for', fix: 'correct $LAB_JUPYTER_DIR (see its row)'};
  }
  if (!fs.existsSync(file)) {
    return {name: 'kernel spec', ok: false, found: 'missing', fix: kernelSpecFix()};
  }
  if (!fs.existsSync(VENV_PYTHON)) return {name: 'kernel spec', ok: false, found: 'cannot ask Jupyter', fix: 'npm run setup'};
  const r = spawnSync(VENV_PYTHON, ['-m', 'jupyter', 'kernelspec', 'list', '--json'], {encoding: 'utf8', env: jupyterEnv()});
  const specs = r.status === 0 ? (JSON.parse(r.stdout) as {kernelspecs: Record<string, {resource_dir: string}>}).kernelspecs : {};
  const tslab = specs['tslab'];
  return tslab ? {name: 'kernel spec', ok: true, found: `tslab at ${path.relative(ROOT, tslab.resource_dir)}`} :
                 {name: 'kernel spec', ok: false, found: 'Jupyter does not see it', fix: 'npm run setup'};
}

/** Finds the data and reads every file, so a corrupt one is caught here, not mid-chapter. */
function dataCheck(): Check {
  let dir: string | null;
  try {
    dir = locateFashionMnist();
  } catch (error) {
    // A bad $LAB_DATA_DIR: its own row below says what is wrong with it.
    return {name: 'Fashion-MNIST', ok: false, found: 'not looked for', fix: 'correct $LAB_DATA_DIR (see its row)'};
  }
  if (dir == null) {
    const [found, fix] = missingDataMessage().replace('Fashion-MNIST not found: ', '').split('. Fix: ');
    return {name: 'Fashion-MNIST', ok: false, found, fix};
  }
  try {
    const {train, test} = loadFashionMnist(dir);
    return {name: 'Fashion-MNIST', ok: true, found: `${dir} (${train.count} train, ${test.count} test images)`};
  } catch (error) {
    const [found, fix] = (error as Error).message.split('. Fix: ');
    return {name: 'Fashion-MNIST', ok: false, found, fix};
  }
}

function chromiumCheck(): Check {
  return fs.existsSync('/usr/bin/chromium') ?
      {name: 'Chromium (tests only)', ok: true, found: '/usr/bin/chromium', optional: true} :
      {name: 'Chromium (tests only)', ok: false, found: 'missing', fix: 'sudo apt-get install chromium', optional: true};
}

/** One row per LAB_* variable that is set: its value, or what is wrong with it. */
function variableChecks(): Check[] {
  return checkEnvironment().map(c => {
    const variable = LAB_VARIABLES.find(v => v.name === c.name);
    if (c.unknown) return {name: `$${c.name}`, ok: false, optional: true, found: `'${c.value}': ${unknownVariableNote(c.name)}`};
    return c.problem == null ? {name: `$${c.name}`, ok: true, found: c.value} :
        {name: `$${c.name}`, ok: false, wrong: true, found: c.problem, fix: `unset it, or set it to ${variable!.accepts}`};
  });
}

/** The GPU pack's own facts: which lab it carries (no Jupyter in a pack: notebooks run at home). */
function packChecks(): Check[] {
  let version = 'unknown';
  try {
    const v = JSON.parse(fs.readFileSync(path.join(ROOT, 'VERSION.json'), 'utf8')) as {commit: string; date: string; vulkanLoader: string};
    version = `commit ${v.commit}, built ${v.date}; Vulkan loader carried: ${v.vulkanLoader}`;
  } catch { /* an unpacked pack always has it; say so if not */ }
  return [{name: 'GPU pack', ok: true, found: `${ROOT} (${version})`}];
}

export async function runDoctor(): Promise<Check[]> {
  // A bad $LAB_IN_PACK has its own row below; the checks then are a checkout's.
  const packed = (() => { try { return inPack(); } catch { return false; } })();
  const checks: Check[] = [
    {name: 'Node', ok: Number(process.versions.node.split('.')[0]) >= 20, found: `${process.versions.node} (${process.execPath})`,
     fix: 'install Node 20 or newer'},
    ...(packed ? packChecks() : [...pythonVersions(), tslabCheck(), kernelSpecCheck()]),
    dataCheck(),
    ...(packed ? [] : [chromiumCheck()]),
    ...variableChecks(),
  ];
  // webgpu is asked for in a child process (gpu.ts): the loader reads its variables when a process starts.
  const probes = await probeBackends(['webgpu']);
  for (const p of probes) {
    checks.push({
      name: `backend ${p.name}`, ok: p.ok, optional: true,
      found: p.ok ? `${p.device ?? 'loads'}${p.name === 'wasm' || p.name === 'tensorflow' ? `, ${plural(p.threads ?? 1, 'thread')}` : ''}` :
                    p.error ?? 'does not load',
      fix: p.ok ? undefined : 'optional: see docs/engine.md',
    });
  }
  checks.push(...gpuChecks());
  if (!probes.some(p => p.ok)) {
    checks.push({name: 'any TF.js backend', ok: false, found: 'none loads', fix: 'npm ci'});
  }
  return checks;
}

/** The webgpu engine's needs: the Vulkan loader, a driver, and the adapter Dawn finds with them. */
export function gpuChecks(env: NodeJS.ProcessEnv = process.env): Check[] {
  const loader = vulkanLoader(env);
  const drivers = vulkanDrivers(env);
  const used = drivers.filter(d => d.used);
  const hidden = drivers.filter(d => !d.used);
  const adapter = loader == null ? null : probeAdapter(env);
  return [
    loader ? {name: 'Vulkan loader', ok: true, found: loader, optional: true} :
             {name: 'Vulkan loader', ok: false, found: 'libvulkan.so.1 not found', optional: true,
              fix: 'for a GPU through webgpu: sudo apt-get install libvulkan1 (the GPU pack carries one: docs/engine.md)'},
    used.length > 0 ?
        {name: 'Vulkan drivers', ok: true, optional: true, found: used.map(d => `${path.basename(d.file)} (${d.library})`).join(', ') +
            (hidden.length ? `; not read: ${hidden.map(d => d.file).join(', ')}` : '')} :
        {name: 'Vulkan drivers', ok: false, optional: true,
         found: hidden.length ? `none the loader reads; present: ${hidden.map(d => d.file).join(', ')}` : 'no ICD file',
         fix: hidden.length ? `export VK_DRIVER_FILES=${hidden[0].file}` : 'install your GPU vendor\'s Vulkan driver'},
    adapter?.ok ?
        {name: 'backend webgpu', ok: true, optional: true,
         found: `${adapter.adapter}${adapter.software ? ' (a software rasteriser, not a GPU: slower than wasm, so auto passes it by)' : ''}`} :
        {name: 'backend webgpu', ok: false, optional: true, found: adapter?.error ?? 'no Vulkan loader',
         fix: 'optional: a GPU with its Vulkan driver (docs/engine.md)'},
  ];
}

export function formatChecks(checks: readonly Check[]): string {
  const width = Math.max(...checks.map(c => c.name.length));
  return checks.map(c => {
    const mark = c.ok ? 'ok  ' : c.optional ? 'info' : c.wrong ? 'BAD' : 'MISSING';
    const line = `${mark.padEnd(7)} ${c.name.padEnd(width)}  ${c.found}`;
    return c.ok || !c.fix ? line : `${line}\n${''.padEnd(9 + width)}  fix: ${c.fix}`;
  }).join('\n');
}

export function labCanRun(checks: readonly Check[]): boolean {
  return checks.every(c => c.ok || c.optional);
}
