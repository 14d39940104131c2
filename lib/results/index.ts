export * from './atomic';
export * from './store';
export * from './sweep';
export * from './stats';
