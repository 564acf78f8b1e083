/**
 * wasm `BatchMatMul` (netc's override for transposed operands, which rewrites them into
 * XNNPACK's untransposed batch-1 product) against the cpu backend. The shapes include a
 * dense layer's two gradients: dx = dy·Wᵀ (transposeB, big B: computed as (W·dyᵀ)ᵀ) and
 * dW = xᵀ·dy (transposeA, small A: A transposed first). Metric: helpers.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { assertClose, assertNoLeak, kernelOn, on, uniform } from './helpers.js';

interface MatMulCase {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const CASES: MatMulCase[] = [];
for (const transposeA of [false, true]) {
  for (const transposeB of [false, true]) {
    // rank 2, m=7 k=33 n=5
    CASES.push({ a: transposeA ? [33, 7] : [7, 33], b: transposeB ? [5, 33] : [33, 5], transposeA, transposeB });
    // rank 3, batch 1
    CASES.push({ a: transposeA ? [1, 20, 9] : [1, 9, 20], b: transposeB ? [1, 11, 20] : [1, 20, 11], transposeA, transposeB });
    // batch 2 (the native kernel's path)
    CASES.push({ a: transposeA ? [2, 6, 4] : [2, 4, 6], b: transposeB ? [2, 3, 6] : [2, 6, 3], transposeA, transposeB });
  }
}
// Dense-layer gradients: x [4, 300], W [300, 70], dy [4, 70].
CASES.push({ a: [4, 70], b: [300, 70], transposeA: false, transposeB: true }); // dx = dy·Wᵀ
CASES.push({ a: [4, 300], b: [4, 70], transposeA: true, transposeB: false }); // dW = xᵀ·dy
CASES.push({ a: [70, 4], b: [300, 70], transposeA: true, transposeB: true });

test('BatchMatMul with every transpose combination matches cpu', async () => {
  let seed = 40;
  for (const c of CASES) {
    const inputs = { a: { shape: c.a, values: uniform(c.a, seed++) }, b: { shape: c.b, values: uniform(c.b, seed++) } };
    const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
    const [expected] = await kernelOn('cpu', 'BatchMatMul', inputs, attrs);
    const [actual] = await kernelOn('wasm', 'BatchMatMul', inputs, attrs);
    assertClose(actual!, expected!, `a=${c.a} b=${c.b} tA=${c.transposeA} tB=${c.transposeB}`);
  }
});

test('output shape keeps the operands rank', async () => {
  const shapes = await on('wasm', () => {
    const a = tf.ones([1, 3, 4]);
    const b = tf.ones([1, 5, 4]);
    return tf.tensor1d(tf.matMul(a, b, false, true).shape);
  });
  assert.equal(Array.from(shapes[0]!), [1, 3, 5]);
});

test('hand-derived: [[1,2],[3,4]]ᵀ · [[5],[6]] = [[23],[34]]', async () => {
  // Aᵀ = [[1,3],[2,4]]; [1·5 + 3·6, 2·5 + 4·6] = [23, 34].
  const [r] = await kernelOn('wasm', 'BatchMatMul', { a: { shape: [2, 2], values: [1, 2, 3, 4] }, b: { shape: [2, 1], values: [5, 6] } }, { transposeA: true, transposeB: false });
  assert.equal(Array.from(r!), [23, 34]);
});

test('dense-layer gradients through tf.grads match cpu', async () => {
  const x = uniform([4, 300], 1);
  const w = uniform([300, 70], 2);
  const f = () => tf.grads((xt: tf.Tensor, wt: tf.Tensor) => tf.sum(tf.square(tf.matMul(xt, wt))))([tf.tensor2d(x, [4, 300]), tf.tensor2d(w, [300, 70])]);
  const expected = await on('cpu', f);
  const actual = await on('wasm', f);
  assertClose(actual[0]!, expected[0]!, 'dx');
  assertClose(actual[1]!, expected[1]!, 'dW');
});

test('no leaks', async () => {
  for (const c of CASES.slice(-3)) {
    const a = uniform(c.a, 1);
    const b = uniform(c.b, 2);
    await assertNoLeak(() => {
      tf.tidy(() => tf.matMul(tf.tensor(a, c.a), tf.tensor(b, c.b), c.transposeA, c.transposeB)).dispose();
    }, `a=${c.a} b=${c.b}`);
  }
});

test.run();
