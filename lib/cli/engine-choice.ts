/** The engine a training command runs on: --backend and --threads, else the environment, else the automatic choice. */
import {EngineInfo, THREADS_ENV, backendFromEnv, initEngine, parseBackend, parseThreads} from '../engine';
import {asUsage} from './errors';

export const ENGINE_OPTIONS = {backend: {type: 'string'}, threads: {type: 'string'}} as const;

export async function startEngine(values: Record<string, unknown>): Promise<EngineInfo> {
  const flag = values['backend'] as string | undefined;
  const choice = asUsage(() => flag != null ? parseBackend(flag, '--backend') : backendFromEnv());
  // wasm reads its thread count when it first starts (lib/engine/backends/wasm-threads.ts).
  if (values['threads'] != null) {
    process.env[THREADS_ENV] = String(asUsage(() => parseThreads(values['threads'] as string, '--threads')));
  }
  return initEngine(choice);
}
