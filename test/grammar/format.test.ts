/**
 * The formatter (grammar/format.ts, rules in docs/formatting.md):
 * - golden outputs: `format-cases/NAME.net` formats to `format-cases/NAME.formatted.net`
 *   (`UPDATE=1` rewrites them; review the diff);
 * - on every `.net` file of the repository (specs/, examples/, test/) without syntax errors:
 *   formatting is idempotent and the AST of the output equals the AST of the input (spans
 *   aside; comments and doc comments included);
 * - the same two properties on seeded random variants of those files with comments, line
 *   breaks and blank lines inserted at random places (the hard cases for comment placement).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type * as Ast from '../../grammar/ast.js';
import { DEFAULT_WIDTH, format, formatExpression } from '../../grammar/format.js';
import { parse } from '../../grammar/index.js';
import { lex } from '../../grammar/tokens.js';
import { assertGolden, netFilesUnder, readRepoFile, repoRoot, withoutPositions } from './helpers.js';

function parseClean(text: string, file: string): Ast.Module | undefined {
  const { module, diagnostics } = parse(text, file);
  return module && !diagnostics.some((d) => d.severity === 'error') ? module : undefined;
}

/** Formats `text` twice; checks idempotence and AST equality; returns the first output. */
function checkRoundTrip(text: string, file: string): string {
  const module = parseClean(text, file);
  assert.ok(module, `${file} should parse`);
  const once = format(module!);
  const reparsed = parse(once, file);
  assert.equal(reparsed.diagnostics.map((d) => d.message), [], `formatted ${file} has syntax errors:\n${once}`);
  assert.equal(withoutPositions(reparsed.module), withoutPositions(module), `AST of formatted ${file} differs:\n${once}`);
  const twice = format(reparsed.module!);
  assert.fixture(twice, once, `formatting ${file} twice changes it`);
  return once;
}

const caseFolder = 'test/grammar/format-cases';
const cases = readdirSync(join(repoRoot, caseFolder))
  .filter((f) => f.endsWith('.net') && !f.endsWith('.formatted.net'))
  .map((f) => f.slice(0, -'.net'.length));

for (const name of cases) {
  test(`golden format of ${name}`, () => {
    const out = checkRoundTrip(readRepoFile(`${caseFolder}/${name}.net`), `${name}.net`);
    assertGolden(`${caseFolder}/${name}.formatted.net`, out);
  });
}

test('no line of the golden outputs exceeds the width unless it cannot be broken', () => {
  for (const name of cases) {
    const text = readRepoFile(`${caseFolder}/${name}.formatted.net`);
    for (const line of text.split('\n')) {
      // Only a single step, argument or comment may overflow (nothing left to break).
      if (line.length > DEFAULT_WIDTH) assert.ok(!/\|>.*\|>|,\s*\S/.test(line) || /#/.test(line), `too long in ${name}: ${line}`);
    }
  }
});

const allFiles = netFilesUnder('specs', 'examples', 'test');

test('every .net file of the repository is found (specs and the grammar fixtures at least)', () => {
  assert.ok(allFiles.includes('specs/kitchen_sink.net'));
  assert.ok(allFiles.some((f) => f.startsWith('test/grammar/cases/language-md/')));
});

test('formatting is idempotent and keeps the AST, on every .net file without syntax errors', () => {
  let checked = 0;
  for (const file of allFiles) {
    const text = readRepoFile(file);
    if (!parseClean(text, file)) continue;
    checkRoundTrip(text, file);
    checked++;
  }
  assert.ok(checked >= 20, `only ${checked} files were checked`);
});

test('the paper specs, the kitchen sink and the language.md examples survive formatting', () => {
  // Formatted or not, each of these must round-trip (the check above); here we also pin that
  // the language.md examples are already in canonical form except for pipeline breaking.
  const segnet = readRepoFile('test/grammar/cases/language-md/segnet_basic.net');
  const formatted = checkRoundTrip(segnet, 'segnet_basic.net');
  assert.ok(formatted.includes('block cbr(x, c: int, k: int = 7) = x |> conv(c, k, pad: same) |> batchnorm |> relu\n'));
  assert.ok(formatted.includes('  let code = image\n    |> cbr(64)\n    |> maxpool(2) as p1\n'));
});

/** A small deterministic generator (mulberry32) so that failures are reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('comments, line breaks and blank lines inserted anywhere: still idempotent and AST-preserving', () => {
  const sources = allFiles.map((f) => readRepoFile(f)).filter((t, i) => parseClean(t, allFiles[i]!));
  const next = random(20260527);
  for (let i = 0; i < 150; i++) {
    const original = sources[i % sources.length]!;
    // Insert before tokens (never inside a string or a word), from the last edit backwards.
    const starts = lex(original).tokens.map((t) => t.startOffset);
    const points = Array.from({ length: 1 + Math.floor(next() * 6) }, () => starts[Math.floor(next() * starts.length)]!);
    let text = original;
    for (const [k, at] of points.sort((a, b) => b - a).entries()) {
      const r = next();
      const insert = r < 0.4 ? ` # trailing ${k}\n` : r < 0.7 ? `\n# own line ${k}\n` : r < 0.85 ? '\n\n' : ' ';
      text = text.slice(0, at) + insert + text.slice(at);
    }
    checkRoundTrip(text, `variant ${i}:\n${text}\n`);
  }
});

test('formatExpression prints one expression canonically, parenthesised where needed', () => {
  const module = parseClean('network n() {\n  let v = a+crop( b ,to:a )as c|>f(  x:1 ,)\n}\n', 'e.net')!;
  const value = ((module.declarations[0] as Ast.NetworkDecl).statements[0] as Ast.LetStmt).value;
  assert.is(formatExpression(value), 'a + crop(b, to: a) as c |> f(x: 1)');
  // Trees built by hand get the parentheses their structure needs.
  const span = value.span;
  const name = (n: string): Ast.NameExpr => ({ kind: 'Name', name: n, span });
  const sum: Ast.BinaryExpr = { kind: 'Binary', operator: '+', operatorSpan: span, left: name('a'), right: name('b'), span };
  const product: Ast.BinaryExpr = { kind: 'Binary', operator: '*', operatorSpan: span, left: sum, right: name('c'), span };
  assert.is(formatExpression(product), '(a + b) * c');
  const difference: Ast.BinaryExpr = { kind: 'Binary', operator: '-', operatorSpan: span, left: name('a'), right: sum, span };
  assert.is(formatExpression(difference), 'a - (a + b)');
  const pipe: Ast.PipeExpr = { kind: 'Pipe', left: name('x'), right: name('relu'), span };
  const named: Ast.AsExpr = { kind: 'As', expression: pipe, name: { kind: 'Identifier', name: 'r', span }, span };
  assert.is(formatExpression(named), '(x |> relu) as r');
});

test.run();
