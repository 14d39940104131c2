/**
 * `cnnlab run` through real Jupyter (nbclient) and the real tslab kernel:
 * failures name the notebook, cell, TypeScript line and message; bad input
 * is refused clearly; an interrupted run leaves no kernel behind.
 */
import {strict as assert} from 'node:assert';
import {execFileSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {VENV_PYTHON, jupyterEnv} from '../../lib/cli/paths';
import {DEFAULT_CELL_TIMEOUT} from '../../lib/cli/run';
import {BUDGETS, COURSE_MINUTES, QUICK_MINUTES} from '../../lib/experiments/budget';
import {FIXTURES, ROOT, runCli, tempDir} from '../helpers/cli';

/** Asks Jupyter itself (the lab's signature database) whether a notebook is trusted. */
function isTrusted(file: string): boolean {
  const script = 'import sys, nbformat\nfrom nbformat.sign import NotebookNotary\n' +
      'print(NotebookNotary().check_signature(nbformat.read(sys.argv[1], as_version=4)))';
  const out = execFileSync(VENV_PYTHON, ['-c', script, file], {encoding: 'utf8', env: jupyterEnv()});
  return out.trim() === 'True';
}

/**
 * The tslab kernels started under a process: its descendants whose command
 * line is a tslab kernel of this repository. (Other tests may run kernels at
 * the same time, so the check follows this run's own, not a count.)
 */
function kernelsUnder(root: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], {encoding: 'utf8'}).split('\n')
      .map(l => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)).filter(m => m != null)
      .map(m => ({pid: Number(m![1]), parent: Number(m![2]), args: m![3]}));
  const under = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows) if (under.has(r.parent) && !under.has(r.pid)) { under.add(r.pid); grew = true; }
  }
  return rows.filter(r => under.has(r.pid) && r.args.includes('tslab') && r.args.includes(' kernel ') && r.args.includes(ROOT)).map(r => r.pid);
}

function isRunning(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

describe('cnnlab run: cell time limits', () => {
  it('gives every budget a limit, and a chapter\'s one training cell at quick, course or full the time it needs on a slower machine', () => {
    for (const budget of BUDGETS) assert.ok(DEFAULT_CELL_TIMEOUT[budget] >= 600, budget);
    // A chapter aims at QUICK_MINUTES or COURSE_MINUTES on 2 cores, nearly all of it in its training cell,
    // and a slower machine must not fail it; full runs for hours.
    assert.ok(DEFAULT_CELL_TIMEOUT.quick >= 2 * QUICK_MINUTES * 60);
    assert.ok(DEFAULT_CELL_TIMEOUT.course >= 2 * COURSE_MINUTES * 60);
    assert.ok(DEFAULT_CELL_TIMEOUT.full >= 24 * 3600);
  });
});

describe('cnnlab run @integration', function () {
  this.timeout(180_000);
  let out: string;
  before(() => { out = tempDir('run'); });

  it('a TypeScript error fails with the cell number, line and compiler message', async () => {
    const r = await runCli(['run', path.join(FIXTURES, 'ts-error.ipynb'), '--out', out, '--budget', 'smoke']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ts-error\.ipynb failed at cell 3 \(code cell 2\), line 2: Type 'string' is not assignable to type 'number'/);
    assert.match(r.stderr, /2 \| const wrong: number = 'not a number';/);
  });

  it('a thrown exception fails with its message, and the partial report says it is incomplete', async () => {
    const r = await runCli(['run', path.join(FIXTURES, 'throws.ipynb'), '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /throws\.ipynb failed at cell 3 \(code cell 2\), line 2: Error: boom: the fixture exploded/);
    const html = fs.readFileSync(path.join(out, 'throws.html'), 'utf8');
    assert.match(html, /This report is incomplete/);
    assert.match(html, /first cell runs/, 'cells before the failure keep their output');
    const nb = JSON.parse(fs.readFileSync(path.join(out, 'throws.ipynb'), 'utf8'));
    assert.deepEqual(nb.cells[0].metadata.tags, ['cnnlab-incomplete']);
    assert.equal(fs.readdirSync(out).filter(f => f.endsWith('.tmp')).length, 0, 'no temporary files left');
  });

  it('a kernel that dies before it answers is started again (another kernel can take the port it was given)', async () => {
    // A kernel spec whose first start exits at once, as tslab does when a port jupyter_client picked is
    // taken before it binds it (EADDRINUSE), and whose later starts are the lab's tslab kernel.
    const jupyterDir = tempDir('flaky-kernel');
    const kernelDir = path.join(jupyterDir, 'kernels', 'tslab');
    fs.mkdirSync(kernelDir, {recursive: true});
    const marker = path.join(jupyterDir, 'started-once');
    fs.writeFileSync(path.join(kernelDir, 'flaky.sh'),
        `if [ ! -e '${marker}' ]; then touch '${marker}'; exit 1; fi\n` +
        `exec node '${path.join(ROOT, 'jupyter', 'tslab-kernel.cjs')}' kernel --config-path "$1"\n`);
    fs.writeFileSync(path.join(kernelDir, 'kernel.json'), JSON.stringify({
      argv: ['sh', path.join(kernelDir, 'flaky.sh'), '{connection_file}'], display_name: 'tslab, first start fails', language: 'typescript'}));
    const out = tempDir('flaky-kernel-out');
    const r = await runCli(['run', path.join(FIXTURES, 'budget.ipynb'), '--out', out, '--budget', 'smoke'],
                           {env: {LAB_JUPYTER_DIR: jupyterDir, JUPYTER_PATH: path.join(ROOT, 'jupyter')}});
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(marker), 'the first start ran');
    assert.match(r.stderr, /the kernel did not start \(.*\); starting it again \(2 of 3\)/);
    assert.ok(fs.existsSync(path.join(out, 'budget.html')));
  });

  it('passes the budget to the notebook and fills execution counts', async () => {
    const r = await runCli(['run', path.join(FIXTURES, 'budget.ipynb'), '--out', out, '--budget', 'smoke']);
    assert.equal(r.code, 0, r.stderr);
    const nb = JSON.parse(fs.readFileSync(path.join(out, 'budget.ipynb'), 'utf8'));
    const cell = nb.cells.find((c: {cell_type: string}) => c.cell_type === 'code');
    assert.equal(cell.execution_count, 1);
    assert.match(JSON.stringify(cell.outputs), /budget=smoke/);
    assert.equal(isTrusted(path.join(out, 'budget.ipynb')), true, 'the executed notebook is signed, so it opens trusted');
  });

  it('a cell that runs past --cell-timeout fails with the timeout, not a hang', async () => {
    const r = await runCli(['run', path.join(FIXTURES, 'slow.ipynb'), '--out', out, '--cell-timeout', '3']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /slow\.ipynb failed at cell 3 \(code cell 2\).*cell timed out after 3 s/);
  });

  describe('bad input', () => {
    it('a notebook that does not exist', async () => {
      const r = await runCli(['run', 'notebooks/no-such-chapter.ipynb']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /notebook 'notebooks\/no-such-chapter\.ipynb' does not exist/);
    });
    it('an unknown budget', async () => {
      const r = await runCli(['run', path.join(FIXTURES, 'budget.ipynb'), '--budget', 'huge']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--budget must be one of smoke, quick, course, full, got 'huge'/);
    });
    it('an unknown option lists the accepted ones', async () => {
      const r = await runCli(['run', path.join(FIXTURES, 'budget.ipynb'), '--budjet', 'smoke']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /Unknown option '--budjet'.*accepted options: --budget, --out, --cell-timeout/);
    });
    it('a missing kernel spec names the file and the fix', async () => {
      const empty = tempDir('jupyter');
      const r = await runCli(['run', path.join(FIXTURES, 'budget.ipynb'), '--out', out], {env: {LAB_JUPYTER_DIR: empty}});
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the tslab kernel spec is missing: no file .*kernels\/tslab\/kernel\.json; LAB_JUPYTER_DIR is set/);
    });
  });

  it('SIGINT stops the run, writes the partial report and leaves no kernel process', async () => {
    let kernels: number[] = [];
    let sent = false;
    const r = await runCli(['run', path.join(FIXTURES, 'slow.ipynb'), '--out', out], {
      onStderr: (text, child) => {
        if (!sent && text.includes('code cell 1/2 done')) {
          sent = true;
          kernels = kernelsUnder(child.pid!);
          setTimeout(() => child.kill('SIGINT'), 500);
        }
      },
    });
    assert.ok(sent, `the first cell never finished:\n${r.stderr}`);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted \(SIGINT\)/);
    assert.match(fs.readFileSync(path.join(out, 'slow.html'), 'utf8'), /This report is incomplete/);
    assert.ok(kernels.length > 0, 'the run had started a kernel when it was interrupted');
    assert.deepEqual(kernels.filter(isRunning), [], 'kernels left running');
  });
});
