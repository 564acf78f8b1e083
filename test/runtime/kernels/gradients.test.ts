/**
 * runtime/gradients.ts: tfjs' own gradients (loaded from tfjs-core's ES-module dist) and the
 * ones netc adds, on cpu and wasm. References are independent of the code under test:
 * the conv with an explicitly zero-dilated filter, tfjs' maxPool gradient, and hand
 * computations in plain JS. Metric: helpers.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { ZERO_GRADIENT_KERNELS } from '../../../runtime/gradients.js';
import { assertClose, assertExactlyEqual, assertNoLeak, backends, grid, on, prng, uniform } from './helpers.js';
import { DILATED_CASES, attrsOf, dilateFilter, dilatedFilterShape, outShape, undilateFilter } from './conv-cases.js';

type T4 = tf.Tensor4D;

test('tfjs gradients are registered (tfjs-core alone registers none)', async () => {
  await backends();
  for (const k of ['Add', 'Sum', 'Relu', 'Conv2D', 'MaxPool', 'BatchMatMul', 'Slice', 'Concat', 'Softmax', 'FusedBatchNorm']) {
    assert.ok(tf.getGradient(k), `no gradient for ${k}`);
  }
});

test('Conv2D with dilation 2 and 3: gradients equal those of the zero-dilated filter', async () => {
  let seed = 1;
  for (const c of DILATED_CASES) {
    const x = uniform(c.x, seed++);
    const w = uniform(c.filter, seed++);
    const r = uniform(outShape(c), seed++);
    const pad = attrsOf(c)['pad'] as 'same' | 'valid' | tf.backend_util.ExplicitPadding;
    // Reference: d/dx, d/dW of sum(conv(x, W; dilation d) · r) via the ordinary conv with W
    // written out with d − 1 zeros between taps; dW is read at the real taps.
    const dense = { ...c, filter: dilatedFilterShape(c), dilations: 1 };
    const [edx, edwFull] = await on('cpu', () =>
      tf.grads((xt: tf.Tensor, wt: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xt as T4, wt as T4, 1, pad), tf.tensor4d(r, outShape(dense)))))([
        tf.tensor4d(x, c.x),
        tf.tensor4d(dilateFilter(w, c), dense.filter),
      ]),
    );
    const edw = undilateFilter(edwFull!, c);
    for (const b of ['cpu', 'wasm'] as const) {
      const [dx, dw] = await on(b, () =>
        tf.grads((xt: tf.Tensor, wt: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xt as T4, wt as T4, 1, pad, 'NHWC', c.dilations!), tf.tensor4d(r, outShape(c)))))([
          tf.tensor4d(x, c.x),
          tf.tensor4d(w, c.filter),
        ]),
      );
      assertClose(dx!, edx!, `${c.name} on ${b}: dx`);
      assertClose(dw!, edw, `${c.name} on ${b}: dW`);
    }
  }
});

test('Conv2D dilation 1: wasm gradients equal cpu gradients', async () => {
  const x = uniform([2, 9, 8, 3], 5);
  const w = uniform([3, 3, 3, 4], 6);
  for (const [s, pad] of [[1, 'same'], [2, 'valid'], [2, 'same']] as const) {
    const f = () => tf.grads((xt: tf.Tensor, wt: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xt as T4, wt as T4, s, pad))))([tf.tensor4d(x, [2, 9, 8, 3]), tf.tensor4d(w, [3, 3, 3, 4])]);
    const e = await on('cpu', f);
    const a = await on('wasm', f);
    assertClose(a[0]!, e[0]!, `stride ${s} ${pad}: dx`);
    assertClose(a[1]!, e[1]!, `stride ${s} ${pad}: dW`);
  }
});

test('MaxPoolWithArgmax gradient equals tfjs maxPool gradient (pooled value flows to the first maximum)', async () => {
  const cases = [
    { x: [2, 8, 6, 3] as [number, number, number, number], k: 2, s: 2, pad: 'valid' as const },
    { x: [1, 9, 9, 2] as [number, number, number, number], k: 3, s: 2, pad: 'valid' as const }, // overlapping: shared maxima accumulate
  ];
  let seed = 50;
  for (const c of cases) {
    for (const data of [uniform(c.x, seed++), grid(c.x, seed++, -2, 0)]) {
      const yShape = [c.x[0], ...(c.k === 2 ? [4, 3] : [4, 4]), c.x[3]];
      const r = uniform(yShape, seed++);
      const [expected] = await on('cpu', () => tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xt as T4, c.k, c.s, c.pad), tf.tensor(r, yShape))))(tf.tensor4d(data, c.x)));
      for (const b of ['cpu', 'wasm'] as const) {
        for (const includeBatch of [false, true]) {
          const [actual] = await on(b, () =>
            tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(tf.maxPoolWithArgmax(xt as T4, c.k, c.s, c.pad, includeBatch).result, tf.tensor(r, yShape))))(tf.tensor4d(data, c.x)),
          );
          assertClose(actual!, expected!, `k${c.k}/s${c.s} on ${b}, includeBatchInIndex=${includeBatch}`);
        }
      }
    }
  }
});

test('ScatterNd and GatherNd gradients (hand-computed), and a SegNet unpool chain', async () => {
  // scatterND(indices, updates, [6]) with a repeated index: d/dupdates_i sum(out · r) = r[index_i].
  const idx = [[1], [4], [1], [0]];
  const r = [10, 20, 30, 40, 50, 60];
  for (const b of ['cpu', 'wasm'] as const) {
    const [du] = await on(b, () => tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.scatterND(tf.tensor2d(idx, [4, 1], 'int32'), u, [6]), tf.tensor1d(r))))(tf.tensor1d([1, 2, 3, 4])));
    assert.equal(Array.from(du!), [20, 50, 20, 10], `scatterND on ${b}`);
    // gatherND(params[6], indices) · w: d/dparams = w summed at each index: p1 ← w0 + w2, p4 ← w1, p0 ← w3.
    const w = [1, 2, 3, 4];
    const [dp] = await on(b, () => tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gatherND(p, tf.tensor2d(idx, [4, 1], 'int32')), tf.tensor1d(w))))(tf.tensor1d(r)));
    assert.equal(Array.from(dp!), [4, 4, 0, 0, 2, 0], `gatherND on ${b}`);
  }
  // SegNet unpool: pool with argmax, scatter the pooled values back to their positions.
  // d/dx sum(unpool(pool(x)) · m) = m at each window's first maximum, 0 elsewhere.
  const shape: [number, number, number, number] = [2, 4, 6, 3];
  const x = grid(shape, 9, -2, 1); // ties and all-negative windows
  const m = uniform(shape, 10);
  const [indexes] = await on('cpu', () => tf.maxPoolWithArgmax(tf.tensor4d(x, shape), 2, 2, 'valid', true).indexes);
  const expected = new Float32Array(x.length);
  for (const i of indexes!) expected[i] = m[i]!;
  for (const b of ['cpu', 'wasm'] as const) {
    const [dx] = await on(b, () =>
      tf.grad((xt: tf.Tensor) => {
        const { result, indexes: id } = tf.maxPoolWithArgmax(xt as T4, 2, 2, 'valid', true);
        const unpooled = tf.reshape(tf.scatterND(tf.reshape(id, [-1, 1]), tf.reshape(result, [-1]), [x.length]), shape);
        return tf.sum(tf.mul(unpooled, tf.tensor4d(m, shape)));
      })(tf.tensor4d(x, shape)),
    );
    assertExactlyEqual(dx!, expected, `unpool chain on ${b}`);
  }
});

test('comparison ops have zero gradients (mask unpool: x · [x == up(pool(x))])', async () => {
  const x = grid([12], 3, -2, 2);
  const y = grid([12], 4, -2, 2);
  const ops: Record<(typeof ZERO_GRADIENT_KERNELS)[number], (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
    Equal: tf.equal,
    NotEqual: tf.notEqual,
    Less: tf.less,
    LessEqual: tf.lessEqual,
    Greater: tf.greater,
  };
  for (const b of ['cpu', 'wasm'] as const) {
    for (const [name, op] of Object.entries(ops)) {
      // f = sum(x · [op(x, y)]): df/dx = [op(x, y)] (the comparison is piecewise constant), df/dy = 0.
      const [dx, dy, mask] = await on(b, () => {
        const xt = tf.tensor1d(x);
        const yt = tf.tensor1d(y);
        const [gx, gy] = tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(a, tf.cast(op(a, c), 'float32'))))([xt, yt]);
        return [gx!, gy!, tf.cast(op(xt, yt), 'float32')];
      });
      assertExactlyEqual(dx!, mask!, `${name} on ${b}: dx`);
      assertExactlyEqual(dy!, new Float32Array(12), `${name} on ${b}: dy`);
    }
  }
});

/** A tiny net with every op of tfjs-runtime.md §1e: cpu and wasm must agree on loss and gradients. */
function tinyNet(params: Record<string, tf.Tensor>, x: tf.Tensor4D, labels: tf.Tensor): tf.Scalar {
  const p = params as Record<string, T4>;
  let h: T4 = tf.relu(tf.conv2d(x, p['c1']!, 1, 'same'));
  const { mean, variance } = tf.moments(h, [0, 1, 2]);
  h = tf.batchNorm(h, mean, variance, params['beta']!, params['gamma']!, 1e-5) as T4;
  const dil = tf.relu(tf.conv2d(h, p['c2']!, 1, 'same', 'NHWC', 2));
  const { result: pooled, indexes } = tf.maxPoolWithArgmax(dil, 2, 2, 'valid', true);
  const down = tf.relu(tf.conv2d(pooled as T4, p['c3']!, 2, 'same')) as T4; // [2,2,2,6]
  const up = tf.conv2dTranspose(down, p['t1']!, [2, 4, 4, 6], 2, 'same'); // 4×4/2
  const unpool = tf.reshape(tf.scatterND(tf.reshape(indexes, [-1, 1]), tf.reshape(tf.add(pooled, up), [-1]), [dil.size]), dil.shape);
  const upsampled = tf.reshape(tf.mul(tf.reshape(pooled, [2, 4, 1, 4, 1, 6]), tf.ones([1, 1, 2, 1, 2, 1])), dil.shape);
  const mask = tf.cast(tf.equal(dil, upsampled), 'float32');
  const merged = tf.concat([tf.add(unpool, tf.mul(mask, dil)), h], 3);
  const cropped = tf.slice(merged, [0, 1, 1, 0], [2, 6, 6, 10]) as T4;
  const logits = tf.conv2d(cropped, p['score']!, 1, 'valid'); // [2,6,6,3]
  const flat = tf.reshape(logits, [-1, 3]);
  const weights = tf.gather(tf.tensor1d([1, 2, 0.5]), tf.cast(tf.argMax(labels, 1), 'int32'));
  const ce = tf.losses.softmaxCrossEntropy(labels, flat, weights);
  const l2 = tf.mul(1e-3, tf.addN(Object.values(params).map((t) => tf.sum(tf.square(t)))));
  return tf.add(ce, l2) as tf.Scalar;
}

test('a tiny net with all these ops: wasm loss and gradients equal cpu', async () => {
  const shapes: Record<string, number[]> = { c1: [3, 3, 3, 4], gamma: [4], beta: [4], c2: [3, 3, 4, 6], c3: [3, 3, 6, 6], t1: [4, 4, 6, 6], score: [1, 1, 10, 3] };
  const values = Object.fromEntries(Object.entries(shapes).map(([k, s], i) => [k, k === 'gamma' ? uniform(s, 90 + i, 0.5, 1.5) : uniform(s, 90 + i, -0.5, 0.5)]));
  const x = uniform([2, 8, 8, 3], 70, 0, 1);
  const rand = prng(71);
  const labelValues = Array.from({ length: 72 }, () => Math.floor(3 * rand()));
  const run = () => {
    const params = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, tf.tensor(values[k]!, s)]));
    const names = Object.keys(params);
    const labels = tf.oneHot(tf.tensor1d(labelValues, 'int32'), 3);
    const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) => tinyNet(Object.fromEntries(names.map((n, i) => [n, ts[i]!])), tf.tensor4d(x, [2, 8, 8, 3]), labels))(
      names.map((n) => params[n]!),
    );
    return [value, ...grads];
  };
  const expected = await on('cpu', run);
  const actual = await on('wasm', run);
  assertClose(actual[0]!, expected[0]!, 'loss');
  const names = Object.keys(shapes);
  for (let i = 1; i < expected.length; i++) assertClose(actual[i]!, expected[i]!, `d loss / d ${names[i - 1]}`);
});

test('no leaks through a gradient step', async () => {
  const c = DILATED_CASES[0]!;
  const x = uniform(c.x, 1);
  const w = uniform(c.filter, 2);
  await assertNoLeak(() => {
    const gs = tf.tidy(() => tf.grads((xt: tf.Tensor, wt: tf.Tensor) => tf.sum(tf.conv2d(xt as T4, wt as T4, 1, 'same', 'NHWC', 2)))([tf.tensor4d(x, c.x), tf.tensor4d(w, c.filter)]));
    tf.dispose(gs);
  }, 'dilated conv gradient');
});

test.run();
