/**
 * Checkpoints in the TensorFlow.js weights format (`runtime/weights.ts`): a round trip keeps
 * every value bit for bit and tfjs' own decoder reads the files; the spec source and compile
 * options travel with them; writes leave no temporary files; and every way a checkpoint can be
 * wrong is refused with a `WeightsError` that says what is wrong.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../runtime/lower.js';
import { parameterDecls } from '../../runtime/program.js';
import { MANIFEST_FILE, WEIGHTS_FILE, WeightsError, loadWeights, readWeights, saveWeights, type WeightsManifest } from '../../runtime/weights.js';
import { compileText, seeded, use } from './ops/helpers.js';

const specText = `network w(classes: int = 3) {
  input x: [8, 8, 3]
  output y = x |> conv(4, 3, pad: 1) as c1 |> batchnorm as bn |> relu |> maxpool(2) as p
    |> deconv(4, 4, stride: 2, trainable: false) as up |> conv(classes, 1) as head
}`;
const typed = compileText(specText);
const decls = parameterDecls(typed);
const meta = { options: { network: 'w', params: { classes: '3' }, sizes: {} }, seed: 9, spec: { entry: 'w.net', sources: { 'w.net': specText } } };
const fresh = () => mkdtempSync(join(tmpdir(), 'netc-weights-'));

async function saved(): Promise<{ dir: string; values: Awaited<ReturnType<ReturnType<typeof lower>['read']>> }> {
  await use('wasm');
  const program = lower(typed, { seed: 9 });
  const values = await program.read();
  program.dispose();
  const dir = fresh();
  await saveWeights(dir, values, meta);
  return { dir, values };
}

test('round trip: every value bit for bit, manifest with spec and options, no temp files', async () => {
  const { dir, values } = await saved();
  assert.equal(readdirSync(dir).sort(), [MANIFEST_FILE, WEIGHTS_FILE]);
  const { manifest, values: back } = await loadWeights(dir, decls);
  assert.equal([...back.keys()], decls.map((d) => d.name));
  for (const [name, v] of values) {
    assert.equal(back.get(name)!.shape, [...v.shape]);
    assert.ok(back.get(name)!.data.every((x, i) => Object.is(x, v.data[i])), name);
  }
  assert.is(manifest.format, 'netc-weights');
  assert.equal(manifest.options, meta.options);
  assert.is(manifest.seed, 9);
  assert.is(manifest.spec.sources['w.net'], specText);
  // 4 bytes per value: c1 3·3·3·4 + 4, bn 4·4, up 4·4·4·4 + 4, head 4·3 + 3.
  assert.is(readFileSync(join(dir, WEIGHTS_FILE)).length, 4 * (112 + 16 + 260 + 15));
  // Saving again over the same directory replaces the files atomically.
  await saveWeights(dir, values, { ...meta, seed: 10 });
  assert.equal(readdirSync(dir).sort(), [MANIFEST_FILE, WEIGHTS_FILE]);
  assert.is((await readWeights(dir)).manifest.seed, 10);
});

test("tfjs' own decoder reads the files (the format is TensorFlow.js')", async () => {
  const { dir, values } = await saved();
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as WeightsManifest;
  const bytes = readFileSync(join(dir, WEIGHTS_FILE));
  const specs = manifest.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[];
  const decoded = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), specs);
  for (const [name, v] of values) {
    assert.equal(decoded[name]!.shape, [...v.shape]);
    assert.ok((decoded[name]!.dataSync() as Float32Array).every((x, i) => x === v.data[i]), name);
  }
  tf.dispose(Object.values(decoded));
});

test('a program lowered from loaded weights computes what the saved one did', async () => {
  await use('wasm');
  const program = lower(typed, { seed: 9 });
  const x = tf.tensor(seeded([2, 8, 8, 3], 1).data, [2, 8, 8, 3]);
  const dir = fresh();
  await saveWeights(dir, await program.read(), meta);
  const reloaded = lower(typed, { weights: (await loadWeights(dir, decls)).values });
  try {
    const a = program.forward(x)['y']!;
    const b = reloaded.forward(x)['y']!;
    assert.ok((await a.data()).every((v, i) => v === (b.dataSync() as Float32Array)[i]));
    tf.dispose([a, b]);
  } finally {
    tf.dispose(x);
    program.dispose();
    reloaded.dispose();
  }
});

async function refusal(mutate: (dir: string) => void, againstSpec = decls): Promise<WeightsError> {
  const { dir } = await saved();
  mutate(dir);
  try {
    await loadWeights(dir, againstSpec);
  } catch (e) {
    if (e instanceof WeightsError) return e;
    throw e;
  }
  throw new Error('loadWeights accepted a bad checkpoint');
}

const editManifest = (dir: string, edit: (m: { weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[] }) => void) => {
  const path = join(dir, MANIFEST_FILE);
  const m = JSON.parse(readFileSync(path, 'utf8'));
  edit(m);
  writeFileSync(path, JSON.stringify(m));
};

test('refused: not a weights directory, invalid JSON, no weightsManifest', async () => {
  const empty = fresh();
  const e1 = await loadWeights(empty, decls).catch((e) => e);
  assert.ok(e1 instanceof WeightsError && e1.kind === 'io' && /no manifest\.json here: not a netc weights directory/.test(e1.message));
  const e2 = await refusal((dir) => writeFileSync(join(dir, MANIFEST_FILE), '{ "format": '));
  assert.is(e2.kind, 'format');
  assert.match(e2.message, /manifest\.json is not valid JSON/);
  const e3 = await refusal((dir) => writeFileSync(join(dir, MANIFEST_FILE), '{ "format": "netc-weights" }'));
  assert.is(e3.kind, 'format');
  assert.match(e3.message, /no valid `weightsManifest`/);
});

test('refused: truncated data, trailing bytes, a missing data file, a non-float32 tensor', async () => {
  const truncated = await refusal((dir) => {
    const path = join(dir, WEIGHTS_FILE);
    writeFileSync(path, readFileSync(path).subarray(0, 1000));
  });
  assert.is(truncated.kind, 'size');
  assert.match(truncated.message, /weights\.bin is truncated: 1000 bytes, but the manifest's 10 tensors need 1612/);
  const long = await refusal((dir) => writeFileSync(join(dir, WEIGHTS_FILE), Buffer.concat([readFileSync(join(dir, WEIGHTS_FILE)), Buffer.alloc(8)])));
  assert.match(long.message, /1620 bytes, but the manifest's 10 tensors need 1612 \(8 bytes too many\)/);
  const gone = await refusal((dir) => editManifest(dir, (m) => (m.weightsManifest[0]!.paths = ['other.bin'])));
  assert.is(gone.kind, 'io');
  assert.match(gone.message, /cannot read other\.bin/);
  const int = await refusal((dir) => editManifest(dir, (m) => (m.weightsManifest[0]!.weights[0]!.dtype = 'int32')));
  assert.is(int.kind, 'dtype');
  assert.match(int.message, /`c1\/kernel` is int32; netc stores parameters as float32/);
});

test('refused against the spec: missing, extra and wrongly shaped parameters, all listed', async () => {
  // The same file checked against a spec with 5 classes: head's kernel and bias differ.
  const other = parameterDecls(compileText(specText.replace('classes: int = 3', 'classes: int = 5')));
  const shape = await refusal(() => undefined, other);
  assert.is(shape.kind, 'shape');
  assert.match(shape.message, /`head\/kernel` has shape \[1, 1, 4, 3\], but the spec needs \[1, 1, 4, 5\]/);
  assert.match(shape.message, /`head\/bias` has shape \[3\], but the spec needs \[5\]/);
  assert.match(shape.message, /the weights are of network `w` with classes=3/);
  // Renaming a layer: its parameters are missing, and the old ones extra.
  const renamed = parameterDecls(compileText(specText.replace('as head', 'as score')));
  const names = await refusal(() => undefined, renamed);
  assert.is(names.kind, 'missing');
  assert.match(names.message, /missing parameter `score\/kernel` \[1, 1, 4, 3\]/);
  assert.match(names.message, /parameter `head\/kernel` is not in the spec/);
  assert.is(names.problems.length, 5); // 2 missing, 2 extra, the hint
});

test.run();
