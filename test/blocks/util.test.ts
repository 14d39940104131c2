/** The shape readers and the classifier head of lib/blocks/util.ts. */
import {strict as assert} from 'node:assert';

import * as tf from '@tensorflow/tfjs';

import {channelsOf, classifierHead} from '../../lib/blocks/util';
import {layerNames, modelOf, paramsOf} from '../helpers/graphs';

describe('block utilities', () => {
  afterEach(() => tf.disposeVariables());

  it('channelsOf reads an NHWC tensor, and says so when the channels are unknown', () => {
    const x = tf.input({shape: [7, 5, 3]});
    assert.equal(channelsOf(x), 3);
    assert.throws(() => channelsOf(tf.input({shape: [4, 4, null]})), /channel dimension of .* is unknown/);
  });

  it('classifierHead: global average pool, dropout when asked, then 64*10 + 10 weights', () => {
    const plain = modelOf([7, 7, 64], x => classifierHead(x, 10));
    assert.deepEqual(layerNames(plain), ['pool', 'logits']);
    assert.equal(paramsOf(plain).total, 650);
    const dropped = modelOf([7, 7, 64], x => classifierHead(x, 10, {dropout: 0.2}));
    assert.deepEqual(layerNames(dropped), ['pool', 'dropout', 'logits']);
    assert.equal(dropped.getLayer('dropout').getConfig()['rate'], 0.2);
  });
});
