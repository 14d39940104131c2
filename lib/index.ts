/**
 * The lab's public surface: what notebooks import (`import * as lab from
 * '../dist'`) and what TypeScript users of the library build on.
 */
export * from './chapters';
export * from './cost';
export * from './data';
export * from './display';
export * from './engine';
export * from './experiments';
export * from './models';
export {NetworkCost, networkCost} from './models/costs';
export * from './plot';
export * from './results';
export * from './train';
export {RUN_HERE_DEFAULTS, RunHereOptions, runHereConfig} from './run-here/config';
export {runItHere} from './run-here/section';
