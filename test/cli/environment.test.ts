/**
 * Every LAB_* environment variable is input: each is checked by the reader
 * the lab uses (lib/cli/environment.ts lists them), a bad value names the
 * variable, the value and what is accepted, and a command stops on it before
 * it starts.
 */
import {strict as assert} from 'node:assert';
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {LAB_VARIABLES, checkEnvironment, meantVariable} from '../../lib/cli/environment';
import {ROOT, runCli, tempDir} from '../helpers/cli';

/** A file where a folder is wanted: the case that gave a raw EEXIST from mkdir. */
const A_FILE = path.join(ROOT, 'package.json');
const MISSING = path.join(ROOT, 'no-such-folder', 'inside');

/** Per variable: bad values with what the error must say, and good values. */
const CASES: Record<string, {bad: Array<[string, RegExp]>; good: string[]}> = {
  LAB_BACKEND: {
    bad: [['tpu', /^\$LAB_BACKEND must be one of auto, tensorflow, webgpu, wasm, cpu; got 'tpu'/]],
    good: ['wasm', 'auto', ''],
  },
  LAB_THREADS: {
    bad: [['0', /^\$LAB_THREADS must be a whole number of threads in \[1, 8\], got '0'/], ['two', /got 'two'/], ['1.5', /got '1\.5'/]],
    good: ['1', '8'],
  },
  LAB_KERNEL_POOL: {bad: [['yes', /^\$LAB_KERNEL_POOL must be 'on' or 'off', got 'yes'/]], good: ['on', 'off', '']},
  LAB_BUDGET: {bad: [['huge', /^\$LAB_BUDGET must be one of smoke, quick, course, full, got 'huge'/]], good: ['smoke', 'full']},
  LAB_RESULTS_DIR: {
    bad: [[A_FILE, new RegExp(`^\\$LAB_RESULTS_DIR must be a folder for the records \\(made if missing\\), got '${escaped(A_FILE)}': it is a file`)],
          [path.join(A_FILE, 'below'), new RegExp(`got '${escaped(path.join(A_FILE, 'below'))}': ${escaped(A_FILE)} is a file`)]],
    good: [MISSING, ROOT],
  },
  LAB_RECORDS_BACKEND: {bad: [['gpu', /^\$LAB_RECORDS_BACKEND must be one of tensorflow, webgpu, wasm, cpu, got 'gpu'/]], good: ['webgpu']},
  LAB_DATA_DIR: {
    bad: [[A_FILE, new RegExp(`^\\$LAB_DATA_DIR must be an existing folder holding the data sets' files, got '${escaped(A_FILE)}': it is a file`)],
          [MISSING, /: it does not exist$/]],
    good: ['/usr/share/datasets/fashion-mnist', ROOT],
  },
  LAB_JUPYTER_DIR: {
    bad: [[A_FILE, /^\$LAB_JUPYTER_DIR must be an existing folder \(a Jupyter data folder with kernels\/\), got '.*': it is a file/],
          [MISSING, /it does not exist$/]],
    good: [path.join(ROOT, 'jupyter')],
  },
  LAB_WASM_DIR: {
    bad: [[ROOT, /^\$LAB_WASM_DIR must be an existing folder holding tfjs-backend-wasm's binaries .*: it has no tfjs-backend-wasm-simd\.wasm/],
          [MISSING, /it does not exist$/]],
    good: [path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'wasm-out')],
  },
  LAB_IN_PACK: {bad: [['0', /^\$LAB_IN_PACK must be 1 or unset \(the GPU pack sets it for its own process\), got '0': unset it/]], good: ['1']},
  LAB_SLURM_PORT: {
    bad: [['80', /^\$LAB_SLURM_PORT must be a whole number in \[1024, 65534\] \(slurmd takes the next port\), got '80'/],
          ['65535', /got '65535'/], ['1e4', /got '1e4'/]],
    good: ['16817'],
  },
  LAB_CHROMIUM: {bad: [[MISSING, /^\$LAB_CHROMIUM must be the path of a Chromium executable, got '.*': it does not exist/]], good: [A_FILE]},
  LAB_TEST_TIMES: {
    bad: [[path.join(MISSING, 'times.json'), /^\$LAB_TEST_TIMES must be a file in an existing folder, got '.*': .* is not a folder/]],
    good: [path.join(ROOT, 'times.json')],
  },
};

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe('LAB_* environment variables', () => {
  it('every variable the lab\'s code names is in the table, and every table entry has cases here', () => {
    const named = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.(ts|cjs|sh)$/.test(entry.name)) {
          const text = fs.readFileSync(file, 'utf8');
          // Read as an environment variable: env['LAB_X'], env.LAB_X or a *_ENV = 'LAB_X' constant; $LAB_X or ${LAB_X} in shell.
          const read = entry.name.endsWith('.sh') ? /\$\{?(LAB_[A-Z_]+)/g : /(?:env\[['"]|env\.|_ENV = ['"])(LAB_[A-Z_]+)/g;
          for (const m of text.matchAll(read)) named.add(m[1]);
        }
      }
    };
    for (const dir of ['lib', 'scripts', 'cluster', 'test/helpers']) walk(path.join(ROOT, dir));
    const listed = LAB_VARIABLES.map(v => v.name);
    assert.deepEqual([...named].filter(n => !listed.includes(n)).sort(), [], 'variables read but not listed in lib/cli/environment.ts');
    assert.deepEqual(listed.filter(n => CASES[n] == null), [], 'variables without test cases here');
    assert.ok(named.size >= 8, `found only ${[...named].join(', ')}`);
  });

  for (const variable of LAB_VARIABLES) {
    it(`${variable.name}: a bad value is refused with the variable, the value and what is accepted; good values pass`, () => {
      const cases = CASES[variable.name];
      for (const [value, message] of cases.bad) {
        const [check] = checkEnvironment({[variable.name]: value});
        assert.equal(check.name, variable.name);
        assert.ok(check.problem != null, `${variable.name}=${value} was accepted`);
        assert.match(check.problem, message);
      }
      for (const value of cases.good) {
        const [check] = checkEnvironment({[variable.name]: value});
        assert.equal(check.problem, undefined, `${variable.name}=${value}: ${check.problem}`);
      }
    });
  }

  it('an unknown LAB_* name is reported with the name it was probably meant to be', () => {
    const [check] = checkEnvironment({LAB_THREAD: '2'});
    assert.equal(check.unknown, true);
    assert.equal(meantVariable('LAB_THREAD'), 'LAB_THREADS');
    assert.equal(meantVariable('LAB_RESULT_DIR'), 'LAB_RESULTS_DIR');
    assert.equal(meantVariable('LAB_SOMETHING_ELSE'), null);
  });

  it('cluster/local-slurm.sh refuses a bad $LAB_SLURM_PORT before it starts anything', () => {
    const dir = tempDir('slurm-port');
    const r = spawnSync('bash', [path.join(ROOT, 'cluster', 'local-slurm.sh'), 'start', path.join(dir, 'cluster')],
                        {encoding: 'utf8', env: {...process.env, LAB_SLURM_PORT: '80'}});
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\$LAB_SLURM_PORT must be a whole number in \[1024, 65534\] \(slurmd takes the next port\), got '80'/);
    assert.deepEqual(fs.readdirSync(dir), [], 'nothing was made');
  });
});

describe('LAB_* variables through the cnnlab command @integration', function () {
  this.timeout(120_000);

  it('a records folder that is a file stops a command before it starts (exit 2), naming the variable, value and why', async () => {
    const r = await runCli(['plan', '00', '--budget', 'smoke'], {env: {LAB_RESULTS_DIR: A_FILE}});
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`cnnlab plan: \\$LAB_RESULTS_DIR must be a folder for the records \\(made if missing\\), got '${escaped(A_FILE)}': it is a file`));
    assert.doesNotMatch(r.stderr, /EEXIST|at .*\.js:\d+/);
  });

  it('every bad value is listed at once; a misspelt name is warned about', async () => {
    const r = await runCli(['plan', '00', '--budget', 'smoke'], {env: {LAB_THREADS: 'many', LAB_BUDGET: 'huge', LAB_THREAD: '2'}});
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /\$LAB_BUDGET must be one of smoke, quick, course, full, got 'huge'\n\$LAB_THREADS must be a whole number of threads/);
    assert.match(r.stderr, /warning: \$LAB_THREAD is not a variable the lab reads \(did you mean LAB_THREADS\?\)/);
  });

  it('doctor lists each variable that is set, with what is wrong and how to fix it, and exits non-zero', async () => {
    const r = await runCli(['doctor'], {env: {LAB_THREADS: '0', LAB_RECORDS_BACKEND: 'webgpu'}});
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /BAD\s+\$LAB_THREADS\s+\$LAB_THREADS must be a whole number of threads in \[1, 8\], got '0'\n\s+fix: unset it, or set it to a whole number of threads in \[1, 8\]/);
    assert.match(r.stdout, /ok\s+\$LAB_RECORDS_BACKEND\s+webgpu/);
  });
});
