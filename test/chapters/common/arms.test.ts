/**
 * Two arms as a notebook cell compares them: costed from built networks,
 * trained or reused at paired seeds through the plan runner (records
 * written straight into a results folder here, no training), and judged by
 * the paired interval, or against a chapter's noise with one seed.
 */
import {strict as assert} from 'node:assert';

import {Arm, armsPlan, compareArms, costArms, mobilenet, trainArms} from '../../../lib/chapters';
import {columnOf, proseOf, tablesOf} from '../../../lib/display';
import {ExperimentResult, expandPlan} from '../../../lib/experiments';
import {labScaleOptions} from '../../../lib/experiments/lab-scale';
import {networkCost} from '../../../lib/models/costs';
import {ResultsStore} from '../../../lib/results';
import {tempDir} from '../../helpers/cli';

describe('two arms in a notebook cell', function () {
  this.timeout(60_000);
  const v1 = labScaleOptions('mobilenet_v1');
  const arms: {a: Arm; b: Arm} = {
    a: {label: 'α = 0.5', model: 'mobilenet_v1', options: {...v1, width: 0.5}},
    b: {label: 'α = 0.25', model: 'mobilenet_v1', options: {...v1, width: 0.25}},
  };
  const plan = mobilenet.plan('quick');
  /** Accuracy by arm and seed: a − b is 0.05, 0.04, 0.045 at seeds 1-3. */
  const ACCURACY: Record<string, Record<number, number>> = {'0.5': {1: 0.80, 2: 0.82, 3: 0.81}, '0.25': {1: 0.75, 2: 0.78, 3: 0.765}};

  async function recorded(seeds: number[]) {
    const store = new ResultsStore(tempDir('arms'));
    await assert.rejects(trainArms(plan, arms, {seeds, store, train: false, backend: 'wasm', progress: 'silent'}),
        /group 'a': \d of \d runs? (is|are) not recorded yet/, 'nothing recorded yet, and nothing trained with train: false');
    for (const run of expandPlan(armsPlan(plan, arms, seeds), 'wasm').runs) {
      const width = String(run.config.options['width']);
      store.put(run.config, {
        backend: 'wasm', device: 'test', params: 1000, trainableParams: 900, macs: 1e6, validationAccuracy: null,
        stepCurve: [], testAccuracy: ACCURACY[width][run.config.seed], curves: [], seconds: 10, versions: {},
        timing: {trainImagesPerSecond: 400, latencyMsBatch1: 1, latencyMsBatch64: 0.5, peakTensorBytes: 1},
      } as ExperimentResult);
    }
    return trainArms(plan, arms, {seeds, store, train: false, backend: 'wasm', progress: 'silent'});
  }

  it('costs each arm from its built network, against the first', () => {
    const table = tablesOf([costArms([arms.a, arms.b])])[0];
    const [a, b] = [arms.a, arms.b].map(arm => networkCost(arm.model, arm.options).totals);
    assert.deepEqual(columnOf(table, 'params'), [a, b].map(t => t.trainableParams.toLocaleString('en-US')));
    assert.deepEqual(columnOf(table, 'MACs'), [a.macs, b.macs].map(n => n.toLocaleString('en-US')));
    assert.deepEqual(columnOf(table, 'MACs against α = 0.5'), ['1.00×', `${(b.macs / a.macs).toFixed(2)}×`]);
    assert.throws(() => costArms([]), /at least one arm/);
  });

  it('reuses the arms\' records at the chapter\'s recipe, paired by seed, and decides a − b by the paired interval', async () => {
    const trained = await recorded([1, 2, 3]);
    assert.deepEqual(trained.a.runs.map(r => r.config.seed), [1, 2, 3]);
    assert.equal(trained.a.runs[0].config.limit, plan.training.limit, 'the chapter\'s recipe');
    const items = compareArms(trained);
    assert.deepEqual(columnOf(tablesOf(items)[0], 'test accuracy (mean)'), ['0.810', '0.765']);
    // Differences 0.05, 0.04, 0.045: mean 0.045, sd 0.005, standard error 0.0028868; t(0.975; 2) = 4.3027: ±0.01242.
    assert.match(proseOf(items), /^α = 0\.5 against α = 0\.25: test accuracy \+0\.045, differs \(95 % interval \+0\.033 to \+0\.057\); the mean of 3 paired differences\.$/);
  });

  it('with one seed, judges against the chapter\'s noise where given, and checks nothing where not', async () => {
    const trained = await recorded([1]);
    const noise = {accuracy: 0.02 / Math.SQRT2, meanLoss: 0.01, degreesOfFreedom: 6, configurations: 6};
    // One run each: standard error 0.02; t(0.975; 6) = 2.4469: +0.05 ± 0.0489 excludes zero.
    assert.match(proseOf(compareArms(trained, {noise})), /test accuracy \+0\.050, differs \(95 % interval \+0\.001 to \+0\.099\); one seed each, judged against the chapter's pooled seed noise\./);
    assert.match(proseOf(compareArms(trained)), /\+0\.050, not checked.*; one seed each and no noise given to judge it against\.$/);
    const unmeasured = {...noise, degreesOfFreedom: 0};
    assert.match(proseOf(compareArms(trained, {noise: unmeasured})), /; one seed each, and the chapter measured no seed noise at this budget\.$/);
  });

  it('refuses seeds that are not whole numbers', async () => {
    assert.throws(() => armsPlan(plan, arms, [1.5]), /seeds must be one or more whole numbers ≥ 0, got \[1\.5\]/);
  });
});
