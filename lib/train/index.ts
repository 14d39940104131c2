export * from './optimizers';
export * from './seed';
export * from './experiment';
export * from './trainer';
export * from './condense';
