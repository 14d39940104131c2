/**
 * What `cnnlab slurm-status` makes of a plan's runs: records first, then
 * Slurm's queue, then accounting, then each task's own log, on made-up
 * queue listings and logs written the way Slurm and the array script write them.
 */
import {strict as assert} from 'node:assert';

import {ClusterView, Submission, parseAccounting, parseQueue, readTaskLog, runStates} from '../../lib/cluster/slurm-jobs';

const submission = (jobId: string | null, writtenAt: string, keys: string[], dir = `/r/slurm/${writtenAt}`):
    Submission & {dir: string} => ({
  format: 1, chapter: '03', budget: 'full', backend: 'wasm', jobId, writtenAt, script: `${dir}/job.sbatch`, dir,
  runs: keys.map((key, task) => ({task, index: Number(key.slice(1)), key})),
});
const run = (key: string, recorded = false) => ({index: Number(key.slice(1)), key, recorded});
const log = (run: number, ending: string, job = '17') => `cnnlab-slurm: started run ${run} (k${run}) in job ${job} on node1 at 2026-11-30T03:22:08.000Z\n${ending}`;

describe('slurm run states', () => {
  it('reads squeue -r, sacct -P and a task log as Slurm and the script write them', () => {
    assert.deepEqual(parseQueue('17|2|PENDING|/r/a b/job.sbatch\n17|0|RUNNING|/r/job.sbatch\n18|N/A|RUNNING|/x.sh\n'), [
      {jobId: '17', task: 2, state: 'PENDING', command: '/r/a b/job.sbatch'},
      {jobId: '17', task: 0, state: 'RUNNING', command: '/r/job.sbatch'},
    ]);
    assert.deepEqual([...parseAccounting('17_0|COMPLETED\n17_1|CANCELLED by 0\n17_2|OUT_OF_MEMORY\n17|RUNNING\n')],
                     [['17_0', 'COMPLETED'], ['17_1', 'CANCELLED'], ['17_2', 'OUT_OF_MEMORY']]);
    assert.deepEqual(readTaskLog(log(4, 'cnnlab-slurm: finished run 4 with exit code 1 at 2026-11-30T03:23:00.000Z\n')),
                     {started: true, jobId: '17', exitCode: 1, killedBecause: null});
    assert.deepEqual(readTaskLog(log(4, 'slurmstepd-node1: error: *** JOB 17 ON node1 CANCELLED AT 2026-11-30T03:20:30 ***\n')),
                     {started: true, jobId: '17', exitCode: null, killedBecause: 'cancelled'});
    assert.equal(readTaskLog(log(4, 'slurmstepd: error: *** JOB 17 ON node1 CANCELLED AT 2026-11-30T03:20:30 DUE TO TIME LIMIT ***\n')).killedBecause,
                 'out of time');
    assert.equal(readTaskLog(log(4, 'slurmstepd: error: Detected 1 oom-kill event(s) in StepId=17.batch.\n')).killedBecause, 'out of memory');
  });

  it('tells recorded, queued, failed (and why) and never-submitted runs apart; the latest submission of a run decides', () => {
    const first = submission('17', '2026-11-30T01', ['k0', 'k1', 'k2', 'k3', 'k4']);
    const second = submission('18', '2026-11-30T02', ['k3']);
    const logs: Record<string, string> = {
      '17/1': log(1, '*** JOB 17 ON node1 CANCELLED AT 2026-11-30T03:20:30 ***\n'),
      '17/2': log(2, 'cnnlab-slurm: finished run 2 with exit code 1 at x\n'),
      '17/4': log(4, 'cnnlab-slurm: finished run 4 with exit code 0 at x\n'),
      '17/3': log(3, 'cnnlab-slurm: finished run 3 with exit code 1 at x\n'),
    };
    const cluster: ClusterView = {
      queue: [{jobId: '18', task: 0, state: 'RUNNING', command: second.script}],
      accounting: null,
      logOf: (s, task) => logs[`${s.jobId}/${task}`] ?? null,
    };
    const states = runStates([run('k0', true), run('k1'), run('k2'), run('k3'), run('k4'), run('k5')], [first, second], cluster);
    assert.deepEqual(states.map(s => [s.key, s.state, s.detail]), [
      ['k0', 'recorded', ''],
      ['k1', 'failed', 'job 17, task 1: cancelled'],
      ['k2', 'failed', 'job 17, task 2: exit code 1 (see the log)'],
      // Failed in job 17, sent again in job 18, where it runs now.
      ['k3', 'running', 'job 18, task 0'],
      ['k4', 'failed', 'job 17, task 4: finished, but its record is missing or corrupt'],
      ['k5', 'missing', 'not submitted'],
    ]);
    assert.equal(states[1].log, '/r/slurm/2026-11-30T01/task-1.log');
    assert.equal(states[5].log, null);
  });

  it('matches a job submitted by hand by its script (its id from the queue or a log), prefers sacct\'s state to the log\'s; a script never submitted is missing', () => {
    const byHand = submission(null, '2026-11-30T01', ['k0', 'k1', 'k2']);
    const never = submission(null, '2026-11-30T02', ['k5']);
    const cluster: ClusterView = {
      queue: [{jobId: '40', task: 1, state: 'PENDING', command: byHand.script}, {jobId: '40', task: 0, state: 'RUNNING', command: byHand.script}],
      accounting: new Map([['40_2', 'OUT_OF_MEMORY']]),
      logOf: (s, task) => s === byHand && task === 2 ? log(2, '', '40') : null,
    };
    const states = runStates([run('k0'), run('k1'), run('k2'), run('k5')], [byHand, never], cluster);
    assert.deepEqual(states.map(s => [s.state, s.detail]), [
      ['running', 'job 40, task 0'],
      ['pending', 'job 40, task 1 (pending)'],
      ['failed', 'job 40, task 2: out of memory'],
      ['missing', `script written, not submitted (${never.script})`],
    ]);
    // Without accounting, the log's word; the job id then comes from the log.
    const noAccounting: ClusterView = {...cluster, queue: [], accounting: null};
    assert.equal(runStates([run('k2')], [byHand], noAccounting)[0].detail,
                 'job 40, task 2: killed while training (cancelled, out of time or memory, or the node failed)');
    // Neither queued nor logged with its job: the id is unknown, and said so.
    const quiet: ClusterView = {queue: [], accounting: null, logOf: (s, task) => task === 2 ? log(2, '').replace(/ in job \d+/, '') : null};
    assert.equal(runStates([run('k2')], [byHand], quiet)[0].detail,
                 'job ?, task 2: killed while training (cancelled, out of time or memory, or the node failed)');
  });

  it('without squeue, a task that has not ended is "submitted", not failed: nothing is sent twice', () => {
    const s = submission('17', '2026-11-30T01', ['k0', 'k1']);
    const cluster: ClusterView = {queue: null, accounting: null,
                                  logOf: (_, task) => task === 1 ? log(1, 'cnnlab-slurm: finished run 1 with exit code 2 at x\n') : null};
    assert.deepEqual(runStates([run('k0'), run('k1')], [s], cluster).map(r => r.state), ['submitted', 'failed']);
  });
});
