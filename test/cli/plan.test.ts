/**
 * `cnnlab plan` and `cnnlab run-plan` as a user runs them: two shards
 * started at once share the tour's plan over one results folder without
 * training anything twice, and a second run-plan trains nothing.
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';

import {runCli, tempDir} from '../helpers/cli';

interface PlanJson {chapter: string; budget: string; backend: string; runs: Array<{index: number; key: string; recorded: boolean; groups: string[]}>}

describe('cnnlab plan / run-plan @integration', function () {
  this.timeout(300_000);
  const results = tempDir('plan-cli');
  const env = {LAB_RESULTS_DIR: results};
  const plan = async () => {
    const r = await runCli(['plan', 'tour', '--budget', 'smoke', '--json'], {env});
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as PlanJson;
  };

  it('lists the plan\'s runs, none recorded yet', async () => {
    const listed = await plan();
    assert.equal(listed.chapter, '00');
    assert.equal(listed.runs.length, 3);
    assert.ok(listed.runs.every(r => !r.recorded && /^[0-9a-f]{20}$/.test(r.key) && r.groups[0] === 'widths'));
    const text = await runCli(['plan', '00', '--budget', 'smoke'], {env});
    assert.match(text.stdout, /chapter 00 \(Lab tour\), smoke budget on wasm: 3 runs, 0 recorded in results\/, 3 to train/);
    // With nothing measured the plan's time is unknown, not zero.
    const claims = await runCli(['plan', '04', '--budget', 'smoke'], {env});
    assert.equal(claims.code, 0, claims.stderr);
    assert.match(claims.stdout, /The whole plan: nothing recorded in results\/ on this machine times its \d+ runs yet/);
  });

  it('two shards started together train each run once', async () => {
    const [one, two] = await Promise.all(['1/2', '2/2'].map(shard =>
        runCli(['run-plan', '00', '--budget', 'smoke', '--shard', shard], {env})));
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    assert.match(one.stdout, /shard 1\/2: 2 runs trained now, 0 reused from results\/, 1 not recorded yet/);
    assert.match(two.stdout, /shard 2\/2: 1 run trained now, 0 reused from results\/, 2 not recorded yet/);
    assert.equal(fs.readdirSync(results).filter(f => f.endsWith('.json')).length, 3);
    assert.ok((await plan()).runs.every(r => r.recorded));
  });

  it('a second run-plan trains nothing', async () => {
    const again = await runCli(['run-plan', 'tour', '--budget', 'smoke'], {env});
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /: 0 runs trained now, 3 reused from results\/, 0 not recorded yet/);
  });

  it('refuses an unknown chapter, budget, shard or run number, naming what it accepts', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['plan', '07'], /unknown chapter '07'; chapters with a plan: 00 \(tour\), 01 \(inception\), 02 \(xception\), 03 \(mobilenet\), 04 \(condensenet\)/],
      [['plan', '03', '--budget', 'huge'], /--budget must be one of smoke, quick, course, full, got 'huge'/],
      [['run-plan', '00', '--shard', '3/2'], /--shard must be i\/n with 1 <= i <= n \(e\.g\. 1\/2\), got '3\/2'/],
      [['run-plan', '00', '--budget', 'smoke', '--only', '5'], /--only: chapter 00's smoke plan has runs 0\.\.2 \(see cnnlab plan\), got 5/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, {env});
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});

describe('cnnlab answers @integration', function () {
  this.timeout(120_000);
  it('prints a chapter\'s exercises answered by the lab, and says which chapters have answers', async () => {
    const env = {LAB_RESULTS_DIR: tempDir('answers')};
    const r = await runCli(['answers', '03', '--budget', 'smoke'], {env});
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^chapter 03 \(MobileNet multipliers[^)]*\): answers to its exercises, smoke budget on \w+\n/);
    for (const n of [1, 2, 3, 4]) assert.match(r.stdout, new RegExp(`\\n${n}\\. \\S`), `answer ${n}`);
    assert.match(r.stdout, /4\. The separable claim with more seeds\n {3}not run yet at the smoke budget/);
    // The tour has no exercises.
    const none = await runCli(['answers', '00'], {env});
    assert.equal(none.code, 2);
    assert.match(none.stderr, /cnnlab answers: chapter 00 has no computed answers yet; chapters with answers: 01, 02, 03, 04/);
  });
});
