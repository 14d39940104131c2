/**
 * Runs tfjs-core's own jasmine specs against the lab's kernels: bundles the
 * spec files with the harness (child.ts), starts one process per spec file
 * and configuration, and compares each lab configuration with its stock one.
 */
import {spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {wasmOutDir} from '../../../lib/engine/backends/wasm-threads';
import {REPO_ROOT} from '../../../lib/root';
import {CONFIGURATIONS, ConfigurationName, FileOutcome, SPEC_ENV_NAME, SPEC_FILES} from './configurations';

const BUNDLE_DIR = path.join(REPO_ROOT, '.cache', 'tfjs-specs');
export const BUNDLE = path.join(BUNDLE_DIR, 'specs.cjs');
/** A spec file's process may take this long (wasm's slowest file takes about 15 s). */
const FILE_TIMEOUT_MS = 240_000;

/**
 * Bundles the harness with every spec file, ESM builds first: that is what
 * makes the specs, the backends and the lab's kernels share one tfjs-core.
 * Kept inside the project so that the external packages resolve.
 */
export async function buildSpecBundle(): Promise<string> {
  const esbuild = require('esbuild') as typeof import('esbuild');
  const loaders = SPEC_FILES.map(({file}) =>
    `  ${JSON.stringify(file)}: () => require(${JSON.stringify(`@tensorflow/tfjs-core/dist/${file}`)}),`).join('\n');
  fs.mkdirSync(BUNDLE_DIR, {recursive: true});
  await esbuild.build({
    stdin: {
      contents: `globalThis.LAB_SPEC_LOADERS = {\n${loaders}\n};\nrequire(${JSON.stringify(path.join(__dirname, 'child.ts'))});\n`,
      resolveDir: REPO_ROOT, loader: 'js', sourcefile: 'tfjs-specs-entry.js',
    },
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: BUNDLE,
    mainFields: ['module', 'main'],
    // Native code (Dawn) and what the harness never loads.
    external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    logLevel: 'error',
  });
  return BUNDLE;
}

/** A spec's name without the test environment's part, the same in every configuration. */
export function specName(fullName: string): string {
  return fullName.replace(new RegExp(` ${SPEC_ENV_NAME} \\{[^}]*\\}`), '');
}

/** Runs one spec file in one configuration, in a process of its own. */
export function runSpecFile(configuration: ConfigurationName, file: string, env: NodeJS.ProcessEnv = {}): Promise<FileOutcome> {
  const outFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cnnlab-specs-')), 'outcome.json');
  return new Promise(resolve => {
    const child = spawn(process.execPath, [BUNDLE, configuration, file, outFile], {
      cwd: REPO_ROOT,
      env: {...process.env, ...env, LAB_WASM_DIR: wasmOutDir(), LAB_THREADS: '1'},
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: FILE_TIMEOUT_MS,
    });
    let stderr = '';
    child.stderr.on('data', chunk => { stderr = (stderr + chunk).slice(-4000); });
    child.on('close', (code, signal) => {
      try {
        const outcome = JSON.parse(fs.readFileSync(outFile, 'utf8')) as FileOutcome;
        for (const spec of outcome.specs) spec.name = specName(spec.name);
        resolve(outcome);
      } catch {
        const how = signal != null ? `killed by ${signal}${signal === 'SIGTERM' ? ` after ${FILE_TIMEOUT_MS / 1000} s` : ''}` : `exit ${code}`;
        resolve({configuration, file, seconds: 0, engines: [], specs: [], suiteErrors: [`the process ended without an outcome (${how}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`]});
      } finally {
        fs.rmSync(path.dirname(outFile), {recursive: true, force: true});
      }
    });
  });
}

/** Runs each configuration's spec files, `parallel` processes at a time. */
export async function runSuite(configurations: readonly ConfigurationName[], options: {env?: NodeJS.ProcessEnv; parallel?: number;
                               onFile?: (outcome: FileOutcome) => void} = {}): Promise<FileOutcome[]> {
  const jobs = configurations.flatMap(configuration => SPEC_FILES
      .filter(spec => CONFIGURATIONS[configuration].backend !== 'webgpu' || spec.webgpu === true)
      .map(spec => ({configuration, file: spec.file})));
  const outcomes: FileOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const outcome = await runSpecFile(job.configuration, job.file, options.env);
      outcomes.push(outcome);
      options.onFile?.(outcome);
    }
  };
  await Promise.all(Array.from({length: options.parallel ?? Math.max(1, os.cpus().length)}, worker));
  return outcomes;
}

/** Spec name -> status, over one configuration's files; suite errors count as failed entries. */
export function statuses(outcomes: readonly FileOutcome[], configuration: ConfigurationName): Map<string, string> {
  const byName = new Map<string, string>();
  for (const outcome of outcomes.filter(o => o.configuration === configuration)) {
    const seen = new Map<string, number>();
    for (const spec of outcome.specs) {
      // tfjs-core has a few specs of the same name in one file: number the repeats.
      const count = (seen.get(spec.name) ?? 0) + 1;
      seen.set(spec.name, count);
      byName.set(`${outcome.file} > ${spec.name}${count > 1 ? ` (#${count})` : ''}`, spec.status);
    }
    for (const error of outcome.suiteErrors) byName.set(`${outcome.file} > (outside any spec) ${specName(error)}`, 'failed');
  }
  return byName;
}

/** Names of the failed specs in `configuration`. */
export function failures(outcomes: readonly FileOutcome[], configuration: ConfigurationName): Set<string> {
  return new Set([...statuses(outcomes, configuration)].filter(([, status]) => status === 'failed').map(([name]) => name));
}
