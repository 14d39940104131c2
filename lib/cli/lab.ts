/**
 * `cnnlab lab`: JupyterLab on 127.0.0.1 only, with a random token, the
 * lab's tslab kernel as the default, and the repository as its root.
 */
import {ChildProcess, spawn} from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {JUPYTER_LOCAL, ROOT, VENV_PYTHON, jupyterEnv} from './paths';
import {checkRunnable} from './run';

export interface LabOptions {
  port?: number;
  token?: string;
  /** Extra environment for the server and its kernels (e.g. LAB_BUDGET). */
  env?: NodeJS.ProcessEnv;
  /** Extra JupyterLab command-line options. */
  extraArgs?: string[];
}

export interface LabServer {
  url: string;
  token: string;
  port: number;
  process: ChildProcess;
}

/**
 * JupyterLab's command line. The token is not on it: every user of a shared
 * machine can read command lines (`ps`), so it goes in the server's
 * environment (JUPYTER_TOKEN), which only its owner can read.
 */
export function labArgs(port: number): string[] {
  const args = [
    '-m', 'jupyterlab', '--no-browser',
    '--ServerApp.ip=127.0.0.1',
    `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=0',
    `--ServerApp.root_dir=${ROOT}`,
    '--MappingKernelManager.default_kernel_name=tslab',
    '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
  ];
  if (process.getuid?.() === 0) args.push('--allow-root');
  return args;
}

/**
 * The lab works offline: JupyterLab's news feed and update check would only
 * fail, so they are off unless the user has chosen otherwise.
 */
function writeDefaultSettings(): void {
  const file = path.join(JUPYTER_LOCAL, 'config', 'lab', 'user-settings', '@jupyterlab', 'apputils-extension',
                         'notification.jupyterlab-settings');
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), {recursive: true});
  fs.writeFileSync(file, JSON.stringify({fetchNews: 'false', checkForUpdates: false}, null, 2) + '\n');
}

/** Starts JupyterLab and resolves once it accepts connections. */
export async function startLab(options: LabOptions = {}): Promise<LabServer> {
  checkRunnable();
  const port = options.port ?? 8888;
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new Error(`--port must be a whole number from 1024 to 65535, got ${port}`);
  }
  const token = options.token ?? crypto.randomBytes(24).toString('hex');
  writeDefaultSettings();
  const child = spawn(VENV_PYTHON, [...labArgs(port), ...(options.extraArgs ?? [])], {
    cwd: ROOT, env: {...jupyterEnv(), ...options.env, JUPYTER_TOKEN: token}, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}/lab?token=${token}`;
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (/is running at|Jupyter Server .* is running/.test(log)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', code => reject(new Error(`JupyterLab exited with ${code} before it started:\n${log.slice(-3000)}`)));
  });
  return {url, token, port, process: child};
}
