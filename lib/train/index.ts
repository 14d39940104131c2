export * from './optimizers';
export * from './seed';
export * from './options';
export * from './memory';
export * from './evaluate';
export * from './latency';
export * from './trainer';
export * from './condense';
