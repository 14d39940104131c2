/**
 * One process of the TF.js spec suite: runs one of tfjs-core's jasmine spec
 * files on one configuration (a backend, stock or with the lab's kernels)
 * and writes what happened to each spec as JSON.
 *
 * It runs bundled (suite.ts builds the bundle with esbuild, ESM builds
 * first), so the specs, TF.js's backends and the lab's kernels share one
 * copy of tfjs-core: the kernels the lab registers are the ones the specs
 * call. Arguments: the configuration's name, the spec file (relative to
 * tfjs-core's dist/) and the file to write the outcome to.
 */
import * as fs from 'node:fs';

import * as tf from '@tensorflow/tfjs';
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {setTestEnvs} from '@tensorflow/tfjs-core/dist/jasmine_util';

import {setUpDawn} from '../../../lib/engine/backends/choose-backend';
import {registerActivationGradients} from '../../../packages/tfjs-backend-wasm-train/src/kernels/activation-grads';
import {registerLabWasmKernels} from '../../../packages/tfjs-backend-wasm-train/src/kernels/wasm-replacements';
import {prepareSimdKernels, useWabt, withoutSimdKernels} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';
import type {WabtModule} from '../../../packages/tfjs-backend-wasm-train/src/wasm/wat-assembly';
import {prepareWasmThreads, wasmOutDir} from '../../../lib/engine/backends/wasm-threads';
import {CONFIGURATIONS, ConfigurationName, FileOutcome, SPEC_ENV_NAME, SpecOutcome, isConfigurationName} from './configurations';

interface JasmineResult {
  fullName: string;
  status: string;
  failedExpectations: Array<{message: string}>;
}

interface JasmineGlobals {
  core(self: unknown): {getEnv(): JasmineEnv; DEFAULT_TIMEOUT_INTERVAL: number};
  interface(jasmine: unknown, env: JasmineEnv): Record<string, unknown>;
}
interface JasmineEnv {
  configure(options: object): void;
  addReporter(reporter: object): void;
  execute(): Promise<unknown>;
}

/** What ran, as each backend the specs created reported it (threads, which kernels). */
const engines = new Set<string>();

/** The wasm backend factory, rewrapped so each backend the specs create gets the lab's set-up. */
function wrapWasmFactory(threads: number, simd: boolean): void {
  const original = tf.findBackendFactory('wasm');
  if (original == null) throw new Error('tfjs-backend-wasm registered no wasm backend');
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', async () => {
    // The specs reset the engine before each suite, and every reset makes a
    // new wasm module: threads and SIMD kernels are set up for each one.
    const afterInit = threads > 1 ? prepareWasmThreads(threads) : () => {};
    let backend: BackendWasm;
    try {
      backend = await original() as BackendWasm;
    } finally {
      afterInit();
    }
    if (simd) {
      const problem = await prepareSimdKernels(backend);
      if (problem != null) throw new Error(`the lab's SIMD kernels did not load: ${problem}`);
    }
    const count = (require('@tensorflow/tfjs-backend-wasm') as {getThreadsCount(): number}).getThreadsCount();
    engines.add(`wasm, ${count} thread${count === 1 ? '' : 's'}, the lab's kernels ${simd ? 'with SIMD' : 'on their JavaScript paths'}`);
    return backend;
  }, 2);
}

/** Prepares TF.js as the configuration says; returns the test environment the specs run in. */
async function prepare(name: ConfigurationName): Promise<{backendName: string; flags: Record<string, boolean>}> {
  const configuration = CONFIGURATIONS[name];
  tf.env().set('PROD', true);
  if (configuration.backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as {setWasmPaths(prefix: string): void; setThreadsCount(n: number): void};
    // Bundled, the backend cannot find its binaries beside its own code.
    wasm.setWasmPaths(`${wasmOutDir()}/`);
    if (configuration.lab) {
      registerActivationGradients();
      registerLabWasmKernels();
    }
    if (configuration.lab && configuration.simd) {
      // The kernels generated per geometry (the convolutions among them), as the engine gets them.
      useWabt(await (require('wabt') as () => Promise<WabtModule>)());
    }
    if (configuration.threads > 1 || configuration.lab) wrapWasmFactory(configuration.threads, configuration.lab && configuration.simd);
    else wasm.setThreadsCount(1);
    // The specs' engine reset clears flags; the environment's own flags survive it.
    return {backendName: 'wasm', flags: configuration.threads > 1 ? {WASM_HAS_MULTITHREAD_SUPPORT: true} : {}};
  }
  if (configuration.backend === 'webgpu') {
    await setUpDawn(false);
    if (configuration.lab) registerActivationGradients();
    return {backendName: 'webgpu', flags: {}};
  }
  if (configuration.lab) registerActivationGradients();
  return {backendName: 'cpu', flags: {}};
}

async function main(): Promise<void> {
  const [name, specFile, outFile] = process.argv.slice(2);
  if (!isConfigurationName(name) || specFile == null || outFile == null) {
    throw new Error(`usage: child <${Object.keys(CONFIGURATIONS).join('|')}> <spec file under tfjs-core/dist> <outcome.json>`);
  }
  const loaders = (globalThis as unknown as {LAB_SPEC_LOADERS: Record<string, () => unknown>}).LAB_SPEC_LOADERS;
  const load = loaders[specFile];
  if (load == null) throw new Error(`spec file '${specFile}' is not in the bundle; it has ${Object.keys(loaders).join(', ')}`);

  // Jasmine's own boot, without its browser or npm runner: globals for the specs.
  const jasmineRequire = require('jasmine-core/lib/jasmine-core/jasmine.js') as JasmineGlobals;
  const jasmine = jasmineRequire.core(jasmineRequire);
  jasmine.DEFAULT_TIMEOUT_INTERVAL = 20_000;   // as tfjs-core's jasmine_util sets
  const env = jasmine.getEnv();
  Object.assign(globalThis, jasmineRequire.interface(jasmine, env));
  env.configure({random: false});

  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    prepared = await prepare(name);
  } catch (error) {
    // No adapter for webgpu here (no Vulkan driver): said, not failed.
    if (CONFIGURATIONS[name].backend !== 'webgpu') throw error;
    const outcome: FileOutcome = {configuration: name, file: specFile, seconds: 0, engines: [], specs: [], suiteErrors: [],
                                  unavailable: (error as Error).message.split('\n')[0]};
    fs.writeFileSync(outFile, JSON.stringify(outcome));
    return;
  }
  const {backendName, flags} = prepared;
  setTestEnvs([{name: SPEC_ENV_NAME, backendName, flags, isDataSync: backendName !== 'webgpu'}]);

  const specs: SpecOutcome[] = [];
  const suiteErrors: string[] = [];
  env.addReporter({
    specDone: (result: JasmineResult) => {
      specs.push({name: result.fullName, status: result.status === 'passed' ? 'passed' : result.status === 'failed' ? 'failed' : 'skipped',
                  message: result.failedExpectations[0]?.message.split('\n')[0].slice(0, 300)});
    },
    suiteDone: (result: JasmineResult) => {
      for (const failure of result.failedExpectations) suiteErrors.push(`${result.fullName}: ${failure.message.split('\n')[0]}`);
    },
    jasmineDone: (result: {failedExpectations: Array<{message: string}>}) => {
      for (const failure of result.failedExpectations) suiteErrors.push(`top level: ${failure.message.split('\n')[0]}`);
    },
  });
  load();
  const started = Date.now();
  const execute = () => env.execute();
  await (CONFIGURATIONS[name].backend === 'wasm' && CONFIGURATIONS[name].lab && !CONFIGURATIONS[name].simd ?
      withoutSimdKernels(execute) : execute());
  if (engines.size === 0) engines.add(`${backendName}, stock`);
  const outcome: FileOutcome = {configuration: name, file: specFile, seconds: (Date.now() - started) / 1000,
                                engines: [...engines], specs, suiteErrors};
  fs.writeFileSync(outFile, JSON.stringify(outcome));
}

main().then(() => process.exit(0), error => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
