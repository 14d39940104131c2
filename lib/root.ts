import * as path from 'node:path';

/**
 * The repository root: this file is lib/root.ts (run by tsx) or
 * dist/root.js (compiled), one level below it either way.
 */
export const REPO_ROOT = path.resolve(__dirname, '..');
