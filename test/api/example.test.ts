/**
 * `examples/api/main.ts`, the library end to end (check, rf report, train a few steps, compile
 * the checkpoint, forward, predict, evaluate): it type-checks with the repository's compiler
 * options (strict), and it runs (in a child process, as a user would run it) to completion with the
 * loss falling over its four training steps.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'examples', 'api', 'main.ts');

test('examples/api/main.ts type-checks with the repository tsconfig (strict)', () => {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.unreachable(ts.flattenDiagnosticMessageText(d.messageText, '\n')) })!;
  assert.ok(config.options.strict);
  const program = ts.createProgram([MAIN], { ...config.options, noEmit: true });
  // The example's own diagnostics (the library it imports is checked by `npm run typecheck`).
  const main = program.getSourceFile(MAIN)!;
  const problems = [...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics(main), ...program.getSemanticDiagnostics(main)].map(
    (d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
  );
  assert.equal(problems, []);
});

test('examples/api/main.ts runs: report, four training steps with a falling loss, forward, evaluation', () => {
  const runDir = join(mkdtempSync(join(tmpdir(), 'netc-example-')), 'run');
  const out = execFileSync(process.execPath, ['--import', 'tsx', MAIN, runDir], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NETC_BACKEND: 'wasm' } });
  assert.match(out, /^tiny: 1,?\d+ learned parameters, input H % 4 == 0, W % 4 == 0/);
  assert.match(out, /dec1\s+conv\s+H×W×3/);
  const losses = [...out.matchAll(/^step (\d+): loss (\d+\.\d+)$/gm)].map((m) => Number(m[2]));
  assert.is(losses.length, 4, out);
  assert.ok(losses[3]! < losses[0]!, `loss ${losses.join(' → ')}`);
  assert.match(out, /trained 1 epoch in/);
  assert.ok(existsSync(join(runDir, 'checkpoint', 'manifest.json')));
  assert.ok(existsSync(join(runDir, 'metrics.jsonl')));
  assert.match(out, /scores: \[2, 16, 16, 3\]/);
  assert.match(out, /predicted classes: \[2, 16, 16\]/);
  assert.match(out, /validation: G \d+\.\d%, mIoU \d+\.\d%/);
});

test.run();
