/** Time estimates from measured speeds, against hand-worked numbers. */
import {strict as assert} from 'node:assert';

import {ExperimentConfig, Run, estimateSeconds, experimentConfig, formatDuration, macRates} from '../../lib/experiments';

function measured(options: Record<string, number>, imagesPerSecond: number, macs: number): Run {
  const config = experimentConfig({model: 'm', options}, 'wasm');
  return {key: 'k', config, result: {timing: {trainImagesPerSecond: imagesPerSecond}, macs} as unknown as Run['result']};
}

describe('time estimates', () => {
  const runs = [measured({width: 1}, 200, 4e6), measured({width: 1}, 300, 4e6), measured({width: 0.5}, 1000, 1e6)];
  const images = (c: ExperimentConfig) => (c.limit ?? 60000) * c.epochs;

  it('times a run from the mean speed of runs of the same network, whatever their subset or seed', () => {
    // width 1: mean 250 img/s; 60,000 images x 10 epochs = 2,400 s. width 0.5: 600,000 / 1000 = 600 s.
    const full = [1, 0.5].map(width => experimentConfig({model: 'm', options: {width}, limit: null, epochs: 10, seed: 3}, 'wasm'));
    const estimate = estimateSeconds(full, runs, {trainingImages: images});
    assert.equal(estimate.seconds, 2400 + 600);
    assert.deepEqual([estimate.fromSameNetwork, estimate.fromMacRate, estimate.unknown], [2, 0, 0]);
  });

  it('falls back to the engine\'s median MAC rate for an unmeasured network, and says what it could not time', () => {
    // MAC rates: 8e8, 1.2e9, 1e9: median 1e9 MAC/s. A 2e6-MAC network on 1,000 images: 2 s.
    assert.equal(macRates(runs).get('wasm'), 1e9);
    const unseen = experimentConfig({model: 'm', options: {width: 0.75}, limit: 1000, epochs: 1}, 'wasm');
    const withMacs = estimateSeconds([unseen], runs, {trainingImages: images, macsOf: () => 2e6});
    assert.equal(withMacs.seconds, 2);
    assert.equal(withMacs.fromMacRate, 1);
    const otherEngine = experimentConfig({model: 'm', options: {width: 1}}, 'cpu');
    assert.equal(estimateSeconds([otherEngine], runs, {trainingImages: images, macsOf: () => 1}).unknown, 1);
  });

  it('writes durations as a reader takes them in', () => {
    assert.equal(formatDuration(40), '40 s');
    assert.equal(formatDuration(600), '10 min');
    assert.equal(formatDuration(9 * 3600), '9.0 hours');
  });
});
