/**
 * Reading a model configuration from the command line: a registered variant
 * or a family, the common options (--width, --resolution, --classes,
 * --channels) and the family's own options as --set key=value.
 */
import {REGISTRY, RegisteredFamily, ResolvedModel, aliasOf, resolveModelName} from '../models';
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
  /** The variant or family the user's name comes down to (an alias resolved). */
  name: string;
  /** Whether that is a registered variant (a network fixed by its paper) rather than a family. */
  isVariant: boolean;
  /** The options the user gave (--width, --set ...), as opposed to the variant's or the defaults. */
  setByUser: string[];
  /** Set when the user typed a torchvision, timm or Keras name: that name, where it is from, its options. */
  alias?: {name: string; from: string; options: Record<string, unknown>};
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
  let resolved: ResolvedModel;
  try {
    resolved = resolveModelName(name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const family = resolved.family;
  const options: Record<string, unknown> = {...resolved.options};
  const setByUser: string[] = [];
  for (const key of Object.keys(COMMON) as Array<keyof CommonOptions>) {
    const raw = values[key];
    if (typeof raw === 'string') {
      options[key] = parseValue(key, raw, COMMON[key]);
      setByUser.push(key);
    }
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
    setByUser.push(key);
  }
  const alias = aliasOf(name);
  const isVariant = REGISTRY.some(v => v.name === resolved.name);
  return {name: resolved.name, family, options, setByUser, isVariant, ...(resolved.alias && alias ? {alias: {name, from: alias.from, options: alias.options}} : {})};
}
