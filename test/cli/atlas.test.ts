/** `cnnlab variants`, `cnnlab cost` and `cnnlab train` as a user calls them. */
import {strict as assert} from 'node:assert';
import {spawnSync} from 'node:child_process';
import * as path from 'node:path';

import {REGISTRY} from '../../lib/models';
import {ROOT, TINY_TRAIN_ARGS, runCli, tempDir} from '../helpers/cli';

describe('cnnlab variants / cost / train @integration', function () {
  this.timeout(240_000);

  it('variants --json lists every registered variant with its cost', async () => {
    const r = await runCli(['variants', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<{name: string; macs: number; params: number}>;
    assert.deepEqual(rows.map(v => v.name), REGISTRY.map(v => v.name));
    assert.equal(rows.find(v => v.name === 'mobilenet_v2_1.0_224')!.macs, 300_774_272);
  });

  it('cost --json has the documented shape, for a configuration nobody registered', async () => {
    const r = await runCli(['cost', 'mobilenet_v2', '--width', '0.6', '--resolution', '136', '--set', 'expansion=4', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.variant, 'mobilenet_v2');
    assert.equal(report.options.expansion, 4);
    for (const key of ['params', 'trainableParams', 'weightParams', 'macs', 'flops', 'activationBytes']) {
      assert.equal(typeof report.totals[key], 'number', key);
    }
    assert.equal(report.totals.flops, 2 * report.totals.macs);
    assert.ok(report.byType.conv1x1.macs > 0);
    assert.deepEqual(Object.keys(report.layers[1]).sort(),
        ['className', 'kind', 'macs', 'name', 'outputShape', 'params', 'trainableParams'].sort());
  });

  it('a CondenseNet variant is costed under its own counter unless --convention says otherwise', async () => {
    const own = JSON.parse((await runCli(['cost', 'condensenet_86_cifar10', '--json'])).stdout);
    const plain = JSON.parse((await runCli(['cost', 'condensenet_86_cifar10', '--convention', 'macs', '--json'])).stdout);
    assert.equal(own.convention, 'condensenet');
    assert.equal(plain.convention, 'macs');
    // Plain MACs count the learned 1x1 group convs densely (C = 4 times more) and no ReLU or pooling ops.
    const lgc = (r: {layers: Array<{className: string; macs: number}>}) =>
        r.layers.filter(l => l.className === 'LearnedGroupConv2D').reduce((sum, l) => sum + l.macs, 0);
    assert.equal(lgc(plain), 4 * lgc(own));
  });

  it('accepts torchvision\'s, timm\'s and Keras\'s names, and says what they stand for', async () => {
    const expected = [
      ['mobilenet_v3_large', 5_483_032, /mobilenet_v3_large \(torchvision's name\) is the lab's mobilenet_v3 with size=large/],
      ['MobileNetV3Small', 2_542_856, /MobileNetV3Small \(Keras's name\) is the lab's mobilenet_v3 with size=small/],
      ['googlenet', 6_624_904, /googlenet \(torchvision's name\) is the lab's inception_v1_224_torchvision/],
    ] as const;
    for (const [name, trainable, header] of expected) {
      const json = await runCli(['cost', name, '--json']);
      assert.equal(json.code, 0, json.stderr);
      // torchvision's num_params for each (its model meta): the alias reaches the same network.
      assert.equal(JSON.parse(json.stdout).totals.trainableParams, trainable, name);
      assert.match((await runCli(['cost', name])).stdout, header);
    }
  });

  it('cost prints the MobileNet Table 2 shares, 1.91 % included', async () => {
    const r = await runCli(['cost', 'mobilenet_v1_1.0_224']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /conv3x3\s+10,838,016\s+1\.91 %/);
    assert.match(r.stdout, /multiply-adds \(MACs\)\s+568,740,352/);
  });

  it('train of a family on small images gets the chapters\' lab-scale network and says how to get the paper\'s', async () => {
    const env = {LAB_RESULTS_DIR: tempDir('lab-scale')};
    const base = ['train', 'mobilenet_v1', '--width', '0.25', '--resolution', '32', '--dataset', 'synthetic', '--limit', '128',
                  '--test-limit', '64', '--epochs', '1', '--json'];
    const lab = await runCli(base, {env});
    assert.equal(lab.code, 0, lab.stderr);
    assert.match(lab.stderr, /note: mobilenet_v1 at lab scale, as the chapters train it on 32 px images: stemStride=1, depth=5 \(the paper's network: --set stemStride=2 --set depth=13\)/);
    const record = JSON.parse(lab.stdout);
    assert.deepEqual([record.config.options.stemStride, record.config.options.depth], [1, 5]);
    assert.match(record.record, /[0-9a-f]{20}\.json$/, 'the record\'s path is printed');
    const paper = await runCli([...base, '--set', 'depth=13', '--set', 'stemStride=2'], {env});
    assert.equal(paper.code, 0, paper.stderr);
    assert.doesNotMatch(paper.stderr, /lab scale/);
    assert.deepEqual([JSON.parse(paper.stdout).config.options.depth, JSON.parse(paper.stdout).config.options.stemStride], [13, 2]);
  });

  describe('bad input names the option, the value and what is accepted', () => {
    const cases: Array<[string[], RegExp]> = [
      [['cost', 'mobilenet_v1', '--width=-0.5'], /width multiplier must be in \(0, 4\], got -0\.5/],
      [['cost', 'mobilenet_v1', '--width', '9'], /width multiplier must be in \(0, 4\], got 9/],
      [['cost', 'mobilenet_v1', '--resolution', '7'], /resolution must be a whole number of pixels in \[17, 1024\].*got 7/],
      [['cost', 'mobilenet_v1', '--resolution', '100.5'], /--set resolution|resolution must be a whole number/],
      [['cost', 'mobilenet_v2_1.0_244'], /unknown model 'mobilenet_v2_1\.0_244'; did you mean mobilenet_v2_1\.0_224/],
      [['cost', 'mobilenet_v1', '--set', 'depthh=3'], /unknown option 'depthh' for mobilenet_v1; its options are:\n\s+convolution:/],
      [['cost', 'mobilenet_v1', '--set', 'convolution=grouped'], /--set convolution must be one of separable, full, got 'grouped'/],
      [['cost', 'mobilenet_v1', '--convention', 'flops'], /--convention must be one of macs, condensenet, got 'flops'/],
      [['cost', 'condensenet', '--set', 'growth=6-16-32'], /block 1 layer 1: 24 bottleneck and 6 output channels must divide into groups = 4 and groups3x3 = 4/],
      [['cost', 'condensenet', '--set', 'condenseFactor=3'], /16 input channels, not divisible by groups \(G = 4\) and the condensation factor \(C = 3\)/],
      [['train', 'mobilenet_v1', '--dataset', 'imagenet'], /--dataset must be one of fashion-mnist, cifar10, synthetic, got 'imagenet'/],
      [['train', 'mobilenet_v1', '--backend', 'tpu'], /--backend must be one of auto, tensorflow, webgpu, wasm, cpu; got 'tpu'/],
    ];
    for (const [args, message] of cases) {
      it(args.join(' '), async () => {
        const r = await runCli(args);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, message);
      });
    }
  });

  it('train --json trains for real, records the run, and reuses it the second time', async () => {
    const results = tempDir('train-results');
    const args = [...TINY_TRAIN_ARGS, '--json'];
    const first = await runCli(args, {env: {LAB_RESULTS_DIR: results}});
    assert.equal(first.code, 0, first.stderr);
    const record = JSON.parse(first.stdout);
    assert.equal(record.reused, false);
    assert.equal(record.result.backend, 'wasm');
    assert.ok(record.result.testAccuracy >= 0 && record.result.timing.trainImagesPerSecond > 0);
    assert.equal(record.config.options.classes, 10);
    const second = await runCli(args, {env: {LAB_RESULTS_DIR: results}});
    assert.equal(JSON.parse(second.stdout).reused, true);
  });

  it('train --json writes all of a long record into a shell pipe (a CondenseNet\'s masks take more than 64 KiB)', () => {
    // Through `| cat`, as a user pipes it into jq or python: a real pipe, where exiting at once cut the output at 64 KiB.
    const args = ['train', 'condensenet', '--resolution', '28', '--channels', '1', '--set', 'stages=4-4-4', '--set', 'growth=8-16-32',
                  '--set', 'stemStride=2', '--dataset', 'synthetic', '--limit', '128', '--test-limit', '64', '--epochs', '1', '--json'];
    const command = [process.execPath, path.join(ROOT, 'bin', 'cnnlab.cjs'), ...args].map(a => `'${a}'`).join(' ');
    const r = spawnSync('bash', ['-c', `${command} 2>/dev/null | cat`], {encoding: 'utf8', maxBuffer: 2 ** 24,
                                                                          env: {...process.env, LAB_RESULTS_DIR: tempDir('train-results')}});
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.length > 65536, `${r.stdout.length} characters`);
    const record = JSON.parse(r.stdout);
    assert.equal(record.result.condensation.events.at(-1).keptFraction, 0.25);
  });
});
