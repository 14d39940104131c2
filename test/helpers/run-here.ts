/** The "run it here" cells of the notebooks, with their arguments, as the tests read them. */
import * as path from 'node:path';

import {BOOK} from '../../lib/chapters';
import {REPO_ROOT} from '../../lib/root';
import type {RunHereOptions} from '../../lib/run-here/config';
import {cellsOf, sourceOf} from './knobs';

const CALL = /lab\.runItHere\((\{[^}]*\})\)/;

/** Each notebook's runItHere arguments, in book order (every notebook has exactly one such cell). */
export function runHereCalls(): RunHereOptions[] {
  return BOOK.map(entry => {
    const calls = cellsOf(path.join(REPO_ROOT, 'notebooks', entry.notebook)).map(sourceOf).flatMap(code => {
      const match = CALL.exec(code);
      return match ? [match[1]] : [];
    });
    if (calls.length !== 1) throw new Error(`${entry.notebook}: ${calls.length} runItHere cells, expected 1`);
    // The argument is an object literal of strings and numbers, as the cell shows it.
    return new Function(`return ${calls[0]};`)() as RunHereOptions;
  });
}
