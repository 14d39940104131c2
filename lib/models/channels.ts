/**
 * How each family turns "c channels at width w" into a whole number of
 * channels. There are five rules, not one, because each family's numbers
 * come from a different source: the published parameter counts of the
 * MobileNets are reproduced only with their own reference code's rounding,
 * and the lab's own networks round so that their modules still divide.
 * Blocks never round (docs: DESIGN.md); the builders call these.
 */

/**
 * MobileNet v1: `max(int(c * alpha), 8)`, TF-slim's `depth()` in
 * mobilenet_v1.py (min_depth 8; Keras's MobileNet truncates too). The paper
 * states no rule; its Table 6 alphas (0.75, 0.5, 0.25) give whole numbers
 * under any rule, and at other alphas this one builds the reference
 * networks. It truncates and aligns to nothing, where V2's rule rounds up
 * to a multiple of 8: at alpha 0.3, 64 channels give 19 here, 24 there.
 */
export function scaledFilters(filters: number, alpha: number): number {
  return Math.max(Math.floor(filters * alpha), 8);
}

/**
 * MobileNetV2 and V3: `value` rounded to the nearest multiple of `divisor`,
 * never below `minValue` and never more than 10% below `value`; TF-slim's
 * `_make_divisible` (mobilenet/mobilenet.py), which torchvision and timm
 * copy. Multiples of 8 suit the hardware the V2 paper targets; the V2 and
 * V3 published counts (torchvision, Keras, TF-slim) depend on it. Unlike
 * the other rules it takes the already-scaled value, because V3 also
 * applies it to squeeze-excite widths (expansion / 4).
 */
export function makeDivisible(value: number, divisor = 8, minValue = divisor): number {
  const nearest = Math.floor((value + divisor / 2) / divisor) * divisor;
  const rounded = Math.max(minValue, nearest);
  return rounded < 0.9 * value ? rounded + divisor : rounded;
}

/**
 * AlexNet and VGG-16: `max(1, round(c * width))`. Their papers define no
 * width multiplier and no count at other widths is claimed, so the lab
 * rounds to the nearest channel with no alignment or floor beyond one.
 */
export function classicChannels(channels: number, width: number): number {
  return Math.max(1, Math.round(channels * width));
}

/**
 * Xception and the Xception spectrum network: `max(8, round(c * width))`.
 * The paper defines no width multiplier (the lab adds one for lab-scale
 * runs); nearest rounding keeps widths close to c * width, and a floor of
 * 8 channels (TF-slim's min_depth) keeps the narrowest layers usable. The
 * spectrum network then aligns this to its segments (stageFilters).
 */
export function xceptionChannels(channels: number, width: number): number {
  return Math.max(8, Math.round(channels * width));
}

/**
 * The lab's Inception network (inception_lab): the nearest multiple of 8,
 * at least 16. A module splits its output into four branches of a quarter
 * and 1x1 reductions of an eighth, so its width must divide by 8; 16 keeps
 * each reduction at 2 channels or more.
 */
export function labChannels(channels: number, width: number): number {
  return Math.max(16, Math.round(channels * width / 8) * 8);
}
