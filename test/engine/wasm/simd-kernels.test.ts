/**
 * The lab's WebAssembly SIMD kernels (tfjs-backend-wasm-train) against the
 * three things they must agree with: their sources (the binaries the
 * package ships are what the sources assemble to), the TypeScript interface
 * they are called through (names and parameter counts of the module's
 * exports), and the JavaScript
 * loops that run where the module cannot load (whole-model gradients with
 * and without the kernels).
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';

import {initEngine} from '../../../lib/engine';
import {SIMD_KERNEL_ARITY, assemble, usingFusedKernels, withPlainSimd, withoutSimdKernels} from '../../../packages/tfjs-backend-wasm-train/src/wasm/simd-kernels';
import {fuseMultiplyAdds} from '../../../packages/tfjs-backend-wasm-train/src/wasm/fused-multiply-add';
import {GENERATED_FILE, generatedBinariesText} from '../../../packages/tfjs-backend-wasm-train/scripts/assemble';
import {modelGradients, normwiseError} from '../../../lib/bench/gradients';
import {worstWeightError} from '../../helpers/gradients';

describe('the lab\'s SIMD kernels', function () {
  this.timeout(120_000);

  it('ships the binaries its WebAssembly sources assemble to (else: npx tsx packages/tfjs-backend-wasm-train/scripts/assemble.ts)', async () => {
    assert.ok(fs.readFileSync(GENERATED_FILE, 'utf8') === await generatedBinariesText(),
              'src/wasm/binaries.generated.ts is older than src/wasm/sources/: run the assemble script');
  });

  it('the shipped module, plain and fused, exports exactly the interface\'s kernels, each with its parameter count', async () => {
    await initEngine('wasm');
    assert.ok(usingFusedKernels(), 'Node 20 and later have relaxed SIMD (behind a flag the engine sets): the engine should use it');
    for (const memory of [new WebAssembly.Memory({initial: 1}), new WebAssembly.Memory({initial: 1, maximum: 65536, shared: true})]) {
      for (const fused of [false, true]) {
        const kernels = await assemble(memory, fused) as unknown as Record<string, (...args: number[]) => void>;
        assert.deepEqual(Object.keys(kernels).sort(), Object.keys(SIMD_KERNEL_ARITY).sort());
        for (const [name, arity] of Object.entries(SIMD_KERNEL_ARITY)) assert.equal(kernels[name].length, arity, name);
      }
    }
  });

  it('fuses the kernels\' accumulations, and only those', () => {
    assert.equal(fuseMultiplyAdds('(local.set $c (f32x4.add (local.get $c) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $p)))))'),
                 '(local.set $c (f32x4.relaxed_madd (local.get $s) (v128.load offset=16 (local.get $p)) (local.get $c)))');
    // Not a product added to an accumulator: left alone.
    for (const text of ['(f32x4.add (f32x4.mul (local.get $a) (local.get $b)) (local.get $c))',
                        '(f32x4.add (local.get $c) (f32x4.mul (local.get $s) (local.get $b)) (local.get $d))',
                        '(f32x4.add (local.get $c) (f32x4.sub (local.get $s) (local.get $b)))']) {
      assert.equal(fuseMultiplyAdds(text), text);
    }
  });

  // Each network exercises some kernels at channel counts with and without a 4-lane tail.
  const NETS: ReadonlyArray<[string, Record<string, unknown>, string]> = [
    ['mobilenet_v2', {resolution: 16, channels: 1, classes: 4, width: 0.35, stemStride: 1, stages: 3},
     'batch norm, depthwise filter gradient, ReLU6 gradient, 1x1 filter gradient'],
    ['condensenet', {resolution: 8, channels: 1, classes: 4, stages: [2, 2], growth: [4, 8], groups3x3: 2},
     'concat and split, average-pool gradient'],
    ['inception_v1', {resolution: 32, channels: 1, classes: 4, dropout: 0}, 'max-pool gradient, concat'],
  ];
  for (const [family, options, kernels] of NETS) {
    it(`${family}: the JavaScript paths give the SIMD kernels' gradients (${kernels})`, async () => {
      await initEngine('wasm');
      const training = family !== 'inception_v1';
      const fused = await modelGradients('wasm', family, options, {batch: 8, training});
      const plain = await withPlainSimd(() => modelGradients('wasm', family, options, {batch: 8, training}));
      const js = await withoutSimdKernels(() => modelGradients('wasm', family, options, {batch: 8, training}));
      // Float32 block sums in SIMD against float64 in JS, one rounding or two per multiply-add, and where the SIMD
      // kernels load the generated depthwise convolution against XNNPACK's (another order of the same sums):
      // rounding apart, nothing more. The worst weight is MobileNetV2's first projection's batch-norm beta, whose
      // exact gradient is near zero (the next batch norm removes any shift): 2026-12-06, fused build, 9.5e-5 with
      // XNNPACK's depthwise convolution and 1.1e-4 with the generated one against the JavaScript paths
      // (1.1e-4 and 1.2e-4 against cpu); a wrong kernel is off by 1e-2 or more.
      for (const [build, simd] of Object.entries({fused, plain})) {
        const error = normwiseError(simd, js);
        assert.ok(error < 1e-5, `${family}, ${build}: ${error}`);
        const worst = worstWeightError(simd, js);
        assert.ok(worst.error < 2e-4, `${family}, ${build}: ${worst.error} at weight ${worst.weight}`);
      }
    });
  }
});
