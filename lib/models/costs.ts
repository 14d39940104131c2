/**
 * What a network of the registry costs, by name and options, kept on disk.
 * Building a paper-scale network is what takes time (initialising
 * Inception-ResNet-v2's 56M weights, not counting them), and its cost
 * depends on the code alone: every answer is kept in
 * .cache/network-costs.json under a hash of the code that decides it
 * (models, blocks, layers, cost rules) and reused, in this process and the
 * next, until that code changes. `cnnlab variants`, the chapters' paper
 * tables and their "matched cost" searches all read it.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';

import {Convention, CostTotals, KindShare, LayerCost, costOf, sharesByKind, totals} from '../cost';
import {writeFileAtomic} from '../results/atomic';
import {REPO_ROOT} from '../root';
import {REGISTRY, buildModel, resolveModelName} from './index';

export interface NetworkCost {
  /** The input without the batch axis: [height, width, channels]. */
  inputShape: number[];
  layers: LayerCost[];
  totals: CostTotals;
  byKind: KindShare[];
}

export const COST_CACHE = path.join(REPO_ROOT, '.cache', 'network-costs.json');

let cacheFile = COST_CACHE;

/**
 * A hash of every file of the code that decides a network's cost (compiled
 * or source, whichever runs). In a bundle (the offline pack's) those
 * folders do not exist and this file is the bundle, which holds all of
 * that code: its own bytes are hashed instead.
 */
export function costCodeHash(): string {
  const hash = crypto.createHash('sha256');
  const here = path.dirname(__dirname);   // lib/ or dist/
  const parts = ['models', 'blocks', 'layers', 'cost'].map(part => path.join(here, part));
  if (!parts.every(part => fs.existsSync(part))) return hash.update(fs.readFileSync(__filename)).digest('hex').slice(0, 20);
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) hash.update(entry.name).update(fs.readFileSync(full));
    }
  };
  for (const part of parts) walk(part);
  return hash.digest('hex').slice(0, 20);
}

/** What the file holds: the code hash it was made under, and each network's input and layers by key. */
interface CacheFile {
  code: string;
  networks: Record<string, {inputShape: number[]; layers: LayerCost[]}>;
}

let cache: CacheFile | null = null;

/** Keeps the cache in `file` from now on (tests use a file of their own); the next call reads it afresh. */
export function useCostCacheFile(file: string): void {
  cacheFile = file;
  cache = null;
}

function loaded(): CacheFile {
  if (cache != null) return cache;
  const code = costCodeHash();
  try {
    const file = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as CacheFile;
    if (file.code === code && file.networks != null && typeof file.networks === 'object') return cache = file;
  } catch { /* absent, unreadable or from older code: start empty */ }
  return cache = {code, networks: {}};
}

/** The cache files with a write pending, and what to write. */
const writesPending = new Map<string, CacheFile>();
let exitHookSet = false;

/**
 * Writes the cache once the current synchronous work is done: a matched-cost
 * search costs dozens of networks in one loop, and writing the whole file
 * (megabytes) after each would repeat the same write dozens of times. A
 * process that exits first (the CLI exits as soon as its output has left)
 * writes on its way out; one killed loses only the cache, never an answer.
 */
function scheduleWrite(): void {
  if (writesPending.has(cacheFile)) return;
  if (!exitHookSet) process.once('exit', writePending);
  exitHookSet = true;
  writesPending.set(cacheFile, loaded());
  setImmediate(writePending);
}

function writePending(): void {
  for (const [file, data] of writesPending) {
    try {
      writeFileAtomic(file, JSON.stringify(data) + '\n');
    } catch { /* a read-only checkout: no cache, the same answer */ }
  }
  writesPending.clear();
}

/**
 * Runs `build` with every layer it builds taking zeros for its weights
 * (TF.js's own `fastWeightInitDuringBuild`, made for models whose weights are
 * about to be loaded): a cost reads layer configurations and weight shapes,
 * never values, and drawing paper-scale networks' random weights took most
 * of a fresh `cnnlab variants` and of `cnnlab cost`. Only for networks that
 * are costed, never trained.
 */
export function withZeroWeights<T>(build: () => T): T {
  const layerPrototype = tf.layers.Layer.prototype as unknown as {addWeight: (...args: unknown[]) => unknown};
  const addWeight = layerPrototype.addWeight;
  layerPrototype.addWeight = function (this: tf.layers.Layer, ...args: unknown[]) {
    this.setFastWeightInitDuringBuild(true);
    return addWeight.apply(this, args);
  };
  try {
    return build();
  } finally {
    layerPrototype.addWeight = addWeight;
  }
}

/** Object keys sorted at every level, so the same options make the same key in any order. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().map(k => `${JSON.stringify(k)}:${sortedJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The cost of `model` (a registered variant, a family or an alias) with
 * `options` over its own, under `convention` (default: the variant's own,
 * else plain multiply-adds). Built and costed once per code version.
 */
export function networkCost(model: string, options: Record<string, unknown> = {}, convention?: Convention): NetworkCost {
  const resolved = resolveModelName(model);
  const variant = REGISTRY.find(v => v.name === resolved.name);
  const counted = convention ?? variant?.convention ?? 'macs';
  const file = loaded();
  const key = sortedJson({family: resolved.family.name, options: {...resolved.options, ...options}, convention: counted});
  let entry = file.networks[key];
  if (entry == null) {
    const built = withZeroWeights(() => buildModel(model, options));
    try {
      entry = {inputShape: (built.inputs[0].shape as number[]).slice(1), layers: costOf(built, counted).layers};
    } finally {
      built.dispose();
    }
    file.networks[key] = entry;
    scheduleWrite();
  }
  return {inputShape: entry.inputShape, layers: entry.layers, totals: totals(entry.layers), byKind: sharesByKind(entry.layers)};
}
