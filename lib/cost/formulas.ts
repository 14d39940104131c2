/**
 * The papers' cost arithmetic as named functions. Each is checked in
 * test/cost/formulas.test.ts against the same layer built in TF.js and costed
 * by the rules, so the prose of a chapter and the calculator cannot drift.
 * Units: MACs (multiply-accumulates) and weights, one image.
 */

/** Standard convolution (MobileNet eq. 2): DK·DK·M·N·DF·DF. */
export function standardConvMacs(kernel: number, inChannels: number, outChannels: number, outSize: number): number {
  return kernel * kernel * inChannels * outChannels * outSize * outSize;
}

/** Depthwise step (MobileNet eq. 3): DK·DK·M·DF·DF. */
export function depthwiseMacs(kernel: number, channels: number, outSize: number): number {
  return kernel * kernel * channels * outSize * outSize;
}

/** Pointwise (1x1) step: M·N·DF·DF. */
export function pointwiseMacs(inChannels: number, outChannels: number, outSize: number): number {
  return inChannels * outChannels * outSize * outSize;
}

/** Depthwise separable (MobileNet eq. 4): DK·DK·M·DF·DF + M·N·DF·DF. */
export function separableMacs(kernel: number, inChannels: number, outChannels: number, outSize: number): number {
  return depthwiseMacs(kernel, inChannels, outSize) + pointwiseMacs(inChannels, outChannels, outSize);
}

/** Separable over standard (MobileNet eq. 5): 1/N + 1/DK². */
export function separableRatio(kernel: number, outChannels: number): number {
  return 1 / outChannels + 1 / (kernel * kernel);
}

/**
 * With width multiplier alpha and resolution multiplier rho (MobileNet eq. 6
 * and 7): DK·DK·αM·ρDF·ρDF + αM·αN·ρDF·ρDF.
 */
export function scaledSeparableMacs(kernel: number, inChannels: number, outChannels: number, outSize: number,
                                    alpha: number, rho: number): number {
  const m = alpha * inChannels;
  const n = alpha * outChannels;
  const df = rho * outSize;
  return kernel * kernel * m * df * df + m * n * df * df;
}

/** Weights of a k x k convolution without bias. */
export function convWeights(kernelHeight: number, kernelWidth: number, inChannels: number, outChannels: number): number {
  return kernelHeight * kernelWidth * inChannels * outChannels;
}

/** Weights of a depthwise separable layer without biases: DK·DK·M + M·N. */
export function separableWeights(kernel: number, inChannels: number, outChannels: number): number {
  return kernel * kernel * inChannels + inChannels * outChannels;
}

/**
 * A 1x1 reduction to `reduced` channels before a k x k convolution (the
 * Inception module's "dimension reduction", §4): weights of both convs.
 */
export function reducedConvWeights(kernel: number, inChannels: number, reduced: number, outChannels: number): number {
  return convWeights(1, 1, inChannels, reduced) + convWeights(kernel, kernel, reduced, outChannels);
}

/** The ResNet-style bottleneck in -> mid -> in: 1x1, 3x3, 1x1 weights. */
export function bottleneckWeights(channels: number, mid: number): number {
  return convWeights(1, 1, channels, mid) + convWeights(3, 3, mid, mid) + convWeights(1, 1, mid, channels);
}

/**
 * Cost of two stacked 3x3 convolutions relative to one 5x5 with the same
 * widths (Szegedy et al. 2015, §3.1): (9 + 9) / 25; the saving is 1 - that.
 */
export function twoThreeByThreeOverFiveByFive(): number {
  return (9 + 9) / 25;
}

/**
 * An n x n convolution factorised as 1 x n then n x 1 (Szegedy et al. 2015,
 * §3.2), same widths: 2n / n². For n = 3: 6/9 (33 % cheaper).
 */
export function asymmetricOverSquare(n: number): number {
  return (2 * n) / (n * n);
}

/** A 3x3 as two 2x2 convolutions (same widths): 8/9 (11 % cheaper). */
export function twoTwoByTwoOverThreeByThree(): number {
  return (4 + 4) / 9;
}

/** Group convolution with G groups: 1/G of the dense weights and MACs. */
export function groupConvWeights(kernel: number, inChannels: number, outChannels: number, groups: number): number {
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(`channels ${inChannels} -> ${outChannels} do not divide into ${groups} groups`);
  }
  return convWeights(kernel, kernel, inChannels / groups, outChannels / groups) * groups;
}

/**
 * Grid reduction (Szegedy et al. 2015, §5), d x d x k to (d/2) x (d/2) x 2k:
 * conv then pool costs 2·d²·k² (a k -> 2k conv at full resolution), pool
 * then conv 2·(d/2)²·k², a quarter, at the price of a bottleneck.
 */
export function gridReductionConvThenPool(d: number, k: number): number {
  return 2 * d * d * k * k;
}
export function gridReductionPoolThenConv(d: number, k: number): number {
  return 2 * (d / 2) * (d / 2) * k * k;
}

/** CondenseNet: a learned group conv keeps 1/C of a dense 1x1 conv's weights after condensing. */
export function condensedWeights(inChannels: number, outChannels: number, condenseFactor: number): number {
  if (inChannels % condenseFactor !== 0) {
    throw new Error(`input channels ${inChannels} do not divide by the condensation factor ${condenseFactor}`);
  }
  return (inChannels / condenseFactor) * outChannels;
}
