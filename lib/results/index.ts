export * from './atomic';
export * from './store';
export * from './sweep';
