/**
 * The `cnnlab` command inside the GPU pack (lib/pack/build.ts bundles this
 * file with the whole lab into app/cnnlab.js). The pack's files sit beside
 * the bundle: TF.js's wasm binaries in app/wasm, records under the pack's
 * own results/ (REPO_ROOT is the pack's folder), data in its datasets/.
 */
import * as path from 'node:path';

process.env['LAB_WASM_DIR'] ||= path.join(__dirname, 'wasm');
process.env['LAB_IN_PACK'] = '1';

// Required after the environment is set: the engine reads it as it loads.
const {main, exitAfterOutput} = require('./main') as typeof import('./main');

main(process.argv.slice(2)).then(exitAfterOutput, error => {
  process.stderr.write(`cnnlab: ${(error as Error).stack ?? String(error)}\n`);
  exitAfterOutput(1);
});
