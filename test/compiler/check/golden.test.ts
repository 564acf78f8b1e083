/**
 * Golden diagnostics: every `test/compiler/cases/<name>.net` is loaded, elaborated and checked,
 * and its diagnostics rendered as `netc check` prints them (errors when it fails, warnings when
 * it checks) must equal `<name>.txt` byte for byte. A first line `# args: --size H=360,W=480
 * --param k=v --network n` gives CLI options. `UPDATE_GOLDEN=1` rewrites the `.txt` files (review
 * the diff: each case's comment says what the output must show and where its numbers come from).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkProgram } from '../../../compiler/index.js';
import { renderDiagnostics, type Diagnostic } from '../../../grammar/diagnostics.js';
import { loadModules } from '../../../grammar/load.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const casesDir = 'test/compiler/cases';
const update = process.env['UPDATE_GOLDEN'] === '1';

interface CaseArgs {
  sizes?: Map<string, number>;
  params?: Map<string, string>;
  network?: string;
}

function parseArgs(text: string): CaseArgs {
  const line = /^# args: (.*)$/m.exec(text)?.[1] ?? '';
  const out: CaseArgs = {};
  const pairs = (s: string) => s.split(',').map((kv) => kv.split('=') as [string, string]);
  for (const [, flag, value] of line.matchAll(/--(size|param|network) (\S+)/g)) {
    if (flag === 'size') out.sizes = new Map(pairs(value!).map(([k, v]) => [k, Number(v)]));
    if (flag === 'param') out.params = new Map(pairs(value!));
    if (flag === 'network') out.network = value!;
  }
  return out;
}

const runs = new Map<string, { diagnostics: Diagnostic[]; rendered: string; checked: boolean }>();

/** Runs one case as `netc check` would (once per file); returns the diagnostics and their rendering. */
function runCase(file: string): { diagnostics: Diagnostic[]; rendered: string; checked: boolean } {
  let run = runs.get(file);
  if (!run) {
    run = runCaseUncached(file);
    runs.set(file, run);
  }
  return run;
}

function runCaseUncached(file: string): { diagnostics: Diagnostic[]; rendered: string; checked: boolean } {
  const rel = `${casesDir}/${file}`;
  const text = readFileSync(path.join(repo, rel), 'utf8');
  const loaded = loadModules(rel, { cwd: repo });
  const lookup = (p: string) => loaded.program.sources.get(p);
  if (loaded.diagnostics.some((d) => d.severity === 'error')) {
    return { diagnostics: loaded.diagnostics, rendered: renderDiagnostics(loaded.diagnostics, lookup), checked: false };
  }
  const r = checkProgram(loaded.program, parseArgs(text) as never);
  const diagnostics = r._tag === 'Left' ? r.left : [...r.right.typed.warnings];
  return { diagnostics, rendered: renderDiagnostics(diagnostics, lookup), checked: r._tag === 'Right' };
}

const files = readdirSync(path.join(repo, casesDir)).filter((f) => f.endsWith('.net')).sort();

test('there are golden cases, and each has its expected output', () => {
  assert.ok(files.length >= 20, `only ${files.length} cases`);
  if (update) return;
  const missing = files.filter((f) => !existsSync(path.join(repo, casesDir, f.replace(/\.net$/, '.txt'))));
  assert.equal(missing, [], 'run with UPDATE_GOLDEN=1 and review the new files');
});

for (const file of files) {
  test(`golden: ${file}`, () => {
    const { rendered } = runCase(file);
    const goldenPath = path.join(repo, casesDir, file.replace(/\.net$/, '.txt'));
    const actual = rendered === '' ? '(no diagnostics)\n' : `${rendered}\n`;
    if (update) {
      writeFileSync(goldenPath, actual);
      return;
    }
    assert.fixture(actual, readFileSync(goldenPath, 'utf8'));
  });
}

test('every case reports something: a golden of "no diagnostics" would test nothing', () => {
  for (const file of files) assert.ok(runCase(file).diagnostics.length > 0, file);
});

test('warning-only cases still check; every other case fails', () => {
  const warningOnly = ['crop_offset_warning.net', 'unpool_link_usage.net'];
  for (const file of files) {
    const { checked, diagnostics } = runCase(file);
    assert.is(checked, warningOnly.includes(file), file);
    if (checked) assert.ok(diagnostics.every((d) => d.severity === 'warning'), file);
  }
});

test('all independent errors of a file are reported in one run, each on its own line', () => {
  // contract_errors.net: one mistake per line, lines 5..15 (11 `let`s).
  const contract = runCase('contract_errors.net').diagnostics;
  assert.equal(contract.map((d) => d.span?.start.line), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  // checker_errors_all.net: misaligned add (7), unpool link (8), negative crop (9), dense (11);
  // line 10 (`global_maxpool |> dense`) is correct and must not be reported.
  const checker = runCase('checker_errors_all.net').diagnostics;
  assert.equal(checker.map((d) => [d.span?.start.line, d.code]), [[7, 'shape'], [8, 'link'], [9, 'crop'], [11, 'shape']]);
  // elaborate_errors.net: lines 12..21 hold 9 independent mistakes (line 12 is fine; 13 is the
  // duplicate name, reported once), all found by the elaborator in one pass.
  const elab = runCase('elaborate_errors.net').diagnostics;
  assert.equal(elab.map((d) => d.span?.start.line), [13, 14, 15, 16, 17, 18, 19, 20, 21]);
  // train_errors.net: seven bad entries, lines 6..12.
  assert.equal(runCase('train_errors.net').diagnostics.map((d) => d.span?.start.line), [6, 7, 8, 9, 10, 11, 12]);
});

test.run();
