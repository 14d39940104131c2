/**
 * The names users already know from torchvision, timm and Keras, as a
 * lab family or variant plus options: `cnnlab cost mobilenet_v3_large`
 * is MobileNetV3 with `size: 'large'`. Looked up without regard to case,
 * '-' or '_' (Keras writes MobileNetV3Large, timm mobilenetv3_large_100).
 */
export interface Alias {
  /** A registered variant or a family. */
  target: string;
  /** Options on top of the target's. */
  options: Record<string, unknown>;
  /** Where the name comes from. */
  from: string;
}

const TABLE: Readonly<Record<string, Alias>> = {
  googlenet: {target: 'inception_v1_224_torchvision', options: {}, from: 'torchvision'},
  inception_v3_torchvision: {target: 'inception_v3_aux', options: {}, from: 'torchvision (with its auxiliary head)'},
  mobilenet_v3_large: {target: 'mobilenet_v3', options: {size: 'large'}, from: 'torchvision'},
  mobilenet_v3_small: {target: 'mobilenet_v3', options: {size: 'small'}, from: 'torchvision'},
  mobilenetv1_100: {target: 'mobilenet_v1', options: {width: 1}, from: 'timm'},
  mobilenetv2_100: {target: 'mobilenet_v2', options: {width: 1}, from: 'timm'},
  mobilenetv3_large_100: {target: 'mobilenet_v3', options: {size: 'large', width: 1}, from: 'timm'},
  mobilenetv3_small_100: {target: 'mobilenet_v3', options: {size: 'small', width: 1}, from: 'timm'},
  legacy_xception: {target: 'xception', options: {}, from: 'timm'},
  MobileNet: {target: 'mobilenet_v1_1.0_224_keras', options: {}, from: 'Keras'},
  MobileNetV2: {target: 'mobilenet_v2', options: {}, from: 'Keras'},
  MobileNetV3Large: {target: 'mobilenet_v3', options: {size: 'large'}, from: 'Keras'},
  MobileNetV3Small: {target: 'mobilenet_v3', options: {size: 'small'}, from: 'Keras'},
  InceptionV3: {target: 'inception_v3_keras', options: {}, from: 'Keras'},
  InceptionResNetV2: {target: 'inception_resnet_v2_keras', options: {}, from: 'Keras'},
};

/** Case, '-' and '_' do not matter: MobileNetV3Large, mobilenet-v3-large and mobilenet_v3_large meet. */
function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** By normalised name; where two spellings meet (mobilenet_v3_large, MobileNetV3Large) they mean the same network. */
const BY_NORMAL = new Map<string, Alias>();
for (const [name, alias] of Object.entries(TABLE)) {
  if (!BY_NORMAL.has(normalise(name))) BY_NORMAL.set(normalise(name), alias);
}

/** The alias `name` stands for, or null: its exact spelling first, then any spelling of it. */
export function aliasOf(name: string): Alias | null {
  return TABLE[name] ?? BY_NORMAL.get(normalise(name)) ?? null;
}

export function aliasNames(): string[] {
  return Object.keys(TABLE);
}
