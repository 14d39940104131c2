import * as fs from 'node:fs';
import * as path from 'node:path';

import {envValue, folderFromEnv} from '../environment';
import {REPO_ROOT} from '../root';

/** The four IDX files of Fashion-MNIST, as Zalando and Debian name them. */
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

export const DATA_DIR_ENV = 'LAB_DATA_DIR';

/** $LAB_DATA_DIR resolved, or null when unset; an error when it names no folder. */
export function dataDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  return folderFromEnv(DATA_DIR_ENV, {create: false, accepts: 'an existing folder holding the data sets\' files'}, env);
}

/**
 * Folders searched, in order: datasets/fashion-mnist/ in the repo, then
 * Debian's package. A user who sets $LAB_DATA_DIR means it: then only it
 * (or its fashion-mnist/ subfolder) is searched, so a wrong setting is an
 * error instead of a silent fall-back to other files.
 */
export function fashionMnistCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = dataDirFromEnv(env);
  if (fromEnv) return [path.join(fromEnv, 'fashion-mnist'), fromEnv];
  return [path.join(REPO_ROOT, 'datasets', 'fashion-mnist'), '/usr/share/datasets/fashion-mnist'];
}

/** The first folder holding all four files, or null. */
export function locateFashionMnist(env: NodeJS.ProcessEnv = process.env): string | null {
  return fashionMnistCandidates(env).find(
      dir => Object.values(FASHION_MNIST_FILES).every(f => fs.existsSync(path.join(dir, f)))) ?? null;
}

/** What is missing, and how to fix it, when no folder holds all four files. */
export function missingDataMessage(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = fashionMnistCandidates(env);
  const present = candidates.find(dir => fs.existsSync(dir));
  const missing = present ? Object.values(FASHION_MNIST_FILES).filter(f => !fs.existsSync(path.join(present, f))) : [];
  const where = present ? `${present} lacks ${missing.join(', ')}` : `looked in ${candidates.join(', ')}`;
  const fix = envValue(DATA_DIR_ENV, env) ?
      `put the four Fashion-MNIST .gz files in $${DATA_DIR_ENV} (${env[DATA_DIR_ENV]}), or unset it` :
      'install them with: sudo apt-get install dataset-fashion-mnist (or put the four .gz files in datasets/fashion-mnist/)';
  return `Fashion-MNIST not found: ${where}. Fix: ${fix}`;
}

export function requireFashionMnist(env: NodeJS.ProcessEnv = process.env): string {
  const dir = locateFashionMnist(env);
  if (dir == null) throw new Error(missingDataMessage(env));
  return dir;
}
