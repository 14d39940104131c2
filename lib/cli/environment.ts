/**
 * Every LAB_* environment variable the lab reads, with the option it stands
 * beside and what it accepts. Each is checked by the same reader the lab
 * uses when it reads it, so what `cnnlab doctor` says of a value and what a
 * command does with it cannot disagree. Every command but `doctor` checks
 * them all before it starts (a bad value is a usage error, exit 2, before
 * anything is trained or written); `doctor` lists them instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {dataDirFromEnv} from '../data/locate';
import {MAX_WASM_THREADS, backendFromEnv, kernelPoolFromEnvironment, threadsFromEnvironment, wasmOutDir} from '../engine';
import {inPack} from '../environment';
import {BUDGETS, budgetFromEnv} from '../experiments/budget';
import {recordsBackend} from '../experiments/runner';
import {resultsDirFromEnv} from '../results/store';
import {editDistance} from '../models';
import {labJupyterDir} from './paths';

export interface LabVariable {
  name: string;
  /** The command-line option it stands beside, or who sets it. */
  beside: string;
  /** What it accepts, in words. */
  accepts: string;
  /** Reads it as the lab does: throws the lab's error for a bad value. */
  read(env: NodeJS.ProcessEnv): unknown;
}

/** The cluster test's Slurm ports: slurmctld on this one, slurmd on the next (cluster/local-slurm.sh checks it too). */
function slurmPort(env: NodeJS.ProcessEnv): number | null {
  const raw = env['LAB_SLURM_PORT'];
  if (raw == null || raw === '') return null;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1024 || port > 65534) {
    throw new Error(`$LAB_SLURM_PORT must be a whole number in [1024, 65534] (slurmd takes the next port), got '${raw}'`);
  }
  return port;
}

function chromium(env: NodeJS.ProcessEnv): string | null {
  const file = env['LAB_CHROMIUM'];
  if (file == null || file === '') return null;
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new Error(`$LAB_CHROMIUM must be the path of a Chromium executable, got '${file}': ${fs.existsSync(file) ? 'not a file' : 'it does not exist'}`);
  }
  return file;
}

function testTimesFile(env: NodeJS.ProcessEnv): string | null {
  const file = env['LAB_TEST_TIMES'];
  if (file == null || file === '') return null;
  const folder = path.dirname(path.resolve(file));
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new Error(`$LAB_TEST_TIMES must be a file in an existing folder, got '${file}': ${folder} is not a folder`);
  }
  return file;
}

export const LAB_VARIABLES: readonly LabVariable[] = [
  {name: 'LAB_BACKEND', beside: '--backend', accepts: 'auto, tensorflow, webgpu, wasm or cpu', read: backendFromEnv},
  {name: 'LAB_THREADS', beside: '--threads', accepts: `a whole number of threads in [1, ${MAX_WASM_THREADS}]`, read: threadsFromEnvironment},
  {name: 'LAB_BUDGET', beside: '--budget (cnnlab run sets it for the notebooks)', accepts: BUDGETS.join(', '), read: budgetFromEnv},
  {name: 'LAB_RESULTS_DIR', beside: '--results', accepts: 'a folder for the records (made if missing)', read: resultsDirFromEnv},
  {name: 'LAB_RECORDS_BACKEND', beside: 'whose records the notebooks read (docs/gpu.md)', accepts: 'tensorflow, webgpu, wasm or cpu',
   read: env => recordsBackend('wasm', env)},
  {name: 'LAB_DATA_DIR', beside: 'where the data sets are', accepts: 'an existing folder holding the data sets\' files', read: dataDirFromEnv},
  {name: 'LAB_KERNEL_POOL', beside: 'the lab\'s kernels on every wasm thread (docs/engine.md, "Threads")', accepts: 'on or off',
   read: kernelPoolFromEnvironment},
  {name: 'LAB_JUPYTER_DIR', beside: 'the Jupyter data folder with the kernel spec', accepts: 'an existing folder', read: labJupyterDir},
  {name: 'LAB_WASM_DIR', beside: 'where tfjs-backend-wasm\'s binaries are (the GPU pack sets it)',
   accepts: 'an existing folder holding tfjs-backend-wasm-simd.wasm', read: wasmOutDir},
  {name: 'LAB_IN_PACK', beside: 'set by the GPU pack for its own process', accepts: '1, or unset', read: inPack},
  {name: 'LAB_SLURM_PORT', beside: 'the cluster test\'s one-node Slurm (cluster/local-slurm.sh)', accepts: 'a port in [1024, 65534]',
   read: slurmPort},
  {name: 'LAB_CHROMIUM', beside: 'the browser tests\' Chromium (default /usr/bin/chromium)', accepts: 'the path of a Chromium executable',
   read: chromium},
  {name: 'LAB_TEST_TIMES', beside: 'npm test: each test file\'s time, longest first (test/reporter.cjs)', accepts: 'a file in an existing folder',
   read: testTimesFile},
];

export interface VariableCheck {
  name: string;
  value: string;
  /** The reader's error for a bad value; absent when the value is good. */
  problem?: string;
  /** True for a LAB_* name the lab does not read (a typo, or an old name). */
  unknown?: boolean;
}

/** Every LAB_* variable that is set, checked; unknown LAB_* names are listed too. */
export function checkEnvironment(env: NodeJS.ProcessEnv = process.env): VariableCheck[] {
  const checks: VariableCheck[] = [];
  for (const name of Object.keys(env).filter(n => n.startsWith('LAB_')).sort()) {
    const value = env[name] ?? '';
    const variable = LAB_VARIABLES.find(v => v.name === name);
    if (variable == null) {
      checks.push({name, value, unknown: true});
      continue;
    }
    try {
      variable.read(env);
      checks.push({name, value});
    } catch (error) {
      checks.push({name, value, problem: (error as Error).message});
    }
  }
  return checks;
}

/** The bad values' errors, one a line; empty when every variable is good. */
export function environmentProblems(env: NodeJS.ProcessEnv = process.env): string[] {
  return checkEnvironment(env).filter(c => c.problem != null).map(c => c.problem!);
}

/** The known name an unknown LAB_* name was probably meant to be (at most two edits away), if any. */
export function meantVariable(name: string): string | null {
  let best: {name: string; distance: number} | null = null;
  for (const v of LAB_VARIABLES) {
    const distance = editDistance(name, v.name);
    if (distance <= 2 && (best == null || distance < best.distance)) best = {name: v.name, distance};
  }
  return best?.name ?? null;
}

/** What to say of an unknown LAB_* name. */
export function unknownVariableNote(name: string): string {
  const meant = meantVariable(name);
  return `$${name} is not a variable the lab reads${meant ? ` (did you mean ${meant}?)` : ''}; ` +
      `it reads ${LAB_VARIABLES.map(v => v.name).join(', ')}`;
}
