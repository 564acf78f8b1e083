/**
 * Every spec of the model zoo (specs/*.net, except kitchen_sink.net, which tests the language
 * rather than reproducing a paper): each of its networks checks with no errors and no
 * warnings, `netc fmt` leaves it unchanged, it opens with a header comment, and docs/specs.md
 * lists it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { format } from '../../grammar/format.js';
import { parse } from '../../grammar/index.js';
import { renderDiagnostics } from '../../grammar/diagnostics.js';
import { SPECS_DIR, checkSpec, specPath } from './helpers.js';

const files = readdirSync(SPECS_DIR)
  .filter((f) => f.endsWith('.net') && f !== 'kitchen_sink.net')
  .sort();
const catalogue = readFileSync(fileURLToPath(new URL('../../docs/specs.md', import.meta.url)), 'utf8');

test('the zoo is not empty', () => {
  assert.ok(files.length >= 14, files.join(', '));
});

for (const file of files) {
  const text = readFileSync(specPath(file), 'utf8');
  const parsed = parse(text, specPath(file));

  test(`${file}: every network checks with no errors and no warnings`, () => {
    assert.ok(parsed.module, renderDiagnostics(parsed.diagnostics, () => undefined));
    const networks = parsed.module!.declarations.filter((d) => d.kind === 'Network').map((d) => d.name.name);
    assert.ok(networks.length > 0, `${file} declares no network`);
    for (const network of networks) {
      const checked = checkSpec(file, { network });
      assert.equal(checked.warnings.map((w) => w.message), [], `${file} ${network}`);
    }
  });

  test(`${file}: netc fmt is a no-op`, () => {
    const formatted = format(parsed.module!);
    if (formatted !== text) {
      const a = text.split('\n');
      const b = formatted.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fixture(formatted, text, `${file} is not formatted (first difference at line ${line + 1})`);
    }
  });

  test(`${file}: opens with a header comment and is listed in docs/specs.md`, () => {
    assert.ok(text.startsWith('# '), `${file} has no header comment`);
    assert.ok(catalogue.includes(`\`specs/${file}\``), `docs/specs.md does not list specs/${file}`);
  });
}

test('docs/specs.md lists no spec that does not exist', () => {
  const listed = [...catalogue.matchAll(/`specs\/([a-z0-9_-]+\.net)`/g)].map((m) => m[1]!);
  for (const f of listed) assert.ok(f === 'kitchen_sink.net' || files.includes(f), `docs/specs.md lists specs/${f}, which does not exist`);
});

test.run();
