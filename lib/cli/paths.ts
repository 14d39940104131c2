/**
 * Where the lab keeps things. Everything Jupyter writes (config, data such as
 * the notebook-trust database, runtime files) stays inside the repository,
 * so the lab never touches the user's home.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {envValue, folderFromEnv} from '../environment';
import {REPO_ROOT} from '../root';

export const ROOT = REPO_ROOT;

export const NOTEBOOKS_DIR = path.join(ROOT, 'notebooks');
export const REPORTS_DIR = path.join(ROOT, 'reports');
export const VENV_DIR = path.join(ROOT, '.venv');
export const VENV_PYTHON = path.join(VENV_DIR, 'bin', 'python');
export const JUPYTER_LOCAL = path.join(ROOT, '.jupyter-local');
/**
 * The lab's Jupyter data folder (kernel spec, report template). LAB_JUPYTER_DIR
 * points elsewhere, e.g. to try another kernel spec.
 */
export const JUPYTER_DIR_ENV = 'LAB_JUPYTER_DIR';

export function labJupyterDir(env: NodeJS.ProcessEnv = process.env): string {
  return folderFromEnv(JUPYTER_DIR_ENV, {create: false, accepts: 'an existing folder (a Jupyter data folder with kernels/)'}, env) ??
      path.join(ROOT, 'jupyter');
}
export function kernelSpecFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(labJupyterDir(env), 'kernels', 'tslab', 'kernel.json');
}

/** How to get the kernel spec back when it is missing. */
export function kernelSpecFix(env: NodeJS.ProcessEnv = process.env): string {
  return envValue(JUPYTER_DIR_ENV, env) ?
      `LAB_JUPYTER_DIR is set to ${env['LAB_JUPYTER_DIR']}: unset it to use the lab's own kernel spec` :
      'restore it with: git checkout -- jupyter/kernels/tslab/kernel.json';
}
export const RUNNER_SCRIPT = path.join(ROOT, 'tools', 'run_notebook.py');

/** Environment for any Jupyter process the lab starts. */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    JUPYTER_PATH: [labJupyterDir(base), base.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    JUPYTER_CONFIG_DIR: path.join(JUPYTER_LOCAL, 'config'),
    JUPYTER_DATA_DIR: path.join(JUPYTER_LOCAL, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(JUPYTER_LOCAL, 'runtime'),
    IPYTHONDIR: path.join(JUPYTER_LOCAL, 'ipython'),
    // Jupyter's debugger warns about frozen modules on every start otherwise.
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    PATH: [path.join(VENV_DIR, 'bin'), base.PATH].filter(Boolean).join(path.delimiter),
  };
  for (const dir of ['JUPYTER_CONFIG_DIR', 'JUPYTER_DATA_DIR', 'JUPYTER_RUNTIME_DIR']) {
    fs.mkdirSync(env[dir]!, {recursive: true});
  }
  return env;
}
