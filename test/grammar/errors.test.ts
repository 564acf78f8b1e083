/**
 * Golden syntax and import errors: each `error-cases/NAME.net` is loaded (with its imports,
 * from the small files in `error-cases/fixtures/`) and every diagnostic is rendered exactly
 * as `netc check` prints it; the result must equal `error-cases/NAME.txt`. Run with
 * `UPDATE=1` to rewrite the `.txt` files after a deliberate change, and review the diff.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderDiagnostics } from '../../grammar/diagnostics.js';
import { loadModules } from '../../grammar/load.js';
import type { SourceFile } from '../../grammar/span.js';
import { assertGolden, repoRoot } from './helpers.js';

const folder = 'test/grammar/error-cases';
const cases = readdirSync(join(repoRoot, folder))
  .filter((f) => f.endsWith('.net'))
  .map((f) => f.slice(0, -'.net'.length))
  .sort();

function render(name: string): { text: string; count: number } {
  const sources = new Map<string, SourceFile>();
  const { diagnostics } = loadModules(`${folder}/${name}.net`, {
    cwd: repoRoot,
    onSource: (s) => sources.set(s.path, s),
  });
  return { text: renderDiagnostics(diagnostics, (p) => sources.get(p)) + '\n', count: diagnostics.length };
}

test('there are at least 25 malformed inputs', () => {
  assert.ok(cases.length >= 25, `only ${cases.length} cases`);
});

for (const name of cases) {
  test(`error case ${name}`, () => {
    const { text, count } = render(name);
    assert.ok(count > 0, `${name}.net has no diagnostic`);
    // Every diagnostic names the place and draws a caret under it.
    for (const frame of text.split('\n\n').slice(0, count)) {
      assert.match(frame, /^error\[(syntax|import|name)\]: /);
      assert.match(frame, new RegExp(` --> ${folder}/[\\w/.-]+\\.net:\\d+:\\d+`));
      assert.match(frame, /\|\s+\^+/);
    }
    assertGolden(`${folder}/${name}.txt`, text);
  });
}

test.run();
