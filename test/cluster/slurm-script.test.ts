/**
 * The job-array script `cnnlab slurm` writes: its resource request from the
 * plan's estimates, Slurm's time and memory formats, and the script itself
 * run by bash as a node would run it (with a stand-in for cnnlab that
 * prints what it was asked to do).
 */
import {strict as assert} from 'node:assert';
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {ArrayTaskRun, PROCESS_BASE_BYTES, TASK_OVERHEAD_SECONDS, arrayScript, formatSlurmMemory, formatSlurmTime,
        parseSlurmMemory, parseSlurmTime, resourceRequest} from '../../lib/cluster/slurm-script';
import {tempDir} from '../helpers/cli';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const RUNS: ArrayTaskRun[] = [
  {index: 4, key: 'aaaa', seconds: 100, trainingBytes: 0.2 * GiB},
  {index: 7, key: 'bbbb', seconds: 400, trainingBytes: 1 * GiB},
  {index: 9, key: 'cccc', seconds: 250, trainingBytes: 0.5 * GiB},
];

describe('slurm resource request', () => {
  it('asks for the longest run x 2 + start-up, in whole minutes, and the largest run\'s memory x 2 + the process, in 256 MiB steps', () => {
    const request = resourceRequest(RUNS);
    assert.equal(TASK_OVERHEAD_SECONDS, 300);
    // 400 s x 2 + 300 s = 1100 s -> 19 whole minutes.
    assert.equal(request.seconds, 19 * 60);
    // 1 GiB x 2 + 512 MiB = 2560 MiB, already a multiple of 256 MiB.
    assert.equal(PROCESS_BASE_BYTES, 512 * MiB);
    assert.equal(request.memoryBytes, 2560 * MiB);
    // A small run still gets 1 GiB; 0.3 GiB x 2 + 512 MiB = 1126.4 MiB rounds up to 1280 MiB.
    assert.equal(resourceRequest([{...RUNS[0], trainingBytes: 0.01 * GiB}]).memoryBytes, GiB);
    assert.equal(resourceRequest([{...RUNS[0], trainingBytes: 0.3 * GiB}]).memoryBytes, 1280 * MiB);
  });

  it('refuses to guess the time of runs nothing measured can time, naming them, unless --time is given', () => {
    const unknown = [RUNS[0], {...RUNS[1], seconds: null}, {...RUNS[2], seconds: null}];
    assert.throws(() => resourceRequest(unknown), /cannot estimate the time of runs 7, 9: .* give --time HH:MM:SS/);
    assert.equal(resourceRequest(unknown, {seconds: 3600}).seconds, 3600);
    assert.equal(resourceRequest(unknown, {seconds: 3600, memoryBytes: 3 * GiB}).memoryBytes, 3 * GiB);
  });

  it('writes and reads Slurm\'s time and memory formats', () => {
    assert.equal(formatSlurmTime(19 * 60), '00:19:00');
    assert.equal(formatSlurmTime(86400 + 3600 + 61), '1-01:01:01');
    assert.equal(formatSlurmTime(0.5), '00:00:01');
    assert.equal(parseSlurmTime('1-02:03:04'), 86400 + 2 * 3600 + 3 * 60 + 4);
    assert.equal(parseSlurmTime('36:00:00'), 36 * 3600);
    assert.equal(parseSlurmTime('90'), 90 * 60);
    assert.throws(() => parseSlurmTime('1:2'), /--time must be HH:MM:SS, D-HH:MM:SS or whole minutes, and more than 0, got '1:2'/);
    assert.throws(() => parseSlurmTime('00:00:00'), /more than 0, got '00:00:00'/);
    assert.equal(parseSlurmMemory('4G'), 4 * GiB);
    assert.equal(parseSlurmMemory('3500'), 3500 * MiB);
    assert.equal(parseSlurmMemory('512m'), 512 * MiB);
    assert.throws(() => parseSlurmMemory('lots'), /--mem must be a size such as 4G or 3500M \(at least 1M\), got 'lots'/);
    assert.equal(formatSlurmMemory(2560 * MiB + 1), '2561M');
  });
});

describe('slurm job-array script', () => {
  const input = (dir: string) => ({
    chapter: '03', budget: 'full' as const, backend: 'wasm' as const, runs: RUNS, request: {seconds: 19 * 60, memoryBytes: 2560 * MiB},
    resultsDir: path.join(dir, "shared results, Bob's"), jobDir: path.join(dir, 'job'), cnnlab: [path.join(dir, 'fake cnnlab')],
    maxParallel: 2, cpusPerTask: 3,
  });

  it('asks Slurm for one task per run, the throttle, the request and a log per task', () => {
    const script = arrayScript({...input('/shared'), partition: 'gpu', gpusPerTask: 1});
    for (const directive of ['--job-name=cnnlab-03-full', '--array=0-2%2', '--cpus-per-task=3', '--mem=2560M', '--time=00:19:00',
                             '--output=/shared/job/task-%a.log', '--partition=gpu', '--gpus-per-task=1']) {
      assert.ok(script.includes(`#SBATCH ${directive}\n`), directive);
    }
    assert.doesNotMatch(arrayScript(input('/shared')), /--partition|--gpus-per-task/);
    assert.throws(() => arrayScript({...input('/shared'), runs: []}), /no runs to submit/);
  });

  it('runs, in task i, cnnlab run-plan --only on the i-th run against the shared records folder, and logs its start and exit code', () => {
    const dir = tempDir('slurm-script');
    const fake = path.join(dir, 'fake cnnlab');
    fs.writeFileSync(fake, '#!/bin/bash\necho "args: $*"\necho "results: $LAB_RESULTS_DIR"\nexit 3\n', {mode: 0o755});
    const script = path.join(dir, 'job.sbatch');
    fs.writeFileSync(script, arrayScript(input(dir)), {mode: 0o755});
    const run = spawnSync('bash', [script], {encoding: 'utf8', env: {...process.env, SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_JOB_ID: '17', SLURM_CPUS_PER_TASK: '3'}});
    assert.equal(run.status, 3, run.stderr);
    assert.match(run.stdout, /^cnnlab-slurm: started run 7 \(bbbb\) in job 17 on \S+ at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/m);
    assert.match(run.stdout, /^args: run-plan 03 --budget full --backend wasm --threads 3 --only 7$/m);
    assert.equal(run.stdout.match(/^results: (.*)$/m)?.[1], path.join(dir, "shared results, Bob's"));
    assert.match(run.stdout, /^cnnlab-slurm: finished run 7 with exit code 3 at /m);
  });
});
