/** Validation of builder options, with errors that name the option, value and range. */
import {CommonOptions, OptionSpec} from './types';

/**
 * The first conv's stride, shared by the MobileNet families: 2 in the papers
 * (224 px inputs), 1 for lab-scale 28/32 px inputs, which are 8x smaller.
 */
export const STEM_STRIDE_OPTION: OptionSpec = {
  type: 'integer', description: 'stride of the first conv (2 in the paper; 1 for 28/32 px inputs)',
};

export function checkStemStride(family: string, value: number): void {
  if (value !== 1 && value !== 2) throw new Error(`${family}: stemStride must be 1 or 2, got ${value}`);
}

/**
 * The refusal of the families whose papers scale the network some other way
 * than by a width multiplier (module widths fixed by a table, growth rates):
 * any width but 1 is refused, with what to change instead.
 */
export function checkNoWidthMultiplier(family: string, width: number, instead: string): void {
  if (width !== 1) throw new Error(`${family}: width must be 1 (the paper defines no width multiplier), got ${width}; ${instead}`);
}

export function checkRange(name: string, value: number, min: number, max: number, integer = false): void {
  const kind = integer ? 'a whole number' : 'a number';
  if (typeof value !== 'number' || Number.isNaN(value) || (integer && !Number.isInteger(value)) ||
      value < min || value > max) {
    throw new Error(`${name} must be ${kind} in [${min}, ${max}], got ${value}`);
  }
}

/**
 * Checks the common options. `minResolution` is the smallest input the
 * family's downsampling leaves at least 1x1 at the end.
 */
export function checkCommon(family: string, o: CommonOptions, minResolution: number): void {
  if (!(o.width > 0 && o.width <= 4)) {
    throw new Error(`${family}: width multiplier must be in (0, 4], got ${o.width}`);
  }
  if (!Number.isInteger(o.resolution) || o.resolution < minResolution || o.resolution > 1024) {
    throw new Error(`${family}: resolution must be a whole number of pixels in [${minResolution}, 1024] ` +
        `(smaller inputs vanish in the network's downsampling), got ${o.resolution}`);
  }
  checkRange(`${family}: classes`, o.classes, 1, 100000, true);
  checkRange(`${family}: channels`, o.channels, 1, 4, true);
}

/** Smallest input that survives `downsamplings` stride-2 'same' steps with >= 1 pixel. */
export function minResolutionFor(downsamplings: number): number {
  return 2 ** Math.max(0, downsamplings - 1) + 1;
}

/**
 * Checks a list option (block counts, growth rates): whole numbers in
 * [min, max], `length` of them when the architecture fixes how many.
 */
export function checkIntegerList(name: string, values: unknown, options: {min?: number; max?: number; length?: number} = {}): number[] {
  const {min = 1, max = 1024, length} = options;
  const ok = Array.isArray(values) && values.length > 0 && (length == null || values.length === length) &&
      values.every(v => Number.isInteger(v) && v >= min && v <= max);
  if (!ok) {
    const count = length == null ? 'a list of' : `${length}`;
    throw new Error(`${name} must be ${count} whole numbers in [${min}, ${max}] (e.g. [4, 7, 3]), got ${JSON.stringify(values)}`);
  }
  return values as number[];
}

/**
 * The command line's form of a list option: whole numbers joined by '-'
 * ('14-14-14'). The one parser of that form; builders take arrays.
 */
export function parseIntegerList(name: string, text: string): number[] {
  const parts = text.split('-');
  const values = parts.map(p => (/^\d+$/.test(p.trim()) ? Number(p) : NaN));
  if (values.some(v => Number.isNaN(v))) {
    throw new Error(`${name} must be whole numbers joined by '-' (e.g. 14-14-14), got '${text}'`);
  }
  return values;
}
