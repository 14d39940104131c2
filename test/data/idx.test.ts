/** The IDX/Fashion-MNIST loaders on real files and on files broken on purpose. */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import {FASHION_MNIST_FILES, loadFashionMnist, locateFashionMnist, parseIdx, readIdxFile, requireFashionMnist} from '../../lib/data';
import {tempDir} from '../helpers/cli';

/** An IDX file: header (0, 0, 0x08, rank, dims...) then the bytes. */
function idx(shape: number[], data: Uint8Array, magicType = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = magicType;
  header[3] = shape.length;
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** A tiny but valid Fashion-MNIST folder: 3 train and 2 test images. */
function writeTinySet(dir: string): void {
  const images = (n: number) => idx([n, 28, 28], Uint8Array.from({length: n * 784}, (_, i) => i % 256));
  const labels = (n: number) => idx([n], Uint8Array.from({length: n}, (_, i) => i % 10));
  fs.writeFileSync(path.join(dir, FASHION_MNIST_FILES.trainImages), zlib.gzipSync(images(3)));
  fs.writeFileSync(path.join(dir, FASHION_MNIST_FILES.trainLabels), zlib.gzipSync(labels(3)));
  fs.writeFileSync(path.join(dir, FASHION_MNIST_FILES.testImages), zlib.gzipSync(images(2)));
  fs.writeFileSync(path.join(dir, FASHION_MNIST_FILES.testLabels), zlib.gzipSync(labels(2)));
}

describe('IDX and Fashion-MNIST loaders', () => {
  it('parses a header and its data', () => {
    const parsed = parseIdx(idx([2, 3], Uint8Array.of(1, 2, 3, 4, 5, 6)), 'x');
    assert.deepEqual(parsed.shape, [2, 3]);
    assert.deepEqual([...parsed.data], [1, 2, 3, 4, 5, 6]);
  });

  it('rejects a wrong magic number, naming the file and the expected values', () => {
    assert.throws(() => parseIdx(idx([2], Uint8Array.of(1, 2), 0x0d), 'labels.idx'),
        /labels\.idx: wrong IDX magic number 0x00000d01; expected 0x00000801 \(labels\) or 0x00000803 \(images\)/);
  });

  it('rejects a file shorter than its header promises', () => {
    assert.throws(() => parseIdx(idx([3], Uint8Array.of(1, 2)), 'short.idx'),
        /short\.idx: header promises 3 values of shape \[3\] but the file holds 2: the file is truncated or corrupt/);
  });

  it('rejects a truncated gzip with the file name and the likely cause', () => {
    const dir = tempDir('idx');
    const file = path.join(dir, 'cut.gz');
    const whole = zlib.gzipSync(idx([100], new Uint8Array(100)));
    fs.writeFileSync(file, whole.subarray(0, whole.length - 10));
    assert.throws(() => readIdxFile(file), new RegExp(`${file}: not a complete gzip file .*cut short`));
  });

  it('loads a valid folder given by LAB_DATA_DIR', () => {
    const dir = tempDir('fmnist');
    writeTinySet(dir);
    assert.equal(locateFashionMnist({LAB_DATA_DIR: dir}), dir);
    const {train, test} = loadFashionMnist(dir);
    assert.equal(train.count, 3);
    assert.equal(test.count, 2);
    assert.equal(train.labels[2], 2);
  });

  it('a LAB_DATA_DIR without the files is an error, not a silent fall-back', () => {
    const dir = tempDir('fmnist-missing');
    writeTinySet(dir);
    fs.rmSync(path.join(dir, FASHION_MNIST_FILES.testLabels));
    assert.throws(() => requireFashionMnist({LAB_DATA_DIR: dir}),
        /Fashion-MNIST not found: .* lacks t10k-labels-idx1-ubyte\.gz\. Fix: put the four Fashion-MNIST \.gz files in \$LAB_DATA_DIR/);
  });

  it('reads the real Fashion-MNIST: 60,000 + 10,000 images of 28x28, 10 classes', function () {
    const dir = locateFashionMnist({});
    if (dir == null) this.skip();
    const {train, test} = loadFashionMnist(dir!);
    assert.equal(train.count, 60_000);
    assert.equal(test.count, 10_000);
    assert.equal(train.height, 28);
    assert.deepEqual(new Set(train.labels).size, 10);
  });
});
