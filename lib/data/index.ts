export * from './dataset';
export * from './fashion-mnist';
export * from './idx';
export * from './locate';
export * from './random';
export * from './synthetic';
export * from './cifar10';
export * from './shapes';
