/** `netc fmt SPEC [--write | --check]` (cli.md): output, exit codes 0/1/2, atomic rewrite. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { STACK_TRACE, netc, repoRoot } from './helpers.js';

const messy = 'network   n(){input x:[8,8,1]\noutput y=x|>conv(4,1);}\n';
const tidy = 'network n() {\n  input x: [8, 8, 1]\n  output y = x |> conv(4, 1)\n}\n';

let dir = '';
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'netc-fmt-'));
  writeFileSync(join(dir, 'messy.net'), messy);
  writeFileSync(join(dir, 'tidy.net'), tidy);
  writeFileSync(join(dir, 'broken.net'), 'network n() {\n  let a = conv(64, 3\n  let b = a |> \n}\n');
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

test('help: `netc --help` lists fmt and check; `netc fmt --help` shows the usage', async () => {
  const top = await netc(['--help']);
  assert.is(top.code, 0);
  assert.match(top.stdout, /\n  check +check a spec/);
  assert.match(top.stdout, /\n  fmt +print a spec in canonical layout/);
  const help = await netc(['fmt', '--help']);
  assert.is(help.code, 0);
  assert.ok(help.stdout.startsWith('Usage: netc fmt SPEC... [--write | --check]\n'));
  assert.match(help.stdout, /--check/);
});

test('prints the formatted spec on stdout; formatting formatted text is a no-op', async () => {
  const r = await netc(['fmt', 'messy.net'], { cwd: dir });
  assert.equal(r, { code: 0, stdout: tidy, stderr: '' });
  const again = await netc(['fmt', 'tidy.net'], { cwd: dir });
  assert.equal(again, { code: 0, stdout: tidy, stderr: '' });
  assert.is(readFileSync(join(dir, 'messy.net'), 'utf8'), messy, 'stdout mode must not touch the file');
});

test('--check: exit 1 naming the unformatted file, exit 0 in silence when formatted', async () => {
  const bad = await netc(['fmt', '--check', 'messy.net', 'tidy.net'], { cwd: dir });
  assert.is(bad.code, 1);
  assert.is(bad.stdout, '');
  assert.is(bad.stderr, "messy.net is not formatted (run 'netc fmt --write messy.net')\n");
  assert.equal(await netc(['fmt', '--check', 'tidy.net'], { cwd: dir }), { code: 0, stdout: '', stderr: '' });
});

test('--write rewrites in place via a temporary file and leaves nothing behind', async () => {
  const r = await netc(['fmt', '--write', 'messy.net', 'tidy.net'], { cwd: dir });
  assert.equal(r, { code: 0, stdout: '', stderr: 'formatted messy.net\n' });
  assert.is(readFileSync(join(dir, 'messy.net'), 'utf8'), tidy);
  assert.equal(readdirSync(dir).sort(), ['broken.net', 'messy.net', 'tidy.net']);
  assert.is((await netc(['fmt', '--check', 'messy.net'], { cwd: dir })).code, 0);
});

test('--write and --check together is a usage error (exit 2)', async () => {
  const r = await netc(['fmt', '--write', '--check', 'messy.net'], { cwd: dir });
  assert.equal(r, {
    code: 2,
    stdout: '',
    stderr: 'error: --write and --check cannot be used together\nUsage: netc fmt SPEC... [--write | --check]\n',
  });
});

test('usage errors: no SPEC, a missing file, not a .net file, several SPECs to stdout', async () => {
  const cases: [string[], RegExp][] = [
    [['fmt'], /^error: missing SPEC\n/],
    [['fmt', 'nope.net'], /^error: no such file 'nope.net'\n/],
    [['fmt', 'notes.txt'], /^error: SPEC must be a \.net file, got 'notes\.txt'\n/],
    [['fmt', 'messy.net', 'tidy.net'], /^error: give one SPEC to print, or use --write or --check for several\n/],
    [['fmt', '--frobnicate', 'messy.net'], /^error: unknown option --frobnicate for `netc fmt`\n/],
  ];
  for (const [argv, message] of cases) {
    const r = await netc(argv, { cwd: dir });
    assert.is(r.code, 2, argv.join(' '));
    assert.match(r.stderr, message);
    assert.match(r.stderr, /\nUsage: netc fmt /);
  }
});

test('a spec with syntax errors: every error with file:line:col and a caret, exit 1, file untouched', async () => {
  const before = readFileSync(join(dir, 'broken.net'), 'utf8');
  for (const argv of [['fmt', 'broken.net'], ['fmt', '--write', 'broken.net'], ['fmt', '--check', 'broken.net']]) {
    const r = await netc(argv, { cwd: dir });
    assert.is(r.code, 1);
    assert.is(r.stdout, '');
    assert.is(
      r.stderr,
      [
        'error[syntax]: expected `)` to close the call opened at 2:15',
        ' --> broken.net:3:3',
        '  |',
        '3 |   let b = a |> ',
        '  |   ^^^ found `let`',
        '  = help: add `)` to match the `(` at 2:15',
        '',
        'error[syntax]: expected an expression after `|>`, found `}`',
        ' --> broken.net:4:1',
        '  |',
        '4 | }',
        '  | ^ expected an expression',
        '',
        '2 errors',
        '',
      ].join('\n'),
    );
    assert.not.match(r.stderr, STACK_TRACE);
  }
  assert.is(readFileSync(join(dir, 'broken.net'), 'utf8'), before);
});

test('the golden outputs of the formatter tests pass --check; their inputs do not', async () => {
  const folder = 'test/grammar/format-cases';
  const files = readdirSync(join(repoRoot, folder)).filter((f) => f.endsWith('.net'));
  const formatted = files.filter((f) => f.endsWith('.formatted.net')).map((f) => `${folder}/${f}`);
  assert.ok(formatted.length >= 5);
  assert.equal(await netc(['fmt', '--check', ...formatted]), { code: 0, stdout: '', stderr: '' });
  const spacing = await netc(['fmt', '--check', `${folder}/spacing.net`]);
  assert.is(spacing.code, 1);
  assert.match(spacing.stderr, /^test\/grammar\/format-cases\/spacing\.net is not formatted/);
});

test.run();
