/**
 * TensorFlow.js's own op specs (the jasmine suite inside @tensorflow/tfjs-core)
 * against the lab's kernels: every spec file that exercises a kernel or
 * gradient the lab registers, on wasm with the lab's kernels (SIMD, their
 * JavaScript paths, the threaded build), on cpu, and on webgpu over the
 * software Vulkan driver where it runs; each against the stock backend run
 * alongside. No spec that passes on the stock backend may fail with the
 * lab's; the stock backends' own failures are listed by name with the reason
 * (tfjs-specs/stock-failures.ts). The harness is in tfjs-specs/.
 */
import {strict as assert} from 'node:assert';

import {WASM_KERNELS} from '../../packages/tfjs-backend-wasm-train/src/kernels/wasm-replacements';
import {CONFIGURATIONS, ConfigurationName, FileOutcome, SPEC_FILES} from './tfjs-specs/configurations';
import {STOCK_FAILURES} from './tfjs-specs/stock-failures';
import {buildSpecBundle, failures, runSuite, statuses} from './tfjs-specs/suite';

const {softwareVulkanEnv} = require('../../scripts/software-vulkan.cjs') as
    {softwareVulkanEnv(): {env?: NodeJS.ProcessEnv; reason?: string}};

/** Specs that failed with an earlier version of the lab's Concat and Conv2DBackpropInput while passing on stock wasm. */
const ONCE_BROKEN_BY_THE_LAB = [
  'ops/concat_test.js > concat2d [[1, 2], [3, 4]] + [[5, 6]], axis=1 throws error',
  'ops/concat_test.js > concat3d concat throws when invalid non-axis shapes, axis=0',
  'ops/concat_test.js > concat3d concat throws when invalid non-axis shapes, axis=1',
  'ops/concat_test.js > concat3d concat throws when invalid non-axis shapes, axis=2',
  // These four failed only because the axis=0 case above had written past its output into the heap.
  'ops/concat_test.js > concat throws for non-tensors throws when passed a non-tensor',
  'ops/concat_test.js > concat throws for non-tensors accepts a tensor-like object',
  'ops/concat_test.js > memory test returns a new tensor when op is effectively a no-op.',
  'ops/concat_test.js > memory test ensure no memory leak',
  'ops/conv2d_transpose_test.js > conv2dTranspose input=8x8x8,output=4x4x8,f=8,s=1,inDepth=8,p=same vec4',
];

const LAB_CONFIGURATIONS = (Object.keys(CONFIGURATIONS) as ConfigurationName[]).filter(name => CONFIGURATIONS[name].lab);

/** A spec's name with what it said, for failure messages. */
function described(outcomes: readonly FileOutcome[], configuration: ConfigurationName, names: Iterable<string>): string {
  const messages = new Map<string, string>();
  for (const outcome of outcomes.filter(o => o.configuration === configuration)) {
    for (const spec of outcome.specs) messages.set(`${outcome.file} > ${spec.name}`, spec.message ?? '');
  }
  return [...names].map(name => `\n  ${name}${messages.get(name) ? `: ${messages.get(name)}` : ''}`).join('');
}

describe("TF.js's own op specs on the lab's kernels", function () {
  this.timeout(900_000);
  let outcomes: FileOutcome[] = [];
  let webgpuSkip: string | null = null;

  before(async () => {
    await buildSpecBundle();
    const vulkan = softwareVulkanEnv();
    webgpuSkip = vulkan.reason ?? null;
    const configurations = (Object.keys(CONFIGURATIONS) as ConfigurationName[])
        .filter(name => webgpuSkip == null || CONFIGURATIONS[name].backend !== 'webgpu');
    outcomes = await runSuite(configurations, {env: vulkan.env ?? {}});
    webgpuSkip ??= outcomes.find(o => o.unavailable != null)?.unavailable ?? null;
  });

  function skipUnavailable(context: Mocha.Context, configuration: ConfigurationName): void {
    if (CONFIGURATIONS[configuration].backend === 'webgpu' && webgpuSkip != null) {
      console.log(`      (skipped: webgpu is not available here: ${webgpuSkip})`);
      context.skip();
    }
  }

  it('exercises every kernel and gradient the lab registers', () => {
    const exercised = new Set(SPEC_FILES.flatMap(spec => spec.exercises));
    const registered = [...Object.keys(WASM_KERNELS), 'ClipByValue gradient', 'Relu6 gradient', 'Mean gradient'];
    assert.deepEqual(registered.filter(name => !exercised.has(name)), [], 'a lab kernel no spec file exercises');
  });

  it('runs every spec file to the end in every configuration, on the engine it names', () => {
    const expectedSpecs = statuses(outcomes, 'wasm-stock').size;
    assert.ok(expectedSpecs > 700, `only ${expectedSpecs} specs ran on stock wasm`);
    for (const outcome of outcomes) {
      assert.deepEqual(outcome.suiteErrors, [], `${outcome.configuration} ${outcome.file}: failures outside any spec`);
    }
    for (const name of ['cpu-stock', 'cpu-lab', 'wasm-lab', 'wasm-lab-js', 'wasm-lab-threads'] as const) {
      assert.equal(statuses(outcomes, name).size, expectedSpecs, `${name} ran a different set of specs from stock wasm`);
    }
    const engines = (name: ConfigurationName) => new Set(outcomes.filter(o => o.configuration === name).flatMap(o => o.engines));
    assert.deepEqual([...engines('wasm-lab')], ["wasm, 1 thread, the lab's kernels with SIMD"]);
    assert.deepEqual([...engines('wasm-lab-js')], ["wasm, 1 thread, the lab's kernels on their JavaScript paths"]);
    assert.deepEqual([...engines('wasm-lab-threads')], ["wasm, 2 threads, the lab's kernels with SIMD"]);
  });

  for (const backend of ['wasm', 'cpu', 'webgpu'] as const) {
    const stock = `${backend}-stock` as ConfigurationName;
    it(`${stock}: fails exactly the specs listed with their reasons`, function () {
      skipUnavailable(this, stock);
      const failed = failures(outcomes, stock);
      const listed = STOCK_FAILURES[backend];
      const unlisted = [...failed].filter(name => !listed.has(name));
      const passing = [...listed.keys()].filter(name => !failed.has(name));
      assert.equal(unlisted.length + passing.length, 0,
          `TF.js's specs on stock ${backend} changed. Failing but not listed in stock-failures.ts:${described(outcomes, stock, unlisted)}` +
          `\nListed but passing:${passing.map(name => `\n  ${name}`).join('')}`);
    });
  }

  for (const configuration of LAB_CONFIGURATIONS) {
    const {stock, description} = CONFIGURATIONS[configuration];
    if (stock == null) throw new Error(`${configuration} names no stock configuration to compare with`);
    it(`${configuration} (${description}): no spec that passes on ${stock} fails; only the listed stock failures remain`, function () {
      skipUnavailable(this, configuration);
      const failed = failures(outcomes, configuration);
      const failedOnStock = failures(outcomes, stock);
      const regressions = [...failed].filter(name => !failedOnStock.has(name));
      assert.deepEqual(regressions, [], `specs that pass on ${stock} and fail with the lab's kernels:${described(outcomes, configuration, regressions)}`);
      const listed = STOCK_FAILURES[CONFIGURATIONS[configuration].backend];
      const expected = [...listed].filter(([, failure]) => failure.fixedBy == null).map(([name]) => name);
      assert.deepEqual([...failed].sort(), expected.sort(), 'the failures left with the lab\'s kernels are the listed ones it does not fix');
    });
  }

  it("passes the nine specs an earlier Concat and Conv2DBackpropInput failed; a bad concat shape is TF.js's error, not a corrupt heap", () => {
    for (const configuration of ['wasm-lab', 'wasm-lab-js', 'wasm-lab-threads'] as const) {
      const status = statuses(outcomes, configuration);
      assert.deepEqual(ONCE_BROKEN_BY_THE_LAB.filter(name => status.get(name) !== 'passed'), [], configuration);
    }
  });
});
