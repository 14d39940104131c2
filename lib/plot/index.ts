export * from './figures';
export * from './pareto';
