/** Every model family and registered variant of the lab, in chapter order. */
import * as tf from '@tensorflow/tfjs';

import * as condenseNet from './condensenet';
import * as classic from './classic';
import * as inceptionLab from './inception-lab';
import * as inceptionV1 from './inception-v1';
import * as inceptionResNetV2 from './inception-resnet-v2';
import * as inceptionV2 from './inception-v2';
import * as inceptionV3 from './inception-v3';
import * as inceptionV4 from './inception-v4';
import * as mobileNetV1 from './mobilenet-v1';
import * as mobileNetV2 from './mobilenet-v2';
import * as mobileNetV3 from './mobilenet-v3';
import * as xception from './xception';
import * as xceptionSpectrum from './xception-spectrum';
import {aliasNames, aliasOf} from './aliases';
import {CommonOptions, Family, ModelVariant, OptionSpec} from './types';

export * from './types';
export {Alias, aliasNames, aliasOf} from './aliases';
export {FAMILY as MOBILENET_V1, MobileNetV1Options, buildMobileNetV1} from './mobilenet-v1';
export {FAMILY as MOBILENET_V2, MobileNetV2Options, buildMobileNetV2} from './mobilenet-v2';
export {FAMILY as MOBILENET_V3, MobileNetV3Options, buildMobileNetV3} from './mobilenet-v3';
export {buildInceptionV1} from './inception-v1';
export {FAMILY as INCEPTION_LAB, InceptionLabOptions, buildInceptionLab} from './inception-lab';
export {buildAlexNet, buildSqueezeNet, buildVgg16} from './classic';
export {buildInceptionV2} from './inception-v2';
export {buildInceptionV3} from './inception-v3';
export {buildInceptionV4} from './inception-v4';
export {buildInceptionResNetV2} from './inception-resnet-v2';
export {buildXception} from './xception';
export {FAMILY as XCEPTION_SPECTRUM, SpectrumModuleArgs, XceptionSpectrumOptions, buildXceptionSpectrum, spectrumModule} from './xception-spectrum';
export {FAMILY as CONDENSENET, CondenseNetOptions, buildCondenseNet} from './condensenet';
export {convertCondenseNet, gatherOf} from './condensenet-convert';

/**
 * A family as the registry holds it: its options are checked at run time
 * against its defaults (names and value types) before its typed builder
 * runs, so a family can be looked up by name without losing the check.
 */
export interface RegisteredFamily {
  name: string;
  paper: string;
  defaults: Readonly<CommonOptions>;
  options: Readonly<Record<string, OptionSpec>>;
  labScale?: Readonly<Record<string, unknown>>;
  build(options?: Record<string, unknown>): tf.LayersModel;
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : typeof value;
}

/** `options` as `family`'s own type, after checking every name and value type against its defaults. */
export function checkedOptions<O extends CommonOptions>(family: Family<O>, options: Record<string, unknown>): Partial<O> {
  const defaults = new Map<string, unknown>(Object.entries(family.defaults));
  for (const [key, value] of Object.entries(options)) {
    if (!defaults.has(key)) {
      throw new Error(`${family.name} has no option '${key}'; its options: ${[...defaults.keys()].join(', ')}`);
    }
    const kind = kindOf(defaults.get(key));
    if (value !== undefined && kindOf(value) !== kind) {
      throw new Error(`${family.name}: option '${key}' must be ${kind === 'array' ? 'a list' : `a ${kind}`}, got ${JSON.stringify(value)}`);
    }
  }
  return options as Partial<O>;
}

/**
 * A record's options read as `family`'s own type: the record must be of
 * that family, and every name and value type is checked against its
 * defaults. How a chapter reads the runs it planned.
 */
export function optionsAs<O extends CommonOptions>(family: Family<O>, model: string, options: Record<string, unknown>): Partial<O> {
  if (model !== family.name) throw new Error(`a run of ${model} read as ${family.name}: its options are ${family.name}'s only for its own runs`);
  return checkedOptions(family, options);
}

function registered<O extends CommonOptions>(family: Family<O>): RegisteredFamily {
  return {
    name: family.name, paper: family.paper, defaults: family.defaults, options: family.options,
    ...(family.labScale ? {labScale: family.labScale} : {}),
    build: (options = {}) => family.build(checkedOptions(family, options)),
  };
}

export const FAMILIES: readonly RegisteredFamily[] = [
  registered(inceptionV1.FAMILY),
  registered(inceptionLab.FAMILY),
  registered(classic.ALEXNET),
  registered(classic.VGG16),
  registered(classic.SQUEEZENET),
  registered(inceptionV2.FAMILY),
  registered(inceptionV3.FAMILY),
  registered(inceptionV4.FAMILY),
  registered(inceptionResNetV2.FAMILY),
  registered(xception.FAMILY),
  registered(xceptionSpectrum.FAMILY),
  registered(mobileNetV1.FAMILY),
  registered(mobileNetV2.FAMILY),
  registered(mobileNetV3.FAMILY),
  registered(condenseNet.FAMILY),
];

export const REGISTRY: readonly ModelVariant[] = [
  ...inceptionV1.VARIANTS,
  ...inceptionLab.VARIANTS,
  ...classic.VARIANTS,
  ...inceptionV2.VARIANTS,
  ...inceptionV3.VARIANTS,
  ...inceptionV4.VARIANTS,
  ...inceptionResNetV2.VARIANTS,
  ...xception.VARIANTS,
  ...mobileNetV1.VARIANTS,
  ...mobileNetV2.VARIANTS,
  ...mobileNetV3.VARIANTS,
  ...condenseNet.VARIANTS,
];

/** Edit distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

export function closestNames(name: string, candidates: readonly string[], count = 3): string[] {
  return [...candidates].sort((a, b) => editDistance(name, a) - editDistance(name, b)).slice(0, count);
}

export function getFamily(name: string): RegisteredFamily {
  const family = FAMILIES.find(f => f.name === name);
  if (family == null) {
    const names = FAMILIES.map(f => f.name);
    throw new Error(`unknown model family '${name}'; closest: ${closestNames(name, names).join(', ')}`);
  }
  return family;
}

/** Every name a model can be asked for by: variants, families and the common aliases. */
export function modelNames(): string[] {
  return [...REGISTRY.map(v => v.name), ...FAMILIES.map(f => f.name), ...aliasNames()];
}

export function getVariant(name: string): ModelVariant {
  const variant = REGISTRY.find(v => v.name === name);
  if (variant == null) {
    throw new Error(`unknown model variant '${name}'; did you mean ${closestNames(name, modelNames()).join(', ')}?`);
  }
  return variant;
}

/** What a model name stands for: a variant, a family, or an alias of either with options. */
export interface ResolvedModel {
  /** The registered variant or family the name comes down to (what records store). */
  name: string;
  family: RegisteredFamily;
  /** The variant's options with the alias's on top. */
  options: Record<string, unknown>;
  /** Set when the name was an alias: where the name comes from. */
  alias?: string;
}

export function resolveModelName(name: string): ResolvedModel {
  const alias = REGISTRY.some(v => v.name === name) || FAMILIES.some(f => f.name === name) ? null : aliasOf(name);
  const target = alias?.target ?? name;
  const variant = REGISTRY.find(v => v.name === target);
  if (variant == null && !FAMILIES.some(f => f.name === target)) {
    throw new Error(`unknown model '${name}'; did you mean ${closestNames(name, modelNames()).join(', ')}? ` +
        '(`cnnlab variants` lists them all)');
  }
  return {
    name: target, family: getFamily(variant?.family ?? target),
    options: {...(variant?.options ?? {}), ...(alias?.options ?? {})},
    ...(alias ? {alias: alias.from} : {}),
  };
}

/** Builds a registered variant, a family, or an alias (mobilenet_v3_large), with options on top. */
export function buildModel(name: string, overrides: Record<string, unknown> = {}): tf.LayersModel {
  const resolved = resolveModelName(name);
  return resolved.family.build({...resolved.options, ...overrides});
}
