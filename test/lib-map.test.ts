/**
 * docs/lib-map.md's order holds: every relative import in lib/ goes to a
 * folder at or above its own in that order, so lower layers never know
 * higher ones (and nothing below chapters knows a chapter).
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {ROOT} from './helpers/cli';

/** Bottom-up, as docs/lib-map.md lists them; entries on one line share a level. */
const ORDER: ReadonlyArray<readonly string[]> = [
  ['root', 'environment', 'types'], ['results', 'data'], ['engine'], ['layers'], ['blocks', 'cost'], ['models'], ['train'],
  ['display'], ['plot'], ['experiments'], ['bench'], ['cluster'], ['chapters'], ['run-here'], ['pack'], ['cli'], ['index'],
];
const levelOf = (part: string) => ORDER.findIndex(level => level.includes(part));

describe('the map of lib/', () => {
  it('every folder of lib/ is on the map, in docs/lib-map.md too', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'lib-map.md'), 'utf8');
    for (const entry of fs.readdirSync(path.join(ROOT, 'lib'))) {
      const part = entry.replace(/\.ts$/, '');
      assert.ok(levelOf(part) >= 0, `lib/${entry} is not in the test's ORDER`);
      assert.ok(doc.includes(`\`${entry}${entry.endsWith('.ts') ? '' : '/'}\``), `lib/${entry} is not in docs/lib-map.md`);
    }
  });

  it('no folder imports from one below it', () => {
    const wrong: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) { walk(file); continue; }
        if (!entry.name.endsWith('.ts')) continue;
        const from = path.relative(path.join(ROOT, 'lib'), file).split(path.sep)[0].replace(/\.ts$/, '');
        for (const m of fs.readFileSync(file, 'utf8').matchAll(/from '(\.[^']*)'/g)) {
          const to = path.relative(path.join(ROOT, 'lib'), path.resolve(dir, m[1])).split(path.sep)[0].replace(/\.ts$/, '');
          if (to !== from && levelOf(to) > levelOf(from)) wrong.push(`${path.relative(ROOT, file)} imports ${m[1]} (${to} is above ${from})`);
        }
      }
    };
    walk(path.join(ROOT, 'lib'));
    assert.deepEqual(wrong, []);
  });
});
