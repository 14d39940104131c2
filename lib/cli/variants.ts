/**
 * `cnnlab variants`: every registered variant with its cost. Building the
 * paper-scale networks is what takes time (initialising Inception-ResNet-v2's
 * 56M weights, not counting them), and the answer depends on the code alone,
 * so rows are kept in .cache/variant-costs.json under a hash of the code that
 * decides them (models, blocks, layers, cost rules) and reused until it changes.
 * Rows print as each is known.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';

import {costOf} from '../cost';
import {REGISTRY, buildModel} from '../models';
import {writeFileAtomic} from '../results/atomic';
import {REPO_ROOT} from '../root';

export interface VariantRow {
  name: string;
  family: string;
  inputShape: number[];
  params: number;
  trainableParams: number;
  macs: number;
}

export const VARIANT_CACHE = path.join(REPO_ROOT, '.cache', 'variant-costs.json');

/** A hash of every file of the code that decides a variant's cost (compiled or source, whichever runs). */
export function costCodeHash(): string {
  const hash = crypto.createHash('sha256');
  const here = path.dirname(__dirname);   // lib/ or dist/
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) hash.update(entry.name).update(fs.readFileSync(full));
    }
  };
  for (const part of ['models', 'blocks', 'layers', 'cost']) walk(path.join(here, part));
  return hash.digest('hex').slice(0, 20);
}

function readCache(key: string): Map<string, VariantRow> {
  try {
    const cached = JSON.parse(fs.readFileSync(VARIANT_CACHE, 'utf8')) as {key: string; rows: VariantRow[]};
    if (cached.key === key) return new Map(cached.rows.map(r => [r.name, r]));
  } catch { /* absent or unreadable: compute */ }
  return new Map();
}

export function costVariant(name: string): VariantRow {
  const variant = REGISTRY.find(v => v.name === name)!;
  const model = buildModel(variant.name);
  try {
    const {totals} = costOf(model, variant.convention ?? 'macs');
    return {name: variant.name, family: variant.family, inputShape: (model.inputs[0].shape as number[]).slice(1),
            params: totals.params, trainableParams: totals.trainableParams, macs: totals.macs};
  } finally {
    model.dispose();
    tf.disposeVariables();
  }
}

/** Every variant's row, in registry order, each passed to `onRow` as soon as it is known. */
export function variantRows(onRow: (row: VariantRow) => void = () => {}): VariantRow[] {
  const key = costCodeHash();
  const cache = readCache(key);
  const rows = REGISTRY.map(v => {
    const row = cache.get(v.name) ?? costVariant(v.name);
    onRow(row);
    return row;
  });
  if (rows.some(r => !cache.has(r.name))) {
    try {
      writeFileAtomic(VARIANT_CACHE, JSON.stringify({key, rows}) + '\n');
    } catch { /* a read-only checkout: no cache, same answer */ }
  }
  return rows;
}
