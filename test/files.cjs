// Prints the test files in the order mocha should start them: files with an
// @integration suite first (the chapters' notebooks, the pack, the cluster:
// minutes each), then the rest. Mocha runs two files at a time (.mocharc.cjs);
// started last, a long file would leave one core idle while it finishes.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function testFiles(dir) {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap(entry => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(file);
    return entry.name.endsWith('.test.ts') ? [file] : [];
  });
}

const root = path.join(__dirname, '..');
const files = testFiles(path.join(root, 'test')).map(f => path.relative(root, f)).sort();
const integration = files.filter(f => fs.readFileSync(path.join(root, f), 'utf8').includes('@integration'));
process.stdout.write([...integration, ...files.filter(f => !integration.includes(f))].join('\n') + '\n');
