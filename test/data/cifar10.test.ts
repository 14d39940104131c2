/** The CIFAR-10 binary loader on small batches the test writes, and on broken ones. */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, loadCifar10, locateCifar10, readCifarBatches} from '../../lib/data';
import {tempDir} from '../helpers/cli';

/** One record: a label, then R, G, B planes where pixel p of plane k holds (p + 50k) % 256. */
function record(label: number): Buffer {
  const bytes = Buffer.alloc(1 + 3 * 1024);
  bytes[0] = label;
  for (let k = 0; k < 3; k++) for (let p = 0; p < 1024; p++) bytes[1 + k * 1024 + p] = (p + 50 * k) % 256;
  return bytes;
}

describe('CIFAR-10 loader', () => {
  it('turns planar RGB records into NHWC images with their labels', () => {
    const dir = tempDir('cifar');
    const file = path.join(dir, 'batch.bin');
    fs.writeFileSync(file, Buffer.concat([record(3), record(9)]));
    const set = readCifarBatches([file], 'tiny');
    assert.equal(set.count, 2);
    assert.deepEqual([...set.labels], [3, 9]);
    assert.deepEqual([set.height, set.width, set.channels], [32, 32, 3]);
    // Pixel 5 of image 1: R = 5, G = 55, B = 105.
    const at = (1 * 1024 + 5) * 3;
    assert.deepEqual([...set.images.subarray(at, at + 3)], [5, 55, 105]);
  });

  it('rejects a truncated batch and a label outside 0-9, naming the file', () => {
    const dir = tempDir('cifar-bad');
    const cut = path.join(dir, 'cut.bin');
    fs.writeFileSync(cut, record(1).subarray(0, 3000));
    assert.throws(() => readCifarBatches([cut], 'x'), /cut\.bin: 3000 bytes is not a whole number of 3073-byte CIFAR-10 records/);
    const bad = path.join(dir, 'bad.bin');
    fs.writeFileSync(bad, record(12));
    assert.throws(() => readCifarBatches([bad], 'x'), /bad\.bin: record 0 has label 12; CIFAR-10 labels are 0-9/);
  });

  it('finds the six batches under LAB_DATA_DIR and loads train and test', () => {
    const root = tempDir('cifar-root');
    const dir = path.join(root, 'cifar-10-batches-bin');
    fs.mkdirSync(dir);
    for (const f of CIFAR10_TRAIN_FILES) fs.writeFileSync(path.join(dir, f), Buffer.concat([record(0), record(1)]));
    fs.writeFileSync(path.join(dir, CIFAR10_TEST_FILE), record(7));
    assert.equal(locateCifar10({LAB_DATA_DIR: root}), dir);
    const {train, test} = loadCifar10(dir);
    assert.equal(train.count, 10);
    assert.equal(test.count, 1);
    assert.equal(test.labels[0], 7);
  });

  it('says where to put the data when it is missing', () => {
    assert.equal(locateCifar10({LAB_DATA_DIR: tempDir('empty')}), null);
    assert.throws(() => loadCifar10(null), /CIFAR-10 not found: put the binary batches .* The lab cannot download it/);
  });
});
