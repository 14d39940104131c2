/**
 * CIFAR-10 (Krizhevsky 2009) from its binary distribution, for users who have
 * it: nothing reachable here packages it, so the lab never downloads it.
 * `cifar-10-batches-bin/` holds data_batch_1..5.bin and test_batch.bin; each
 * record is one label byte and 3,072 pixel bytes: the red, green and blue
 * 32x32 planes in turn. The loader converts them to the lab's NHWC layout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {REPO_ROOT} from '../root';
import {ImageSet, checkImageSet} from './dataset';
import {dataDirFromEnv} from './locate';

export const CIFAR10_CLASSES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
] as const;

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;
export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map(i => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';

/** Reads one binary batch into an NHWC image set. */
export function readCifarBatches(files: readonly string[], name: string): ImageSet {
  const buffers = files.map(file => {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      throw new Error(`cannot read CIFAR-10 batch ${file}: ${(error as Error).message}`);
    }
    if (bytes.length === 0 || bytes.length % RECORD !== 0) {
      throw new Error(`${file}: ${bytes.length} bytes is not a whole number of ${RECORD}-byte CIFAR-10 records ` +
          '(label + 32x32x3 pixels): the file is truncated or not a CIFAR-10 binary batch');
    }
    return {file, bytes};
  });
  const count = buffers.reduce((n, b) => n + b.bytes.length / RECORD, 0);
  const images = new Uint8Array(count * 3 * PLANE);
  const labels = new Uint8Array(count);
  let i = 0;
  for (const {file, bytes} of buffers) {
    for (let offset = 0; offset < bytes.length; offset += RECORD, i++) {
      const label = bytes[offset];
      if (label >= CIFAR10_CLASSES.length) {
        throw new Error(`${file}: record ${offset / RECORD} has label ${label}; CIFAR-10 labels are 0-9`);
      }
      labels[i] = label;
      // Planes R, G, B -> interleaved pixels.
      for (let p = 0; p < PLANE; p++) {
        const out = (i * PLANE + p) * 3;
        images[out] = bytes[offset + 1 + p];
        images[out + 1] = bytes[offset + 1 + PLANE + p];
        images[out + 2] = bytes[offset + 1 + 2 * PLANE + p];
      }
    }
  }
  const set: ImageSet = {name, images, labels, count, height: SIDE, width: SIDE, channels: 3, classNames: CIFAR10_CLASSES};
  checkImageSet(set);
  return set;
}

/** The folder holding the six batches: $LAB_DATA_DIR(/cifar-10-batches-bin) or datasets/cifar-10-batches-bin. */
export function locateCifar10(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = dataDirFromEnv(env);
  const candidates = fromEnv ? [path.join(fromEnv, 'cifar-10-batches-bin'), fromEnv] :
                               [path.join(REPO_ROOT, 'datasets', 'cifar-10-batches-bin')];
  return candidates.find(dir => [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].every(f => fs.existsSync(path.join(dir, f)))) ?? null;
}

export function loadCifar10(dir: string | null = locateCifar10()): {train: ImageSet; test: ImageSet} {
  if (dir == null) {
    throw new Error('CIFAR-10 not found: put the binary batches (cifar-10-batches-bin/, data_batch_1..5.bin and ' +
        'test_batch.bin) in datasets/ or $LAB_DATA_DIR. The lab cannot download it.');
  }
  return {
    train: readCifarBatches(CIFAR10_TRAIN_FILES.map(f => path.join(dir, f)), 'cifar10/train'),
    test: readCifarBatches([path.join(dir, CIFAR10_TEST_FILE)], 'cifar10/test'),
  };
}
