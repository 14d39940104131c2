/**
 * What networks reach on Fashion-MNIST when trained in full, as published:
 * the yardstick a short run's accuracy is read against, so that nobody takes
 * a quick budget's 0.75 for what MobileNet gets on Fashion-MNIST.
 * docs/references.md C has the source.
 */
import {plural} from '../../display/format';

export interface ReferenceAccuracy {
  network: string;
  testAccuracy: number;
  /** How it was trained, as the source says. */
  training: string;
  source: string;
}

const BENCHMARK = 'zalandoresearch/fashion-mnist README, "Benchmark" table of submitted results (docs/references.md C)';

export const FASHION_MNIST_REFERENCE: readonly ReferenceAccuracy[] = [
  {network: 'MobileNet', testAccuracy: 0.950, training: 'all 60,000 images, horizontal-flip augmentation', source: BENCHMARK},
  {network: 'GoogLeNet', testAccuracy: 0.937, training: 'all 60,000 images, no augmentation', source: BENCHMARK},
  {network: 'ResNet18', testAccuracy: 0.949, training: 'all 60,000 images, flips, translations and rotations', source: BENCHMARK},
  {network: 'DenseNet-BC (768K parameters)', testAccuracy: 0.954, training: 'all 60,000 images, random crops and flips', source: BENCHMARK},
];

export function referenceFor(network: string): ReferenceAccuracy {
  const found = FASHION_MNIST_REFERENCE.find(r => r.network === network);
  if (found == null) throw new Error(`no Fashion-MNIST reference accuracy for '${network}'; known: ${FASHION_MNIST_REFERENCE.map(r => r.network).join(', ')}`);
  return found;
}

/** "What good is", in a sentence: this run's best against the reference, and what the run's training was. */
export function referenceSentence(network: string, best: number, training: {images: number; epochs: number}): string {
  const reference = referenceFor(network);
  return `the best network here reaches ${best.toFixed(3)} after ${plural(training.epochs, 'epoch')} on ` +
      `${training.images.toLocaleString('en-US')} images; a ${reference.network} trained on ${reference.training} reaches ` +
      `${reference.testAccuracy.toFixed(3)} (${reference.source}). Read this run's accuracies as comparisons between networks ` +
      'trained alike, not as what the networks can reach.';
}
