export * from './optimizers';
export * from './seed';
export * from './trainer';
export * from './condense';
