/**
 * `netc compile` and `netc forward` end to end through `run(argv, io)` (cli.md): compile writes
 * the weights; forward reads them and a .npy and writes the network's (or a node's) output,
 * equal to the library's forward pass; and each kind of mistake gets its exit code
 * (1 spec/data, 2 usage or unavailable backend, 3 runtime failure) and a message, never a stack.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run, type Io } from '../../cli/main.js';
import { lower } from '../../runtime/lower.js';
import { readNpyFloat32, writeNpy } from '../../runtime/npy.js';
import { loadWeights } from '../../runtime/weights.js';
import { parameterDecls } from '../../runtime/program.js';
import { compileFile, seeded, use } from '../runtime/ops/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'netc-cli-'));
const spec = join(dir, 'small.net');
writeFileSync(
  spec,
  `# A small SegNet-like net on any size divisible by 4.
network small(classes: int = 3) {
  input image: [H, W, 3] where H % 4 == 0, W % 4 == 0
  output scores = image
    |> conv(8, 3, pad: 1) as c1 |> batchnorm as bn1 |> relu |> maxpool(2) as p1
    |> conv(8, 3, pad: 1) as c2 |> relu
    |> unpool(p1) |> conv(classes, 1) as score
}
`,
);

async function netc(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, cwd: dir, env: {} };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

const input = seeded([2, 8, 12, 3], 21);
await writeNpy(join(dir, 'x.npy'), input.data, input.shape);

test('compile writes weights; forward writes the output the library computes', async () => {
  const compiled = await netc('compile', 'small.net', '-o', 'w', '--seed', '5');
  assert.is(compiled.code, 0, compiled.stderr);
  assert.match(compiled.stdout, /w: 10 tensors, 867 parameters \(3\.39 KiB\) of `small`, seed 5/);
  const manifest = JSON.parse(readFileSync(join(dir, 'w', 'manifest.json'), 'utf8'));
  assert.is(manifest.seed, 5);
  assert.equal(manifest.options, { network: 'small', params: {}, sizes: {} });

  const forward = await netc('forward', 'small.net', '--weights', 'w', '--input', 'x.npy', '-o', 'y.npy');
  assert.is(forward.code, 0, forward.stderr);
  assert.match(forward.stdout, /y\.npy: \[2, 8, 12, 3\] float32 \(`scores` of `small`, backend wasm\)/);
  const y = await readNpyFloat32(join(dir, 'y.npy'));
  assert.equal(y.shape, [2, 8, 12, 3]);

  await use('wasm');
  const typed = compileFile(spec);
  const program = lower(typed, { weights: (await loadWeights(join(dir, 'w'), parameterDecls(typed))).values });
  const x = tf.tensor(input.data, input.shape);
  const expected = program.forward(x)['scores']!;
  assert.ok((await expected.data()).every((v, i) => v === y.data[i]), 'same values as the library');
  tf.dispose([x, expected]);
  program.dispose();
  // The same seed gives the same weights (compile is deterministic).
  assert.is((await netc('compile', 'small.net', '-o', 'w2', '--seed', '5')).code, 0);
  assert.ok(readFileSync(join(dir, 'w2', 'weights.bin')).equals(readFileSync(join(dir, 'w', 'weights.bin'))));
});

test('forward --node writes an intermediate output; --backend cpu works too', async () => {
  const r = await netc('forward', 'small.net', '--weights', 'w', '--input', 'x.npy', '-o', 'p1.npy', '--node', 'p1', '--backend', 'cpu');
  assert.is(r.code, 0, r.stderr);
  assert.equal((await readNpyFloat32(join(dir, 'p1.npy'))).shape, [2, 4, 6, 8]);
});

test('the options recorded by compile are used by forward (--param classes=5)', async () => {
  assert.is((await netc('compile', 'small.net', '-o', 'w5', '--param', 'classes=5')).code, 0);
  const r = await netc('forward', 'small.net', '--weights', 'w5', '--input', 'x.npy', '-o', 'y5.npy');
  assert.is(r.code, 0, r.stderr);
  assert.equal((await readNpyFloat32(join(dir, 'y5.npy'))).shape, [2, 8, 12, 5]);
  // Overriding them so that the weights no longer fit is a data error.
  const bad = await netc('forward', 'small.net', '--weights', 'w5', '--input', 'x.npy', '-o', 'y.npy', '--param', 'classes=3');
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /error\[data\]: w5: 2 problems:/);
  assert.match(bad.stderr, /`score\/kernel` has shape \[1, 1, 8, 5\], but the spec needs \[1, 1, 8, 3\]/);
});

test('a spec that changed since the weights were written is used, with a warning', async () => {
  writeFileSync(join(dir, 'edited.net'), readFileSync(spec, 'utf8').replace('# A small', '# An edited small'));
  const r = await netc('forward', 'edited.net', '--weights', 'w', '--input', 'x.npy', '-o', 'y2.npy');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: edited\.net differs from the spec stored with the weights \(small\.net\); using edited\.net/);
});

test('data errors exit 1: an input size the spec does not allow, wrong channels, a missing file', async () => {
  const odd = seeded([1, 6, 8, 3], 1);
  await writeNpy(join(dir, 'odd.npy'), odd.data, odd.shape);
  const r1 = await netc('forward', 'small.net', '--weights', 'w', '--input', 'odd.npy', '-o', 'y.npy');
  assert.is(r1.code, 1);
  assert.match(r1.stderr, /odd\.npy: the input size H = 6 is not allowed by network `small`: it needs H % 4 == 0/);
  const gray = seeded([1, 8, 8, 1], 1);
  await writeNpy(join(dir, 'gray.npy'), gray.data, gray.shape);
  const r2 = await netc('forward', 'small.net', '--weights', 'w', '--input', 'gray.npy', '-o', 'y.npy');
  assert.is(r2.code, 1);
  assert.match(r2.stderr, /input `image` has 1 channels, but the spec declares \[H, W, 3\] \(3 channels\)/);
  const r3 = await netc('forward', 'small.net', '--weights', 'w', '--input', 'nope.npy', '-o', 'y.npy');
  assert.is(r3.code, 1);
  assert.match(r3.stderr, /nope\.npy: cannot read/);
  const r4 = await netc('forward', 'small.net', '--weights', 'nowhere', '--input', 'x.npy', '-o', 'y.npy');
  assert.is(r4.code, 1);
  assert.match(r4.stderr, /nowhere: no manifest\.json here/);
  for (const r of [r1, r2, r3, r4]) assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
});

test('spec errors exit 1 with diagnostics', async () => {
  writeFileSync(join(dir, 'broken.net'), 'network b() { input x: [4, 4, 3]  output y = x |> conv(2, 9) }\n');
  const r = await netc('compile', 'broken.net', '-o', 'wb');
  assert.is(r.code, 1);
  assert.match(r.stderr, /error\[shape\]/);
  assert.match(r.stderr, /broken\.net:1:/);
});

test('usage errors exit 2: missing -o, a missing SPEC, unknown node, unknown backend, bad --seed', async () => {
  const cases: [string[], RegExp][] = [
    [['compile', 'small.net'], /missing -o DIR/],
    [['compile', 'missing.net', '-o', 'w'], /no such file 'missing\.net'/],
    [['compile', 'small.net', '-o', 'w', '--seed', 'x'], /--seed expects an integer/],
    [['compile', 'small.net', '-o', 'w', '--backend', 'tpu'], /unknown backend 'tpu'/],
    [['forward', 'small.net', '--weights', 'w', '--input', 'x.npy'], /missing -o Y\.npy/],
    [['forward', 'small.net', '--weights', 'w', '--input', 'x.npy', '-o', 'y.npy', '--node', 'nope'], /no output or node named `nope`/],
  ];
  for (const [argv, message] of cases) {
    const r = await netc(...argv);
    assert.is(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage: netc (compile|forward)/);
  }
});

test('an optional backend that is not installed exits 2 with install instructions', async () => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return; // installed here: nothing to refuse
  } catch {
    // not installed (the normal case)
  }
  const r = await netc('forward', 'small.net', '--weights', 'w', '--input', 'x.npy', '-o', 'y.npy', '--backend', 'tensorflow');
  assert.is(r.code, 2);
  assert.match(r.stderr, /backend 'tensorflow' is unavailable: @tensorflow\/tfjs-node is not installed/);
});

test('--help describes both commands', async () => {
  for (const name of ['compile', 'forward']) {
    const r = await netc(name, '--help');
    assert.is(r.code, 0);
    assert.match(r.stdout, new RegExp(`Usage: netc ${name} SPEC`));
  }
});

test.run();
