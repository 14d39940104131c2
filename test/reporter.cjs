// mocha's spec reporter plus one plain closing line, "N passed, N failed,
// N skipped", that CI systems which do not parse mocha can read. With
// LAB_TEST_TIMES=FILE it also writes each test file's time (its tests' and
// hooks' durations, seconds, longest first): where to look when `npm test`
// grows past its budget.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');
const {EVENT_RUN_END, EVENT_TEST_END, EVENT_HOOK_END} = Mocha.Runner.constants;

class LabReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const secondsByFile = new Map();
    const add = runnable => {
      const file = runnable.file ?? runnable.parent?.file ?? '(unknown)';
      const relative = path.relative(process.cwd(), file);
      secondsByFile.set(relative, (secondsByFile.get(relative) ?? 0) + (runnable.duration ?? 0) / 1000);
    };
    const timesFile = process.env.LAB_TEST_TIMES;
    if (timesFile) {
      runner.on(EVENT_TEST_END, add);
      runner.on(EVENT_HOOK_END, add);
    }
    runner.once(EVENT_RUN_END, () => {
      const {passes, failures, pending} = runner.stats;
      process.stdout.write(`\ntests: ${passes} passed, ${failures} failed, ${pending} skipped\n`);
      if (timesFile) {
        const rows = [...secondsByFile].sort((a, b) => b[1] - a[1])
            .map(([file, seconds]) => ({file, seconds: Math.round(seconds * 10) / 10}));
        // Written whole or not at all: a run killed while writing leaves the previous file.
        const partial = `${timesFile}.${process.pid}.tmp`;
        fs.writeFileSync(partial, JSON.stringify(rows, null, 1) + '\n');
        fs.renameSync(partial, timesFile);
      }
    });
  }
}
module.exports = LabReporter;
