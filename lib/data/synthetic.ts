/**
 * A seeded synthetic image set for tests and benchmarks: each class is a
 * random template, each image its class's template plus noise. Learnable in
 * a few steps, identical on every machine.
 */
import {ImageSet} from './dataset';
import {seededRandom} from './random';

export interface SyntheticOptions {
  count: number;
  size?: number;
  channels?: number;
  classes?: number;
  seed?: number;
  /** Noise amplitude relative to the templates' 0..255 range. Default 0.35. */
  noise?: number;
}

export function syntheticImages(options: SyntheticOptions): ImageSet {
  const {count, size = 28, channels = 1, classes = 10, seed = 1, noise = 0.35} = options;
  if (!Number.isInteger(count) || count < 1) throw new Error(`synthetic count must be a whole number >= 1, got ${count}`);
  const random = seededRandom(seed);
  const pixels = size * size * channels;
  const templates = Array.from({length: classes}, () => Float32Array.from({length: pixels}, () => random() * 255));
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = Math.floor(random() * classes);
    labels[i] = label;
    const template = templates[label];
    for (let p = 0; p < pixels; p++) {
      const v = template[p] + (random() - 0.5) * 2 * noise * 255;
      images[i * pixels + p] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return {
    name: `synthetic-${seed}`, images, labels, count, height: size, width: size, channels,
    classNames: Array.from({length: classes}, (_, i) => `class ${i}`),
  };
}
