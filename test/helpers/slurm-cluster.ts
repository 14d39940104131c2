/**
 * A real one-node Slurm cluster for the integration tests, started from the
 * repo's cluster/local-slurm.sh in a temporary folder (its own munge key and
 * daemons, nothing system-wide), or the reason it cannot start here.
 */
import {spawnSync} from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

import {ROOT, tempDir} from './cli';

export interface LocalCluster {
  dir: string;
  /** What sbatch, squeue and cnnlab need to reach it. */
  env: NodeJS.ProcessEnv;
  stop(): void;
}

const SCRIPT = path.join(ROOT, 'cluster', 'local-slurm.sh');

export function startLocalCluster(): LocalCluster | {reason: string} {
  const dir = tempDir('slurm-cluster');
  // A port of its own, so that a cluster left running elsewhere does not answer.
  const port = String(20000 + Math.floor(Math.random() * 20000) * 2);
  const started = spawnSync('bash', [SCRIPT, 'start', dir], {encoding: 'utf8', env: {...process.env, LAB_SLURM_PORT: port}, timeout: 60_000});
  if (started.status !== 0) {
    return {reason: `cluster/local-slurm.sh could not start a cluster here: ${(started.stderr || started.error?.message || '').trim()}`};
  }
  const conf = /export SLURM_CONF=(\S+)/.exec(started.stdout)?.[1];
  if (conf == null) return {reason: `cluster/local-slurm.sh printed no SLURM_CONF: ${started.stdout}`};
  return {
    dir,
    env: {SLURM_CONF: conf},
    stop: () => {
      spawnSync('scancel', ['--user', os.userInfo().username], {env: {...process.env, SLURM_CONF: conf}});
      spawnSync('bash', [SCRIPT, 'stop', dir], {timeout: 30_000});
    },
  };
}
