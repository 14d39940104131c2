/**
 * The lab's public surface: what notebooks import (`import * as lab from
 * '../dist'`) and what TypeScript users of the library build on.
 */
export * from './cost';
export * from './data';
export * from './engine';
export * from './models';
export * from './notebook';
export * from './plot';
export * from './results';
export * from './train';
