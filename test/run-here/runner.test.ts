/**
 * The reports' "run it here" experiments without a browser: what each
 * chapter's section is made of (lib/run-here/config.ts), and that a run as
 * the page trains it (runner.ts) is the book's run: on the same images and
 * seed it reaches the test accuracy the plan runner's does, to the last bit.
 */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {loadFashionMnist} from '../../lib/data/fashion-mnist';
import {initEngine} from '../../lib/engine';
import {runExperiment} from '../../lib/experiments/run';
import {runHereConfig} from '../../lib/run-here/config';
import {RunStopped, estimate, experimentConfigOf, judge, runsOf, smokeConfig, trainRun} from '../../lib/run-here/runner';
import {findChapter} from '../../lib/chapters';
import {runHereCalls} from '../helpers/run-here';

describe('the reports\' "run it here" experiments', function () {
  this.timeout(300_000);

  it('each notebook\'s cell makes one: a headline claim\'s two arms, the chapter\'s recipe, a test-time cost per arm', () => {
    const calls = runHereCalls();
    assert.deepEqual(calls.map(s => s.chapter), ['00', '01', '02', '03', '04']);
    for (const section of calls) {
      const config = runHereConfig(section);
      assert.equal(config.arms.length, 2);
      assert.equal(config.arms[0].label, config.claim.a.label);
      assert.ok(config.arms.every(arm => arm.macs > 0 && arm.params > 0), `${section.chapter}: costs ${JSON.stringify(config.arms)}`);
      const recipe = findChapter(section.chapter).plan('quick').training;
      assert.equal(config.training.optimizer, recipe.optimizer ?? 'adam', section.chapter);
      assert.equal(config.training.limit, section.trainImages);
      assert.deepEqual(runsOf(config).map(r => r.arm), config.seeds.flatMap(() => [0, 1]));
    }
  });

  it('says what it accepts when asked for a claim a chapter does not have, or for fewer than two seeds', () => {
    assert.throws(() => runHereConfig({chapter: '02', claim: 'nope'}), /chapter 02 has no claim 'nope'; its claims: between, order, residual/);
    assert.throws(() => runHereConfig({chapter: '02', claim: 'between', seeds: 1}), /seeds must be a whole number >= 2, got 1/);
    assert.throws(() => runHereConfig({chapter: '02', claim: 'between', trainImages: 10.5}), /trainImages must be a whole number >= 64, got 10.5/);
  });

  it('trains a run exactly as the plan runner does: same images and seed, same test accuracy', async () => {
    const engine = await initEngine('wasm');
    const config = smokeConfig(runHereConfig({chapter: '02', claim: 'between'}));
    const run = {arm: 1 as const, seed: 2};
    // The whole data set, as the plan runner draws from it (a page draws from the images it carries).
    const ours = await trainRun(config, loadFashionMnist(), run, {engine});
    const book = await runExperiment(experimentConfigOf(config, run));
    assert.equal(ours.accuracy, book.testAccuracy);
  });

  it('judges the finished pairs by the book\'s rule, and a stop frees everything the run held', async () => {
    const engine = await initEngine('wasm');
    const config = smokeConfig(runHereConfig({chapter: '03', claim: 'width'}));
    const {train, test} = loadFashionMnist();
    const sets = {train, test};
    const outcomes = [];
    for (const run of runsOf(config)) {
      outcomes.push(await trainRun(config, sets, run, {engine}));
      if (outcomes.length < 4) assert.equal(judge(config, outcomes), null, 'one finished pair measures no noise');
    }
    const judged = judge(config, outcomes)!;
    assert.deepEqual(judged.a, outcomes.filter(o => o.arm === 0).map(o => o.accuracy));
    assert.match(judged.sentence, /^α = 0.5 against α = 0.25: [+-]\d\.\d{3} in test accuracy over 2 paired seeds, /);

    const tensors = tf.memory().numTensors;
    await assert.rejects(trainRun(config, sets, {arm: 0, seed: 1}, {engine, onStep: done => { if (done > 0.3) throw new RunStopped(); }}),
                         RunStopped);
    assert.equal(tf.memory().numTensors, tensors);

    const time = await estimate(config, sets, {engine});
    assert.ok(time.perRun.every(s => s > 0) && Math.abs(time.total - 2 * (time.perRun[0] + time.perRun[1])) < 1e-9, JSON.stringify(time));
  });
});
