/**
 * The library API (`index.ts`, docs/api.md): each function does what its CLI command does, spec
 * errors come back as values, run-time failures throw, and importing the package loads no
 * TensorFlow.js. Expected numbers come from the papers' releases, as quoted in the specs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as netc from '../../index.js';
import { rfReport as compilerRfReport } from '../../compiler/report/index.js';
import { RandomStream } from '../../runtime/init.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const spec = (name: string) => join(ROOT, 'specs', name);
const tmp = mkdtempSync(join(tmpdir(), 'netc-api-'));

function ok(result: netc.CheckResult): netc.CheckedNetwork {
  if (!result.ok) throw new Error(netc.renderDiagnostics(result.diagnostics, result.program));
  return result.network;
}

test('importing the package loads no TensorFlow.js', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `await import(${JSON.stringify(join(ROOT, 'index.ts'))}); process.stdout.write(String('_tfengine' in globalThis));`], { cwd: ROOT, encoding: 'utf8' });
  assert.is(out, 'false');
  // The same probe does see tfjs once the runtime is loaded (so the test can fail).
  const loaded = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `await import('@tensorflow/tfjs-core'); process.stdout.write(String('_tfengine' in globalThis));`], { cwd: ROOT, encoding: 'utf8' });
  assert.is(loaded, 'true');
});

test('parse never throws; format is canonical', () => {
  const broken = netc.parse('network n( {', 'n.net');
  assert.ok(broken.diagnostics.length > 0);
  assert.is(broken.diagnostics[0]!.severity, 'error');
  const text = readFileSync(spec('segnet-basic.net'), 'utf8');
  const { module, diagnostics } = netc.parse(text, 'segnet-basic.net');
  assert.equal(diagnostics, []);
  const once = netc.format(module!);
  assert.is(netc.format(netc.parse(once, 'x.net').module!), once);
});

test('load and check report missing files and spec errors as values, with code frames', () => {
  const missing = netc.load(join(tmp, 'nothing.net'));
  assert.is(missing.ok, false);
  const text = 'network bad() {\n  input x: [32, 32, 3]\n  let a = x |> conv(8, 3)\n  output y = a + x\n}\n';
  const result = netc.check({ text, file: join(tmp, 'bad.net') });
  assert.is(result.ok, false);
  if (!result.ok) {
    const rendered = netc.renderDiagnostics(result.diagnostics, result.program);
    assert.match(rendered, /error\[shape\]/);
    assert.match(rendered, /bad\.net:4:/);
    assert.match(rendered, /output y = a \+ x/);
  }
});

test('check: params, sizes and network select what the CLI flags select', () => {
  const basic = ok(netc.check(spec('segnet-basic.net'), { params: { classes: 4 }, sizes: { H: 360, W: 480 } }));
  const out = basic.typed.nodes.get(basic.typed.graph.outputs[0]!.node)!;
  assert.is(out.type.shape[2], 4);
  assert.equal(basic.options, { network: 'segnet_basic', params: { classes: '4' }, sizes: { H: 360, W: 480 } });
  const train = ok(netc.check(spec('overfeat-fast.net'), { network: 'overfeat_fast_train' }));
  assert.is(train.graph.network, 'overfeat_fast_train');
  // A spec as text resolves its imports relative to `file`.
  const text = 'import { vgg16_features } from "./vgg16.net"\nnetwork n() {\n  input x: [64, 64, 3]\n  let f = x |> vgg16_features\n  output y = f.pool5\n}\n';
  const imported = ok(netc.check({ text, file: spec('inline.net') }));
  assert.equal(netc.summarize(imported).outputs[0]!.shape, [2, 2, 512]);
});

test('rf: the crop offsets of the FCN-8s release (voc-fcn8s/net.py: 5, 9, 31), as `netc rf --json`', () => {
  const fcn8s = ok(netc.check(spec('fcn8s.net')));
  const report = netc.rf(fcn8s);
  assert.equal(report, compilerRfReport(fcn8s.typed));
  assert.equal(report.crops.map((c) => c.offset), [[5, 5], [9, 9], [31, 31]]);
  assert.is(netc.rfReport, netc.rf);
  assert.match(netc.formatRfReport(report), /score_pool4c/);
});

test('summarize: SegNet-Basic has 1,416,587 learned parameters at 11 classes (released prototxt, specs/segnet-basic.net)', () => {
  const s = netc.summarize(ok(netc.check(spec('segnet-basic.net'))));
  assert.is(s.params.learned, 1_416_587);
  assert.match(netc.formatSummary(s), /segnet_basic/);
});

test('unitRegion: a region, or a diagnostic for an unknown layer', () => {
  const vgg = ok(netc.check(spec('vgg16.net')));
  // conv1_1 (3×3, pad 1): unit (0, 0) reads input rows -1..1 (one row of padding).
  const at = netc.unitRegion(vgg, 'features/conv1_1', 0, 0);
  assert.ok(at.ok);
  if (at.ok) {
    assert.equal(at.region.region, [[-1, 1], [-1, 1]]);
    assert.match(netc.formatUnitRegion(at.region), /features\/conv1_1/);
  }
  const unknown = netc.unitRegion(vgg, 'conv9', 0, 0);
  assert.is(unknown.ok, false);
  if (!unknown.ok) assert.match(unknown.diagnostics[0]!.message, /no layer `conv9`/);
});

test('compile + forward on the chosen backend; saveWeights/loadWeights round trip; npy round trip', async () => {
  const small = ok(netc.check(join(ROOT, 'test', 'compiler', 'emit', 'cases', 'small.net')));
  const program = await netc.compile(small, { seed: 3, backend: 'cpu' });
  assert.is(tf.getBackend(), 'cpu');
  const random = new RandomStream(1, 'api');
  const x = tf.tensor4d(Float32Array.from({ length: 2 * 8 * 12 * 3 }, () => random.uniform()), [2, 8, 12, 3]);
  const { scores } = netc.forward(program, x);
  assert.equal(scores!.shape, [2, 8, 12, 3]);
  const dir = join(tmp, 'weights');
  const manifest = await netc.saveWeights(dir, program, small);
  assert.is(manifest.seed, 3);
  assert.equal(manifest.options, small.options);
  const again = await netc.compile(small, { weights: dir, backend: 'cpu' });
  const { scores: same } = netc.forward(again, x);
  assert.equal(Array.from(await same!.data()), Array.from(await scores!.data()));
  const values = await netc.loadWeights(dir, small);
  assert.equal(values.get('c1/kernel')!.shape, [3, 3, 3, 8]);
  // Weights of another network are refused, naming the problems.
  const other = ok(netc.check(join(ROOT, 'test', 'compiler', 'emit', 'cases', 'small.net'), { params: { classes: 5 } }));
  try {
    await netc.loadWeights(dir, other);
    assert.unreachable('loaded weights of another shape');
  } catch (e) {
    assert.match((e as Error).message, /score\/kernel/);
  }
  await netc.writeNpy(join(tmp, 'y.npy'), (await scores!.data()) as Float32Array, scores!.shape);
  const read = await netc.readNpy(join(tmp, 'y.npy'));
  assert.equal(read.shape, [2, 8, 12, 3]);
  assert.equal(Array.from(read.data), Array.from(await scores!.data()));
  // An input size the spec does not allow (H % 4 != 0) throws.
  assert.throws(() => netc.forward(program, tf.zeros([1, 6, 12, 3])), /H % 4 == 0/);
  tf.dispose([x, scores!, same!]);
  program.dispose();
  again.dispose();
});

test('compile refuses an unknown backend', async () => {
  const small = ok(netc.check(join(ROOT, 'test', 'compiler', 'emit', 'cases', 'small.net')));
  try {
    await netc.compile(small, { backend: 'gpu' as netc.BackendName });
    assert.unreachable('compiled on backend gpu');
  } catch (e) {
    assert.match((e as Error).message, /unknown backend 'gpu'; valid backends: wasm, cpu, tensorflow, cuda/);
  }
});

test('emitTypeScript: the module `netc emit` writes, or diagnostics', async () => {
  const small = ok(netc.check(join(ROOT, 'test', 'compiler', 'emit', 'cases', 'small.net')));
  const emitted = await netc.emitTypeScript(small, { source: 'test/compiler/emit/cases/small.net' });
  assert.ok(emitted.ok);
  if (emitted.ok) assert.fixture(emitted.text, readFileSync(join(ROOT, 'test', 'compiler', 'emit', 'cases', 'small.ts'), 'utf8'));
});

test('predict: the argmax class of the program\'s output', async () => {
  const small = ok(netc.check(join(ROOT, 'test', 'compiler', 'emit', 'cases', 'small.net')));
  const program = await netc.compile(small, { seed: 2, backend: 'cpu' });
  const x = tf.fill([1, 4, 8, 3], 0.5) as tf.Tensor4D;
  const classes = await netc.predict(program, x);
  const { scores } = netc.forward(program, x);
  assert.equal(classes.shape, [1, 4, 8]);
  assert.equal(Array.from(await classes.data()), Array.from(await tf.argMax(scores!, -1).data()));
  const probabilities = await netc.predict(program, x, { probabilities: true });
  assert.equal(probabilities.shape, [1, 4, 8, 3]);
  tf.dispose([x, classes, scores!, probabilities]);
  program.dispose();
});

test.run();
