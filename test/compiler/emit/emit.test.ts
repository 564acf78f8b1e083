/**
 * `emitTypeScript` on specs written for it: the golden text of a small SegNet-like network, and
 * `cases/allops.net`, which uses every op and every form the emitter translates differently (two
 * inputs, strided dilated and `same` convolutions, Caffe pooling with padding and ceil mode, a
 * padded deconvolution, a crop whose reference is computed only for its size, ...). Its module
 * must compute what netc computes, with a symbolic and with a fixed input size, on the backend
 * netc sets up and on the stock cpu backend; start from the values netc's initialisers give;
 * and refuse checkpoints that do not fit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TypedGraph, TypedNode } from '../../../compiler/check/types.js';
import { emitTypeScript, emittableOps } from '../../../compiler/emit/index.js';
import { NameScope, layerVariableWishes } from '../../../compiler/emit/names.js';
import { allOps } from '../../../compiler/ops/registry.js';
import { initBackend } from '../../../runtime/backend.js';
import { RandomStream } from '../../../runtime/init.js';
import { lower } from '../../../runtime/lower.js';
import { saveWeights } from '../../../runtime/weights.js';
import { compileFile } from '../../runtime/ops/helpers.js';
import { emitDir, importEmitted, randomWeights, relativeError, writeCheckpoint, type EmittedModule } from './harness.js';

const CASES = fileURLToPath(new URL('./cases/', import.meta.url));

test.before(async () => {
  await initBackend({ name: 'cpu', env: {} });
  await initBackend({ name: 'wasm', threads: 1, env: {} });
});

function emit(typed: TypedGraph, source?: string): string {
  const r = emitTypeScript(typed, source ? { source } : {});
  if (r._tag === 'Left') throw new Error(r.left.map((d) => d.message).join('\n'));
  return r.right;
}

// Paths in the header are the spec's as given; the golden file uses the repository-relative one.
const small = compileFile(join(CASES, 'small.net'));
const smallText = emit(small, 'test/compiler/emit/cases/small.net');
const allops = compileFile(join(CASES, 'allops.net'));
const allopsText = emit(allops, 'test/compiler/emit/cases/allops.net');
const allopsFixed = compileFile(join(CASES, 'allops.net'), { sizes: { H: 24, W: 28 } });
const allopsFixedText = emit(allopsFixed, 'test/compiler/emit/cases/allops.net');

test('golden: the module emitted for cases/small.net (NETC_UPDATE_GOLDEN=1 rewrites it)', () => {
  const golden = join(CASES, 'small.ts');
  if (process.env['NETC_UPDATE_GOLDEN'] === '1') writeFileSync(golden, smallText);
  assert.fixture(smallText, readFileSync(golden, 'utf8'));
});

test('the module reads as written by hand: one statement per layer with its shape, no netc import, only the helpers used', () => {
  assert.not.match(allopsText, /from '(?!@tensorflow\/tfjs-core')/);
  assert.match(allopsText, /const strided = conv2d\(pad, params\['strided'\], \{ stride: \[2, 2\], pad: \[2, 2, 2, 2\], dilation: \[2, 2\] \}\); \/\/ \[N, H\/2 \+ 2, W\/2 \+ 1, 6\]/);
  assert.match(allopsText, /const mp = maxPool2d\(x, \[3, 3\], \[2, 2\], \[1, 1, 1, 1\], true\); \/\/ \[N, H\/4 \+ 2, W\/4 \+ 1, 6\]/);
  // narrow_conv is computed only for its size: the crop takes the size from the checker, and the layer is not emitted.
  assert.match(allopsText, /const by_reference = tf\.slice\(wide_conv, \[0, 1, 1, 0\], \[-1, H - 4, W - 4, -1\]\);/);
  assert.not.match(allopsText, /narrow_conv/);
  // q's only unpool is unused: q is a plain pooling and no argmax helper is emitted.
  assert.match(allopsText, /const q = tf\.maxPool\(same, 2, 2, 'valid'\); \/\/ \[N, H\/4, W\/4, 4\]/);
  assert.not.match(allopsText, /maxPoolWithArgmax|maxUnpool/);
  assert.match(smallText, /const \[p1, p1_argmax\] = maxPoolWithArgmax\(relu, \[2, 2\], \[2, 2\], \[0, 0, 0, 0\]\);/);
  // With --size the shapes are numbers.
  assert.match(allopsFixedText, /const by_reference = tf\.slice\(wide_conv, \[0, 1, 1, 0\], \[-1, 20, 24, -1\]\); \/\/ \[N, 20, 24, 4\]/);
  assert.match(allopsFixedText, /image\.shape\[3\] !== 3 \|\| H !== 24 \|\| W !== 28/);
  // The small net has no avgpool, offsets, groups or bilinear initialiser, so none of their helpers.
  for (const helper of ['avgPool2d', 'offsets(', 'groups = 1', 'bilinear', 'subsample', 'deconv2d', 'upsample']) assert.not.ok(smallText.includes(helper), helper);
  for (const helper of ['function avgPool2d', 'function subsample', 'function deconv2d', 'function bilinear', 'function upsampleNearest', 'function lrn', 'function dense']) assert.ok(allopsText.includes(helper), helper);
});

test('every op has a TypeScript translation', () => {
  assert.equal(emittableOps(), allOps().map((op) => op.name).sort());
});

test('an op without a translation is a diagnostic, not an exception', () => {
  const broken = withOp(small, 'c2', 'mystery');
  const r = emitTypeScript(broken);
  assert.is(r._tag, 'Left');
  if (r._tag === 'Left') assert.match(r.left[0]!.message, /no TypeScript for the op `mystery` \(layer `c2`\)/);
});

/** A copy of a typed graph with one node's op renamed. */
function withOp(typed: TypedGraph, name: string, op: string): TypedGraph {
  const nodes = new Map<number, TypedNode>();
  for (const [id, t] of typed.nodes) nodes.set(id, t.node.name === name ? { ...t, node: { ...t.node, op } } : t);
  return { ...typed, nodes, order: typed.order.map((t) => nodes.get(t.node.id)!) };
}

interface Run {
  readonly net: EmittedModule;
  readonly inputs: Record<string, tf.Tensor4D>;
  /** max relative error over the outputs of each call, and over the parameters after them. */
  readonly errors: number[];
}

/** netc and the emitted module with the same checkpoint: inference, then two training calls, then the parameters. */
async function compareWithNetc(typed: TypedGraph, text: string, name: string, backend: 'wasm' | 'cpu', shape: [number, number]): Promise<Run> {
  await tf.setBackend('wasm');
  const values = randomWeights(typed, 11);
  const dir = await writeCheckpoint(typed, values, name);
  const net = await importEmitted(name, text);
  const program = lower(typed, { weights: values });
  const random = new RandomStream(5, name);
  const data = (c: number) => Float32Array.from({ length: 2 * shape[0] * shape[1] * c }, () => random.uniform());
  const imageData = data(3);
  const auxData = data(2);
  const errors: number[] = [];
  const expected: Record<string, Float32Array>[] = [];
  const inputs = { image: tf.tensor4d(imageData, [2, ...shape, 3]), aux: tf.tensor4d(auxData, [2, ...shape, 2]) };
  for (const training of [false, true, true]) {
    const y = program.forward(inputs, { training });
    expected.push(Object.fromEntries(await Promise.all(Object.entries(y).map(async ([k, v]) => [k, await v.data()] as const))) as Record<string, Float32Array>);
    tf.dispose(y);
  }
  const after = await program.read();
  program.dispose();
  await tf.setBackend(backend);
  net.loadWeights(readFileSync(join(dir, 'manifest.json'), 'utf8'), readFileSync(join(dir, 'weights.bin')));
  const own = { image: tf.tensor4d(imageData, [2, ...shape, 3]), aux: tf.tensor4d(auxData, [2, ...shape, 2]) };
  for (const [i, training] of [false, true, true].entries()) {
    const y = net.forward(own, { training });
    assert.equal(Object.keys(y).sort(), Object.keys(expected[i]!).sort());
    errors.push(Math.max(...(await Promise.all(Object.entries(y).map(async ([k, v]) => relativeError(await v.data(), expected[i]![k]!))))));
    tf.dispose(y);
  }
  let state = 0;
  for (const [layer, variables] of Object.entries(net.getParameters())) {
    for (const [local, v] of Object.entries(variables)) state = Math.max(state, relativeError(await v.data(), after.get(`${layer}/${local}`)!.data));
  }
  errors.push(state);
  tf.dispose(inputs);
  return { net, inputs: own, errors };
}

test('allops: the emitted module computes what netc computes (symbolic size, wasm): exactly', async () => {
  const { net, inputs, errors } = await compareWithNetc(allops, allopsText, 'allops', 'wasm', [28, 32]);
  assert.equal(errors, [0, 0, 0, 0], `inference, training ×2, parameters after: ${errors}`);
  // A size the spec does not allow (H % 4 != 0) is refused with the spec's condition.
  assert.throws(() => net.forward({ image: tf.zeros([1, 26, 32, 3]), aux: tf.zeros([1, 26, 32, 2]) }), /`image` must be \[N, H, W, 3\] with H % 4 == 0, H >= 24 and W % 4 == 0, W >= 24; got \[1, 26, 32, 3\]/);
  assert.throws(() => net.forward({ image: tf.zeros([1, 28, 32, 3]), aux: tf.zeros([1, 28, 36, 2]) }), /`aux` must be \[N, H, W, 2\]/);
  tf.dispose(inputs);
  net.dispose();
});

test('allops with --size H=24,W=28: the same values', async () => {
  const { net, inputs, errors } = await compareWithNetc(allopsFixed, allopsFixedText, 'allops_fixed', 'wasm', [24, 28]);
  assert.equal(errors, [0, 0, 0, 0]);
  assert.throws(() => net.forward({ image: tf.zeros([1, 28, 28, 3]), aux: tf.zeros([1, 28, 28, 2]) }), /H == 24/);
  tf.dispose(inputs);
  net.dispose();
});

test('allops on the stock cpu backend (no netc kernels) agrees with netc on wasm within 1e-5', async () => {
  const { net, inputs, errors } = await compareWithNetc(allops, allopsText, 'allops_cpu', 'cpu', [28, 32]);
  // Different kernels round differently: not exactly equal, but well within the bound (docs/runtime.md measured ≤ 5.6e-7 between backends).
  assert.ok(errors.some((e) => e > 0), 'cpu and wasm kernels differ in rounding');
  for (const e of errors) assert.ok(e <= 1e-5, `${errors}`);
  tf.dispose(inputs);
  net.dispose();
  await tf.setBackend('wasm');
});

test("initParameters(seed) gives netc's initial values bit for bit (he, normal, zeros, ones, bilinear)", async () => {
  const net = await importEmitted('allops_init', allopsText);
  const program = lower(allops, { seed: 5 });
  const ours = await program.read();
  program.dispose();
  const params = net.initParameters(5);
  const inits = new Set<string>();
  for (const [layer, variables] of Object.entries(params)) {
    for (const [local, v] of Object.entries(variables)) {
      assert.equal(Array.from(await v.data()), Array.from(ours.get(`${layer}/${local}`)!.data), `${layer}/${local}`);
      inits.add(JSON.stringify(allops.order.find((t) => t.node.paramPath === layer)?.params.find((p) => p.local === local)?.init));
    }
  }
  for (const init of ['he', 'normal', 'zeros', 'ones', 'bilinear']) assert.ok([...inits].some((i) => i.includes(`"${init}"`)), `${init} is tested`);
  // Fixed and state parameters are not trained; learned ones are.
  assert.equal(net.trainableVariables().map((v) => v.name.replace(/#\d+$/, '')).filter((n) => /bilinear_up|moving/.test(n)), []);
  net.dispose();
});

test('loadWeights refuses a checkpoint that does not fit, and says why', async () => {
  const net = await importEmitted('small_load', smallText);
  const values = randomWeights(small);
  const dir = await writeCheckpoint(small, values, 'small-load');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const bin = readFileSync(join(dir, 'weights.bin'));
  // Entries are in the map's order; drop c1/kernel's entry and its bytes.
  const withoutKernel = new Map(values);
  withoutKernel.delete('c1/kernel');
  const missingDir = join(emitDir(), 'small-missing');
  await saveWeights(missingDir, withoutKernel, { options: { network: 'small', params: {}, sizes: {} }, spec: { entry: 'small.net', sources: {} } });
  assert.throws(() => net.loadWeights(readFileSync(join(missingDir, 'manifest.json'), 'utf8'), readFileSync(join(missingDir, 'weights.bin'))), /`c1\/kernel` is missing/);
  const reshaped = structuredClone(manifest);
  reshaped.weightsManifest[0].weights[0].shape = [3, 3, 8, 3];
  assert.throws(() => net.loadWeights(reshaped, bin), /`c1\/kernel` is \[3, 3, 8, 3\], not \[3, 3, 3, 8\]/);
  const halfs = structuredClone(manifest);
  halfs.weightsManifest[0].weights[0].dtype = 'float16';
  assert.throws(() => net.loadWeights(halfs, bin), /`c1\/kernel` is float16, not float32/);
  assert.throws(() => net.loadWeights(manifest, bin.subarray(0, bin.length - 4)), /the manifest describes \d+ bytes, the weights have \d+/);
  // The right files load, from text or parsed JSON, from a Buffer at any offset.
  const shifted = new Uint8Array(bin.length + 1);
  shifted.set(bin, 1);
  const params = net.loadWeights(manifest, shifted.subarray(1));
  assert.equal(Array.from(await params['c1']!['kernel']!.data()), Array.from(values.get('c1/kernel')!.data));
  net.dispose();
});

test('layer variable names: the shortest unique suffix of the path', () => {
  const wishes = layerVariableWishes(['vgg/conv1_1', 'conv1/conv', 'conv2/conv', 'relu', 'vgg/relu', 'pair/unit', 'pair/unit@2']);
  assert.equal(Object.fromEntries(wishes), {
    'vgg/conv1_1': 'conv1_1',
    'conv1/conv': 'conv1_conv',
    'conv2/conv': 'conv2_conv',
    relu: 'relu',
    'vgg/relu': 'vgg_relu',
    'pair/unit': 'unit',
    'pair/unit@2': 'unit_2',
  });
  const scope = new NameScope(['conv2d']);
  assert.equal(['relu', 'relu', 'conv2d', 'default', '7up', 'a-b'].map((n) => scope.fresh(n)), ['relu', 'relu_2', 'conv2d_2', 'default_2', '_7up', 'a_b']);
});

test.run();
