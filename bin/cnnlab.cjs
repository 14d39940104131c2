#!/usr/bin/env node
// Entry point of the `cnnlab` command: runs the compiled CLI in dist/.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('cnnlab: the lab is not built yet. Run: npm run setup\n');
  process.exit(1);
}
// Output piped into `head` and the like: stop quietly when the reader is gone.
process.stdout.on('error', error => { if (error.code === 'EPIPE') process.exit(0); throw error; });
// Exit once the output has left (exitAfterOutput in lib/cli/main.ts says why).
const {main, exitAfterOutput} = require(cli);
main(process.argv.slice(2)).then(
    exitAfterOutput,
    error => { process.stderr.write(`cnnlab: ${error.stack || error}\n`); exitAfterOutput(1); });
