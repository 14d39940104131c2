/**
 * What notebooks and the terminal show: tables, prose, plots, findings,
 * headlines and progress, as pure bundle builders plus `show`.
 */
export * from './findings';
export * from './format';
export * from './headline';
export * from './mime';
export * from './plotly';
export * from './progress';
export * from './show';
export * from './table';
export * from './vega';
