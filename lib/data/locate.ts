import * as fs from 'node:fs';
import * as path from 'node:path';

/** The four IDX files of Fashion-MNIST, as Zalando and Debian name them. */
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

export const DATA_DIR_ENV = 'LAB_DATA_DIR';
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Folders searched, in order: $LAB_DATA_DIR(/fashion-mnist), datasets/, Debian's package. */
export function fashionMnistCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env[DATA_DIR_ENV];
  return [
    ...(fromEnv ? [path.join(fromEnv, 'fashion-mnist'), fromEnv] : []),
    path.join(REPO_ROOT, 'datasets', 'fashion-mnist'),
    '/usr/share/datasets/fashion-mnist',
  ];
}

/** The first folder holding all four files, or null. */
export function locateFashionMnist(env: NodeJS.ProcessEnv = process.env): string | null {
  return fashionMnistCandidates(env).find(
      dir => Object.values(FASHION_MNIST_FILES).every(f => fs.existsSync(path.join(dir, f)))) ?? null;
}

export function requireFashionMnist(env: NodeJS.ProcessEnv = process.env): string {
  const dir = locateFashionMnist(env);
  if (dir == null) {
    throw new Error('Fashion-MNIST not found. Looked in: ' + fashionMnistCandidates(env).join(', ') +
        '. Install it with: sudo apt-get install dataset-fashion-mnist ' +
        '(or put the four .gz files in datasets/fashion-mnist/ or $LAB_DATA_DIR)');
  }
  return dir;
}
