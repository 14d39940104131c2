// Prints the test files in the order mocha should start them: files with an
// @integration suite first (the chapters' notebooks, the pack, the cluster:
// minutes each), then the rest. Mocha runs two files at a time (.mocharc.json);
// started last, a long file would leave one core idle while it finishes.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const files = fs.readdirSync(__dirname, {recursive: true}).filter(f => f.endsWith('.test.ts'))
    .map(f => path.join('test', f)).sort();
const integration = files.filter(f => fs.readFileSync(path.join(root, f), 'utf8').includes('@integration'));
process.stdout.write([...integration, ...files.filter(f => !integration.includes(f))].join('\n') + '\n');
