/**
 * `netc check SPEC` at the parsing stage (cli.md): all syntax and import errors with
 * file:line:col and a caret (exit 1), `--json` errors on stdout, a summary on success
 * (exit 0), and usage errors for bad flags (exit 2).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK_TRACE, netc } from './helpers.js';

const cases = 'test/grammar/error-cases';

test('`netc check --help` shows the usage and the options', async () => {
  const r = await netc(['check', '--help']);
  assert.is(r.code, 0);
  assert.ok(r.stdout.startsWith('Usage: netc check SPEC [--size H=..,W=..] [--param k=v] [--network NAME] [--json] [--memory [--batch N]]\n'));
  for (const option of ['--size', '--param', '--network', '--json']) assert.match(r.stdout, option);
});

test('a valid spec: exit 0 and the checker\'s one-screen summary', async () => {
  const r = await netc(['check', 'specs/kitchen_sink.net']);
  assert.is(r.stderr, '');
  assert.is(r.code, 0);
  // Sizes and counts follow from the spec: five 2x2 poolings (stride 32) under
  // `H % 32 == 0`; `fine` is two 3x3 valid convs after the stride-8 pool3 (H/8 - 2).
  assert.is(
    r.stdout,
    [
      'network kitchen_sink (specs/kitchen_sink.net): 54 layers, no errors',
      '  input   image [H, W, 3]  valid for H % 32 == 0, 64 <= H <= 2048, W % 32 == 0, 64 <= W <= 4064',
      '  output  scores [H, W, 11]  stride 1, rf 148',
      '  output  fine [H/8 - 2, W/8 - 2, 11]  stride 8, rf 132',
      '  parameters 14,811,350 (14,811,350 learned; plus 128 batchnorm statistics)',
      '  coarsest stride 32 (at features/pool5)',
      '',
    ].join('\n'),
  );
});

test('a file of blocks only: syntax and imports are checked, its declarations listed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netc-check-'));
  writeFileSync(join(dir, 'blocks.net'), 'block cr(x, c: int) = x |> conv(c, 3, pad: 1) |> relu\n');
  const r = await netc(['check', 'blocks.net'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'blocks.net: no syntax or import errors (0 networks, 1 block)\n  block cr(x, c: int)\n');
});

test('--memory: the estimate with liveness vs keeping everything, and the pooling-index links', async () => {
  const r = await netc(['check', 'specs/segnet-basic.net', '--memory', '--size', 'H=360,W=480']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /activations, all kept/);
  assert.match(r.stdout, /activations, peak with liveness/);
  assert.match(r.stdout, /pooling-index links: indices/);
  const bad = await netc(['check', 'specs/segnet-basic.net', '--batch', '2']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--batch is only used with --memory/);
});

test('every error of every file, each with file:line:col and a caret, no stack trace; exit 1', async () => {
  const r = await netc(['check', `${cases}/two-errors.net`]);
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  const frames = r.stderr.trimEnd().split('\n\n');
  assert.is(frames.pop(), '2 errors');
  assert.is(frames.length, 2);
  for (const frame of frames) {
    assert.match(frame, /^error\[syntax\]: /);
    assert.match(frame, new RegExp(`\\n --> ${cases}/two-errors\\.net:\\d+:\\d+\\n`));
    assert.match(frame, /\n\s*\|\s+\^+/);
  }
  assert.not.match(r.stderr, STACK_TRACE);
  // An error in an imported file is shown in that file.
  const cycle = await netc(['check', `${cases}/import-cycle.net`]);
  assert.is(cycle.code, 1);
  assert.match(cycle.stderr, ` --> ${cases}/fixtures/cycle-b.net:2:28\n`);
});

test('--json: {"errors": [...]} on stdout, the rendered diagnostics on stderr', async () => {
  const r = await netc(['check', `${cases}/import-missing-name.net`, '--json']);
  assert.is(r.code, 1);
  const json = JSON.parse(r.stdout) as { errors: Record<string, unknown>[] };
  assert.equal(
    json.errors.map((e) => [e['code'], e['message'], e['file'], e['line'], e['column']]),
    [['import', '`test/grammar/error-cases/fixtures/blocks.net` does not declare `vgg`', `${cases}/import-missing-name.net`, 1, 15]],
  );
  assert.match(r.stderr, /^error\[import\]: /);
  const ok = await netc(['check', 'specs/kitchen_sink.net', '--json']);
  assert.is(ok.code, 0);
  const summary = JSON.parse(ok.stdout) as { network: string; files: string[]; blocks: { name: string }[] };
  assert.is(summary.network, 'kitchen_sink');
  assert.equal(summary.files, ['specs/kitchen_sink.net', 'specs/vgg16.net']);
  assert.equal(summary.blocks.map((b) => b.name), ['cbr', 'twin']);
});

test('--size, --param and --network are accepted when well formed', async () => {
  const r = await netc(['check', 'specs/kitchen_sink.net', '--size', 'H=320,W=480', '--param', 'classes=3', '--param', 'rate=0.25', '--network', 'kitchen_sink']);
  assert.is(r.stderr, '');
  assert.is(r.code, 0);
});

test('malformed flags are usage errors (exit 2) that say what is wrong', async () => {
  const spec = 'specs/kitchen_sink.net';
  const cases: [string[], string][] = [
    [['--size', 'h=3'], '--size h=3: dimension variables are uppercase names, such as H or W'],
    [['--size', 'H=0'], '--size H=0: a size must be a positive integer'],
    [['--size', 'H'], "--size expects NAME=VALUE pairs separated by commas, got 'H'"],
    [['--param', 'classes=3x'], '--param classes=3x: the value must be a number, true, false, a name or a "string"'],
    [['--param', 'clases=3'], "--param clases: network 'kitchen_sink' has no parameter 'clases' (did you mean 'classes'?)"],
    [['--network', 'kitchen'], "specs/kitchen_sink.net declares no network 'kitchen'; its networks: kitchen_sink"],
    [['--network', 'kitchen_snk'], "specs/kitchen_sink.net declares no network 'kitchen_snk' (did you mean 'kitchen_sink'?)"],
  ];
  for (const [flags, message] of cases) {
    const r = await netc(['check', spec, ...flags]);
    assert.is(r.code, 2, flags.join(' '));
    assert.is(r.stderr, `error: ${message}\nUsage: netc check SPEC [--size H=..,W=..] [--param k=v] [--network NAME] [--json] [--memory [--batch N]]\n`);
  }
  const missing = await netc(['check']);
  assert.is(missing.code, 2);
  const nofile = await netc(['check', 'specs/none.net']);
  assert.is(nofile.code, 2);
  assert.match(nofile.stderr, /^error: no such file 'specs\/none\.net'\n/);
});

test.run();
