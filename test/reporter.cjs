// mocha's spec reporter plus one plain closing line, "N passed, N failed,
// N skipped", that CI systems which do not parse mocha can read.
'use strict';
const Mocha = require('mocha');

class LabReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const {passes, failures, pending} = runner.stats;
      process.stdout.write(`\ntests: ${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}
module.exports = LabReporter;
