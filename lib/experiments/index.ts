export * from './budget';
export * from './estimate';
export * from './plan';
export * from './run';
export * from './runner';
export * from './spec';
export * from './condensation';
export * from './lab-scale';
