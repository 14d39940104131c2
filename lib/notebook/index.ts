/** Display helpers for tslab notebooks: pure bundle builders plus `show*`. */
export * from './budget';
export * from './headline';
export * from './mime';
export * from './plotly';
export * from './progress';
export * from './table';
export * from './vega';
