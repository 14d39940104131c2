/**
 * A chapter's plan on a real Slurm cluster (Debian's slurm-wlm and munge,
 * one node on 127.0.0.1, started by cluster/local-slurm.sh): the tour's
 * smoke plan as a job array with two tasks at once; a second plan with one
 * task cancelled mid-run and one record corrupted, re-submitted until
 * complete; then the chapter rendered from the records without training.
 * Skipped, saying why, where the daemons cannot start (not root, no Slurm).
 */
import {strict as assert} from 'node:assert';
import {execFileSync, spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {RunStatus} from '../../lib/cluster/slurm-jobs';
import {ROOT, runCli, tempDir} from '../helpers/cli';
import {LocalCluster, startLocalCluster} from '../helpers/slurm-cluster';

interface Status {runs: RunStatus[]; problems: string[]}

describe('cnnlab slurm on a one-node Slurm cluster @integration', function () {
  this.timeout(600_000);
  let cluster: LocalCluster;

  before(function () {
    const started = startLocalCluster();
    if ('reason' in started) {
      console.log(`      (skipped: ${started.reason})`);
      this.skip();
    }
    cluster = started as LocalCluster;
  });
  after(() => cluster?.stop());

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, {env: {...cluster.env, ...env}});
  const slurm = (env: NodeJS.ProcessEnv = {}) => (...args: string[]) => execFileSync(args[0], args.slice(1), {encoding: 'utf8', env: {...process.env, ...cluster.env, ...env}});

  async function status(results: string): Promise<Status> {
    const r = await cli(['slurm-status', '00', '--budget', 'smoke', '--results', results, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Status;
  }

  async function waitFor(what: string, seconds: number, done: () => Promise<boolean> | boolean): Promise<void> {
    const until = Date.now() + seconds * 1000;
    while (!(await done())) {
      if (Date.now() > until) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }

  const queued = (jobId: string) => slurm()('squeue', '-h', '-r', '-j', jobId, '-o', '%K|%T').trim().split('\n').filter(Boolean);
  const jobGone = (jobId: string) => {
    const r = spawnSync('squeue', ['-h', '-j', jobId], {encoding: 'utf8', env: {...process.env, ...cluster.env}});
    return r.status !== 0 || r.stdout.trim() === '';
  };
  const times = (log: string) => {
    const text = fs.readFileSync(log, 'utf8');
    const at = (marker: string) => Date.parse(new RegExp(`${marker} .* at (\\S+)$`, 'm').exec(text)?.[1] ?? 'NaN');
    return {start: at('started run'), end: at('finished run')};
  };

  it('runs the smoke plan as a job array, two tasks at once, and every run leaves its record', async () => {
    const results = tempDir('slurm-results');
    const submitted = await cli(['slurm', '00', '--budget', 'smoke', '--results', results, '--cpus-per-task', '1', '--time', '00:10:00', '--submit']);
    assert.equal(submitted.code, 0, submitted.stderr);
    assert.match(submitted.stdout, /job array of 3 tasks, one per run to train \(runs 0, 1, 2\), 00:10:00 and \d+M per task/);
    const jobId = /submitted: job (\d+)/.exec(submitted.stdout)?.[1];
    assert.ok(jobId, submitted.stdout);
    await waitFor('every record', 240, async () => (await status(results)).runs.every(r => r.state === 'recorded'));

    const records = fs.readdirSync(results).filter(f => f.endsWith('.json'));
    assert.deepEqual(records.sort(), (await status(results)).runs.map(r => `${r.key}.json`).sort());
    assert.deepEqual(fs.readdirSync(results).filter(f => f.endsWith('.tmp')), []);
    for (const file of records) {
      const record = JSON.parse(fs.readFileSync(path.join(results, file), 'utf8'));
      assert.ok(record.result.testAccuracy >= 0 && record.result.testAccuracy <= 1, file);
    }
    // Two 1-CPU tasks on the 2-core node ran at the same time: their logs' spans overlap.
    const submissions = fs.readdirSync(path.join(results, 'slurm'));
    assert.equal(submissions.length, 1);
    const jobDir = path.join(results, 'slurm', submissions[0]);
    const spans = [0, 1, 2].map(task => times(path.join(jobDir, `task-${task}.log`)));
    const overlapping = spans.some((a, i) => spans.some((b, j) => i < j && a.start < b.end && b.start < a.end));
    assert.ok(overlapping, `no two tasks overlapped: ${JSON.stringify(spans)}`);

    const again = await cli(['slurm', '00', '--budget', 'smoke', '--results', results, '--time', '00:10:00', '--submit']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /nothing to submit/);
  });

  it('re-runs a task cancelled mid-run and a corrupt record, sending only those again; the chapter then renders without training', async () => {
    const results = tempDir('slurm-results');
    // Written, checked by sbatch --test-only, then submitted by hand as a user would.
    const written = await cli(['slurm', '00', '--budget', 'smoke', '--results', results, '--cpus-per-task', '1', '--time', '00:10:00', '--max-parallel', '1']);
    assert.equal(written.code, 0, written.stderr);
    const script = /script: (\S+)/.exec(written.stdout)![1];
    const test = spawnSync('sbatch', ['--test-only', script], {encoding: 'utf8', env: {...process.env, ...cluster.env}});
    assert.equal(test.status, 0, test.stderr);
    assert.match(test.stderr, /to start at/);
    const jobId = slurm()('sbatch', '--parsable', script).trim();

    // Cancel task 0 once its progress shows it training; the other two run after it (--max-parallel 1).
    const log0 = path.join(path.dirname(script), 'task-0.log');
    await waitFor('task 0 to train', 60, () => fs.existsSync(log0) && /epoch 1\/1/.test(fs.readFileSync(log0, 'utf8')));
    slurm()('scancel', `${jobId}_0`);
    await waitFor(`job ${jobId} to end`, 240, () => jobGone(jobId));
    let seen = await status(results);
    assert.deepEqual(seen.runs.map(r => r.state), ['failed', 'recorded', 'recorded']);
    assert.match(seen.runs[0].detail, new RegExp(`job ${jobId}, task 0: (cancelled|killed while training)`));
    assert.ok(!fs.existsSync(path.join(results, `${seen.runs[0].key}.json`)), 'the cancelled run left no record');

    // A record broken on the shared file system is reported and trained again.
    fs.writeFileSync(path.join(results, `${seen.runs[1].key}.json`), '{"format": 1, "key": "trunc');
    seen = await status(results);
    assert.deepEqual(seen.runs.map(r => r.state), ['failed', 'failed', 'recorded']);
    assert.match(seen.problems.join('\n'), /corrupt, skipped/);

    const resubmitted = await cli(['slurm', '00', '--budget', 'smoke', '--results', results, '--cpus-per-task', '1', '--time', '00:10:00', '--submit']);
    assert.equal(resubmitted.code, 0, resubmitted.stderr);
    assert.match(resubmitted.stdout, /job array of 2 tasks, one per run to train \(runs 0, 1\)/);
    const second = /submitted: job (\d+)/.exec(resubmitted.stdout)![1];
    assert.ok(queued(second).length > 0 || (await status(results)).runs.every(r => r.state === 'recorded'));
    await waitFor('the re-submitted runs', 240, async () => (await status(results)).runs.every(r => r.state === 'recorded'));
    const human = await cli(['slurm-status', '00', '--budget', 'smoke', '--results', results]);
    assert.match(human.stdout, /3 runs: 3 recorded, 0 failed, 0 missing/);
    assert.match(human.stdout, /renders the chapter without training/);

    // The chapter from these records alone: its plan cell reports no run trained.
    const out = tempDir('slurm-report');
    const rendered = await runCli(['run', path.join(ROOT, 'notebooks', '00-lab-tour.ipynb'), '--budget', 'smoke', '--out', out],
                                  {env: {LAB_RESULTS_DIR: results}});
    assert.equal(rendered.code, 0, rendered.stderr);
    const notebook = JSON.parse(fs.readFileSync(path.join(out, '00-lab-tour.ipynb'), 'utf8')) as
        {cells: Array<{outputs?: Array<{data?: Record<string, unknown>}>}>};
    const counts = notebook.cells.flatMap(c => c.outputs ?? []).map(o => o.data?.['application/vnd.cnnlab.plan+json'])
        .filter((c): c is {total: number; ran: number; reused: number} => c != null);
    assert.deepEqual(counts, [{total: 3, ran: 0, reused: 3, missing: 0}]);
    assert.ok(fs.existsSync(path.join(out, '00-lab-tour.html')));
  });
});

describe('cnnlab slurm without a cluster @integration', function () {
  this.timeout(120_000);
  // No Slurm configuration (undefined leaves SLURM_CONF out of the child's environment): a machine without a cluster.
  const noCluster = {SLURM_CONF: undefined};

  it('still writes a job-array script that bash can parse, and says how to submit it', async () => {
    const results = tempDir('slurm-results');
    const r = await runCli(['slurm', '03', '--budget', 'smoke', '--results', results, '--time', '1-00:00:00', '--mem', '3G',
                            '--partition', 'gpu', '--gpus-per-task', '1', '--max-parallel', '4'], {env: noCluster});
    assert.equal(r.code, 0, r.stderr);
    const script = /script: (\S+)/.exec(r.stdout)![1];
    assert.match(r.stdout, /chapter 03, smoke budget on webgpu: \d+ runs/);
    assert.match(r.stdout, new RegExp(`sbatch ${script.replace(/[/.]/g, '\\$&')}`));
    const text = fs.readFileSync(script, 'utf8');
    for (const directive of ['--time=1-00:00:00', '--mem=3072M', '--partition=gpu', '--gpus-per-task=1', '--cpus-per-task=2']) {
      assert.ok(text.includes(`#SBATCH ${directive}\n`), directive);
    }
    assert.match(text, /run-plan 03 --budget smoke --backend webgpu /);
    assert.equal(spawnSync('bash', ['-n', script]).status, 0);
    const status = await runCli(['slurm-status', '03', '--budget', 'smoke', '--backend', 'webgpu', '--results', results], {env: noCluster});
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /0 recorded, 0 failed, \d+ missing/);
    assert.match(status.stdout, /script written, not submitted/);
  });

  it('refuses bad options, naming the option, the value and what it accepts', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--time', '5:00'], /--time must be HH:MM:SS, D-HH:MM:SS or whole minutes, and more than 0, got '5:00'/],
      [['--mem', 'much'], /--mem must be a size such as 4G or 3500M \(at least 1M\), got 'much'/],
      [['--max-parallel', '0'], /--max-parallel must be a whole number >= 1, got '0'/],
      [['--backend', 'auto'], /--backend must be one of tensorflow, webgpu, wasm, cpu .*got 'auto'/],
      [['--pack', '/nonexistent'], /--pack must be an unpacked lab pack \(with bin\/cnnlab\), got '\/nonexistent'/],
      [['--budget', 'huge'], /--budget must be one of smoke, quick, course, full, got 'huge'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['slurm', '00', '--results', tempDir('slurm-results'), ...args], {env: noCluster});
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const unknownTime = await runCli(['slurm', '00', '--budget', 'smoke', '--results', tempDir('slurm-results')], {env: noCluster});
    assert.equal(unknownTime.code, 2);
    assert.match(unknownTime.stderr, /cannot estimate the time of runs 0, 1, 2: .*give --time HH:MM:SS/);
  });
});
