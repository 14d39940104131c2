/**
 * Reading a model configuration from the command line: a registered variant
 * or a family, the common options (--width, --resolution, --classes,
 * --channels) and the family's own options as --set key=value.
 */
import {FAMILIES, REGISTRY, RegisteredFamily, closestNames, getFamily} from '../models';
import {parseIntegerList} from '../models/options';
import {CommonOptions, OptionSpec} from '../models/types';
import {UsageError} from './errors';

export const MODEL_OPTIONS = {
  width: {type: 'string'},
  resolution: {type: 'string'},
  classes: {type: 'string'},
  channels: {type: 'string'},
  set: {type: 'string', multiple: true},
} as const;

export interface ModelChoice {
  /** What the user named: a variant or a family. */
  name: string;
  family: RegisteredFamily;
  /** The variant's options with the user's overrides applied. */
  options: Record<string, unknown>;
}

function parseValue(key: string, raw: string, spec: OptionSpec): unknown {
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n) || (spec.type === 'integer' && !Number.isInteger(n))) {
        throw new UsageError(`--set ${key} must be ${spec.type === 'integer' ? 'a whole number' : 'a number'}, got '${raw}'`);
      }
      return n;
    }
    case 'integers':
      try {
        return parseIntegerList(`--set ${key}`, raw);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new UsageError(`--set ${key} must be true or false, got '${raw}'`);
      return raw === 'true';
    case 'string':
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new UsageError(`--set ${key} must be one of ${spec.choices.join(', ')}, got '${raw}'`);
      }
      return raw;
  }
}

const COMMON: Record<keyof CommonOptions, OptionSpec> = {
  width: {type: 'number', description: 'width multiplier alpha'},
  resolution: {type: 'integer', description: 'input side in pixels'},
  classes: {type: 'integer', description: 'classifier outputs'},
  channels: {type: 'integer', description: 'input channels'},
};

export function resolveModel(name: string | undefined, values: Record<string, unknown>): ModelChoice {
  if (name == null) throw new UsageError('name a model variant or family (see `cnnlab variants`)');
  const variant = REGISTRY.find(v => v.name === name);
  const familyName = variant?.family ?? name;
  if (variant == null && !FAMILIES.some(f => f.name === name)) {
    const all = [...REGISTRY.map(v => v.name), ...FAMILIES.map(f => f.name)];
    throw new UsageError(`unknown model '${name}'; did you mean ${closestNames(name, all).join(', ')}? ` +
        '(`cnnlab variants` lists them all)');
  }
  const family = getFamily(familyName);
  const options: Record<string, unknown> = {...(variant?.options ?? {})};
  for (const key of Object.keys(COMMON) as Array<keyof CommonOptions>) {
    const raw = values[key];
    if (typeof raw === 'string') options[key] = parseValue(key, raw, COMMON[key]);
  }
  for (const pair of (values['set'] as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set takes key=value, got '${pair}'`);
    const key = pair.slice(0, eq);
    const spec = family.options[key] ?? COMMON[key as keyof CommonOptions];
    if (spec == null) {
      const known = Object.entries(family.options).map(([k, s]) => `  ${k}: ${s.description}`).join('\n');
      throw new UsageError(`unknown option '${key}' for ${family.name}; its options are:\n${known}`);
    }
    options[key] = parseValue(key, pair.slice(eq + 1), spec);
  }
  return {name, family, options};
}
