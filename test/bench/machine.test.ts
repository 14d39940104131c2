/**
 * lib/bench/machine.ts: the benchmarks' CPU description names the family,
 * model and widest vectors from /proc/cpuinfo, which a VM's model name hides.
 */
import {strict as assert} from 'node:assert';

import {cpuDescription, thisCpu, widestVectors} from '../../lib/bench/machine';

const processor = (flags: string) => [
  'processor\t: 0', 'vendor_id\t: AuthenticAMD', 'cpu family\t: 25', 'model\t\t: 17', 'model name\t: AMD EPYC',
  `flags\t\t: ${flags}`, '',
  'processor\t: 1', 'cpu family\t: 99', 'model\t\t: 1', '',
].join('\n');

describe('bench: the CPU a benchmark ran on', () => {
  it('names the widest x86 vector extension', () => {
    assert.equal(widestVectors('fpu sse2 avx avx2 fma avx512f avx512bw'), 'AVX-512');
    assert.equal(widestVectors('fpu sse2 avx avx2 fma'), 'AVX2');
    assert.equal(widestVectors('fpu sse2'), 'SSE2');
    assert.equal(widestVectors('fp asimd'), null);
  });

  it('adds the first processor\'s family, model and vectors to the model name', () => {
    assert.equal(cpuDescription('AMD EPYC', processor('sse2 avx2 avx512f')), 'AMD EPYC (family 25, model 17, AVX-512)');
    assert.equal(cpuDescription('AMD EPYC', processor('sse2 avx avx2')), 'AMD EPYC (family 25, model 17, AVX2)');
  });

  it('gives the model name alone where there is no /proc/cpuinfo or it lacks those fields', () => {
    assert.equal(cpuDescription('Apple M2', null), 'Apple M2');
    assert.equal(cpuDescription('Neoverse', 'processor\t: 0\nBogoMIPS\t: 50.00\n'), 'Neoverse');
  });

  it('describes this machine', () => {
    assert.ok(thisCpu().length > 0);
  });
});
