/**
 * `lower(typed, { seed, weights })`: every node's tfjs output shape equals the checker's shape
 * at the actual size (at several sizes of a symbolic input), inputs the spec does not allow are
 * refused with clear messages, outputs are selected by name, initial values are deterministic
 * per (seed, parameter name) and follow the initialisers' definitions, shared layers have one
 * set of variables, and two programs of the same spec can coexist.
 */
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TypedNode } from '../../compiler/check/types.js';
import { RandomStream, initialValues } from '../../runtime/init.js';
import { LoweringError, lower, type Program } from '../../runtime/lower.js';
import { parameterDecls, shapeAt } from '../../runtime/program.js';
import { WeightsError } from '../../runtime/weights.js';
import { assertClose, compileText, seeded, use, weightsOf } from './ops/helpers.js';

// A SegNet/FCN hybrid on a symbolic input: unpool links, a derived crop after a deconv, a
// bilinear upsample, ceil-mode pooling and an offsets head.
const hybrid = compileText(`
network hybrid(classes: int = 3) {
  input image: [H, W, 3] where H % 4 == 0, W % 4 == 0, H >= 12, W >= 12
  let e1 = image |> conv(6, 3, pad: 1) as c1 |> batchnorm as bn1 |> relu |> maxpool(2) as p1
  let e2 = e1 |> conv(8, 3, pad: 1) as c2 |> relu |> maxpool(2) as p2
  let d2 = e2 |> conv(8, 3, pad: 1) as m |> unpool(p2) |> conv(6, 3, pad: 1) as dec2
  let d1 = d2 |> unpool(p1) |> conv(classes, 1) as dec1
  let side = e2 |> conv(classes, 1) as s2 |> deconv(classes, 8, stride: 4, bias: false) as up
  let coarse = e2 |> upsample(4, mode: bilinear) |> conv(classes, 1) as s3
  output scores = d1 + crop(side, to: d1) + coarse
  output pooled = e1 |> maxpool(3, stride: 2, pad: 1, ceil: true)
}`);

async function shapesAt(program: Program, h: number, w: number): Promise<Map<string, [number[], number[]]>> {
  const x = tf.tensor(seeded([2, h, w, 3], h * w).data, [2, h, w, 3]);
  const { env } = program.sizes(new Map([['image', [2, h, w, 3]]]));
  const seen = new Map<string, [number[], number[]]>();
  const out = program.forward(x, { observe: (t: TypedNode, y) => seen.set(t.node.name, [y.shape, [2, ...shapeAt(t, env)]]) });
  tf.dispose([x, ...Object.values(out)]);
  return seen;
}

test('every node has the checker’s shape at several input sizes', async () => {
  await use('wasm');
  const program = lower(hybrid, { seed: 1 });
  try {
    for (const [h, w] of [[12, 12], [16, 20], [28, 12]] as const) {
      const seen = await shapesAt(program, h, w);
      assert.is(seen.size, hybrid.order.length - 1, 'every node but the input ran');
      for (const [name, [actual, expected]] of seen) assert.equal(actual, expected, `${name} at ${h}x${w}`);
    }
  } finally {
    program.dispose();
  }
});

test('inputs the spec does not allow are refused with the reason', async () => {
  await use('wasm');
  const program = lower(hybrid);
  const cases: [number[], RegExp][] = [
    [[1, 14, 16, 3], /H = 14 is not allowed by network `hybrid`: it needs H % 4 == 0, H >= 12/],
    [[1, 8, 16, 3], /H = 8 is not allowed/],
    [[1, 16, 16, 4], /input `image` has 4 channels, but the spec declares \[H, W, 3\]/],
    [[16, 16, 3], /must be NHWC with a batch axis/],
  ];
  try {
    for (const [shape, message] of cases) {
      const x = tf.zeros(shape);
      try {
        assert.throws(() => program.forward(x), (e: unknown) => e instanceof LoweringError && e.kind === 'input' && message.test(e.message));
      } finally {
        x.dispose();
      }
    }
  } finally {
    program.dispose();
  }
  const fixed = compileText('network t() { input x: [5, 6, 1]  output y = x |> relu }');
  const p = lower(fixed);
  const x = tf.zeros([1, 6, 5, 1]);
  assert.throws(() => p.forward(x), /input `x` has height 6, but the spec declares \[5, 6, 1\] \(height 5\)/);
  tf.dispose(x);
  p.dispose();
});

test('outputs by output name or node name; only their ancestors run', async () => {
  await use('wasm');
  const program = lower(hybrid, { seed: 2 });
  const x = tf.tensor(seeded([1, 12, 16, 3], 1).data, [1, 12, 16, 3]);
  try {
    const ran: string[] = [];
    const out = program.forward(x, { outputs: ['p1', 'pooled', 'c1'], observe: (t) => ran.push(t.node.name) });
    assert.equal(Object.keys(out).sort(), ['c1', 'p1', 'pooled']);
    assert.equal(out['p1']!.shape, [1, 6, 8, 6]);
    // e1 is 6×8: ceil((6 + 2 − 3)/2) + 1 = 4 and ceil((8 + 2 − 3)/2) + 1 = 5 (no clip: the last
    // windows start at rows 5 and 7, inside the input).
    assert.equal(out['pooled']!.shape, [1, 4, 5, 6]);
    const pooled = hybrid.nodes.get(hybrid.graph.outputs.find((o) => o.name === 'pooled')!.node)!.node.name;
    assert.equal(ran, ['c1', 'bn1', 'relu', 'p1', pooled]);
    // The same node under two names, and a graph input, are handed out as separate tensors.
    const again = program.forward(x, { outputs: ['scores', 'image'] });
    assert.ok(again['image'] !== x);
    tf.dispose([...Object.values(out), ...Object.values(again)]);
    assert.throws(() => program.forward(x, { outputs: ['nope'] }), (e: unknown) => e instanceof LoweringError && e.kind === 'output' && /no output or node named `nope` \(outputs: scores, pooled\)/.test(e.message));
  } finally {
    x.dispose();
    program.dispose();
  }
});

test('nodes inside offsets cannot be asked for (they run once per shift)', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [7, 7, 2]  output y = x |> offsets(2, conv(2, 2, stride: 2) as c) }');
  const program = lower(typed);
  const x = tf.zeros([1, 7, 7, 2]);
  try {
    // Layers inside offsets are named as if applied directly (`c`, not `y/c`), so parameter names match a net trained without offsets.
    assert.throws(() => program.forward(x, { outputs: ['c'] }), /`c` is inside `offsets` \(`y`\)/);
  } finally {
    x.dispose();
    program.dispose();
  }
});

test('xoshiro128** reproduces the reference sequence of state {1, 2, 3, 4}', () => {
  // Blackman & Vigna's xoshiro128starstar.c from state {1, 2, 3, 4} starts 11520, 0, 5927040,
  // 70819200 (the first three are easy to derive by hand from the update rule).
  const stream = new RandomStream(0, 'x') as unknown as { s0: number; s1: number; s2: number; s3: number; nextUint32(): number };
  Object.assign(stream, { s0: 1, s1: 2, s2: 3, s3: 4 });
  assert.equal([stream.nextUint32(), stream.nextUint32(), stream.nextUint32(), stream.nextUint32()], [11520, 0, 5927040, 70819200]);
});

test('initial values: deterministic per (seed, name), independent of other layers', async () => {
  const a = compileText('network t() { input x: [4, 4, 3]  output y = x |> conv(8, 3) as c1 |> conv(8, 1) as c2 }');
  const b = compileText('network t() { input x: [6, 6, 3]  output y = x |> conv(8, 3) as c0 |> conv(8, 3) as c1 |> conv(8, 1) as c2 }');
  const declsA = parameterDecls(a);
  const declsB = parameterDecls(b);
  const get = (decls: typeof declsA, name: string, seed: number) => initialValues(decls.find((d) => d.name === name)!, seed);
  assert.equal(Array.from(get(declsA, 'c1/kernel', 3)), Array.from(get(declsA, 'c1/kernel', 3)));
  assert.not.equal(Array.from(get(declsA, 'c1/kernel', 3)), Array.from(get(declsA, 'c1/kernel', 4)));
  assert.not.equal(Array.from(get(declsA, 'c1/kernel', 3).slice(0, 24)), Array.from(get(declsA, 'c2/kernel', 3).slice(0, 24)));
  // Adding c0 in front does not change c2's values (c1's fan-in changes, so its scale does).
  assert.equal(Array.from(get(declsB, 'c2/kernel', 3)), Array.from(get(declsA, 'c2/kernel', 3)));
  // And the program starts from exactly these values, on any backend.
  for (const backend of ['cpu', 'wasm'] as const) {
    await use(backend);
    const program = lower(a, { seed: 3 });
    const values = await program.read();
    program.dispose();
    assert.ok(values.get('c1/kernel')!.data.every((v, i) => v === get(declsA, 'c1/kernel', 3)[i]), backend);
  }
});

test('initialisers follow their definitions', () => {
  const typed = compileText(`network t() {
    input x: [8, 8, 64]
    output y = x |> conv(64, 3) as he |> conv(32, 1, init: normal(0.5, 0.01)) as n |> batchnorm as bn |> deconv(32, 4, stride: 2) as up |> deconv(32, 3, stride: 2, init: zeros) as z
  }`);
  const decls = parameterDecls(typed);
  const values = (name: string) => initialValues(decls.find((d) => d.name === name)!, 11);
  const stats = (v: Float32Array) => {
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    return { mean, std: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length) };
  };
  // he: 3·3·64·64 = 36864 draws of N(0, 2/576): std 0.0589; the sample std is within 1.5 %.
  const he = stats(values('he/kernel'));
  assert.ok(Math.abs(he.std / Math.sqrt(2 / 576) - 1) < 0.015, `he std ${he.std}`);
  assert.ok(Math.abs(he.mean) < 0.002, `he mean ${he.mean}`);
  const n = stats(values('n/kernel')); // 2048 draws
  assert.ok(Math.abs(n.mean - 0.5) < 0.001 && Math.abs(n.std / 0.01 - 1) < 0.05, `normal ${n.mean} ${n.std}`);
  assert.ok(values('he/bias').every((v) => v === 0));
  assert.ok(values('bn/gamma').every((v) => v === 1) && values('bn/beta').every((v) => v === 0));
  assert.ok(values('bn/moving_mean').every((v) => v === 0) && values('bn/moving_variance').every((v) => v === 1));
  assert.ok(values('z/kernel').every((v) => v === 0));
  // bilinear 4: 1-D [0.25, 0.75, 0.75, 0.25] (paper-architectures.md §2.6) on the diagonal only.
  const up = values('up/kernel');
  const f = [0.25, 0.75, 0.75, 0.25];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let o = 0; o < 32; o++) for (let c = 0; c < 32; c++) {
    const v = up[((i * 4 + j) * 32 + o) * 32 + c]!;
    if (v !== (o === c ? f[i]! * f[j]! : 0)) assert.unreachable(`up/kernel[${i}, ${j}, ${o}, ${c}] = ${v}`);
  }
});

test('a shared layer has one set of variables, used by every application', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [4, 4, 3]  shared c = conv(3, 3, pad: 1)  output y = x |> c |> relu |> c }');
  assert.equal(parameterDecls(typed).map((d) => d.name), ['c/kernel', 'c/bias']);
  const weights = weightsOf({ 'c/kernel': { shape: [3, 3, 3, 3], values: seeded([81], 1).data }, 'c/bias': { shape: [3], values: [0.1, 0.2, 0.3] } });
  const program = lower(typed, { weights });
  const x = tf.tensor(seeded([1, 4, 4, 3], 2).data, [1, 4, 4, 3]);
  try {
    const y = program.forward(x)['y']!;
    const once = compileText('network t() { input x: [4, 4, 3]  output y = x |> conv(3, 3, pad: 1) as c }');
    const single = lower(once, { weights });
    const twice = tf.tidy(() => single.forward(tf.relu(single.forward(x)['y']!))['y']!);
    assertClose(await y.data(), await twice.data(), 1e-6, 'c applied twice');
    tf.dispose([y, twice]);
    single.dispose();
  } finally {
    x.dispose();
    program.dispose();
  }
});

test('two programs of the same spec coexist; weights are checked', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [2, 2, 1]  output y = x |> conv(2, 1) as c }');
  const a = lower(typed, { seed: 1 });
  const b = lower(typed, { seed: 2 });
  try {
    assert.is(a.params.get('c/kernel')!.name, 'c/kernel');
    assert.ok(b.params.get('c/kernel')!.name.startsWith('c/kernel#'));
    assert.not.equal(Array.from((await a.read()).get('c/kernel')!.data), Array.from((await b.read()).get('c/kernel')!.data));
  } finally {
    a.dispose();
    b.dispose();
  }
  assert.throws(() => lower(typed, { weights: weightsOf({ 'c/kernel': { shape: [1, 1, 1, 3], values: [1, 2, 3] } }) }), (e: unknown) => e instanceof WeightsError && /`c\/kernel` has shape \[1, 1, 1, 3\], but the spec needs \[1, 1, 1, 2\]/.test(e.message) && /missing parameter `c\/bias` \[2\]/.test(e.message));
});

test.run();
