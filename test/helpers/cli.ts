/** Runs the real `cnnlab` command (bin/cnnlab.cjs over dist/) as a user would. */
import {spawn} from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'notebooks');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: {env?: NodeJS.ProcessEnv; cwd?: string;
                                                  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void} = {}):
    Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'cnnlab.cjs'), ...args], {
      cwd: options.cwd ?? ROOT, env: {...process.env, ...options.env}, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => { stdout += d; });
    child.stderr.on('data', d => {
      stderr += d;
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({code, signal, stdout, stderr}));
  });
}

export {tempDir} from './temp-dirs';

/** `cnnlab train` of a lab MobileNet small enough to train in a second or two on synthetic data. */
export const TINY_TRAIN_ARGS: readonly string[] = [
  'train', 'mobilenet_v1', '--resolution', '16', '--channels', '1', '--width', '0.25', '--set', 'stemStride=1',
  '--set', 'depth=2', '--dataset', 'synthetic', '--limit', '128', '--test-limit', '64', '--epochs', '1', '--batch', '32',
];
