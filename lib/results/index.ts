export * from './atomic';
export * from './findings';
export * from './store';
export * from './stats';
export * from './intervals';
