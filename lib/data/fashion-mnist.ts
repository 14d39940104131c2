/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, arXiv:1708.07747): 60,000
 * training and 10,000 test images of 28x28 grey clothing, 10 classes, in
 * the IDX format of MNIST. Debian ships it as `dataset-fashion-mnist`.
 */
import * as path from 'node:path';

import {ImageSet, checkImageSet} from './dataset';
import {readIdxFile} from './idx';
import {FASHION_MNIST_FILES, requireFashionMnist} from './locate';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

/** How to replace a bad file, depending on where it came from. */
function replaceHint(dir: string): string {
  return dir.startsWith('/usr/share/datasets') ?
      'reinstall it: sudo apt-get install --reinstall dataset-fashion-mnist' :
      `replace the file in ${dir} with an intact copy (Debian: apt-get install dataset-fashion-mnist)`;
}

function readChecked(dir: string, file: string) {
  try {
    return readIdxFile(path.join(dir, file));
  } catch (error) {
    throw new Error(`${(error as Error).message}. Fix: ${replaceHint(dir)}`);
  }
}

function loadPair(dir: string, imagesFile: string, labelsFile: string, name: string): ImageSet {
  const images = readChecked(dir, imagesFile);
  const labels = readChecked(dir, labelsFile);
  if (images.shape.length !== 3) {
    throw new Error(`${path.join(dir, imagesFile)}: expected images of shape [count, 28, 28], got [${images.shape}]`);
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new Error(`${path.join(dir, labelsFile)}: ${labels.shape[0]} labels for ${images.shape[0]} images`);
  }
  const set: ImageSet = {
    name, images: images.data, labels: labels.data, count: images.shape[0],
    height: images.shape[1], width: images.shape[2], channels: 1, classNames: FASHION_MNIST_CLASSES,
  };
  checkImageSet(set);
  return set;
}

const cache = new Map<string, {train: ImageSet; test: ImageSet}>();

/** Both splits, read once per process and folder. */
export function loadFashionMnist(dir: string = requireFashionMnist()): {train: ImageSet; test: ImageSet} {
  let sets = cache.get(dir);
  if (sets == null) {
    sets = {
      train: loadPair(dir, FASHION_MNIST_FILES.trainImages, FASHION_MNIST_FILES.trainLabels, 'fashion-mnist/train'),
      test: loadPair(dir, FASHION_MNIST_FILES.testImages, FASHION_MNIST_FILES.testLabels, 'fashion-mnist/test'),
    };
    cache.set(dir, sets);
  }
  return sets;
}
