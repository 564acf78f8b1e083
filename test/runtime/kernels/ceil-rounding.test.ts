/**
 * wasm `Conv2D` / `FusedConv2D` / `MaxPool` with a numeric pad and `dimRoundingMode` (Caffe-style ceil
 * pooling): native wasm leaves the extra output row/column unwritten; netc's override pads
 * explicitly. Reference: the cpu backend. Metric: helpers.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { assertClose, assertExactlyEqual, assertNoLeak, on, uniform } from './helpers.js';

type T4 = tf.Tensor4D;
const CASES = [
  { x: [2, 8, 8, 3] as [number, number, number, number], k: 3, s: 2, pad: 0, rounding: 'ceil' as const },
  { x: [1, 9, 7, 2] as [number, number, number, number], k: 2, s: 2, pad: 0, rounding: 'ceil' as const }, // SegNet-style odd sizes
  { x: [1, 10, 11, 2] as [number, number, number, number], k: 3, s: 2, pad: 1, rounding: 'ceil' as const },
  { x: [1, 8, 8, 2] as [number, number, number, number], k: 3, s: 2, pad: 0, rounding: 'round' as const },
  { x: [1, 9, 9, 2] as [number, number, number, number], k: 3, s: 2, pad: 0, rounding: 'ceil' as const }, // ceil = floor here
];

test('maxPool and conv2d with rounding: values and gradients equal cpu', async () => {
  let seed = 1;
  for (const c of CASES) {
    const x = uniform(c.x, seed++, -2, 0.5);
    const w = uniform([c.k, c.k, c.x[3], 4], seed++);
    const f = () => {
      const xt = tf.tensor4d(x, c.x);
      const wt = tf.tensor4d(w, [c.k, c.k, c.x[3], 4]);
      const pooled = tf.maxPool(xt, c.k, c.s, c.pad, c.rounding);
      const conv = tf.conv2d(xt, wt, c.s, c.pad, 'NHWC', 1, c.rounding);
      const fused = tf.fused.conv2d({ x: xt, filter: wt, strides: c.s, pad: c.pad, dimRoundingMode: c.rounding, bias: tf.ones([4]), activation: 'relu' });
      const [dxPool] = tf.grads((a: tf.Tensor) => tf.sum(tf.square(tf.maxPool(a as T4, c.k, c.s, c.pad, c.rounding))))([xt]);
      const [dxConv, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as T4, b as T4, c.s, c.pad, 'NHWC', 1, c.rounding))))([xt, wt]);
      return [pooled, conv, dxPool!, dxConv!, dw!, fused];
    };
    const expected = await on('cpu', f);
    const actual = await on('wasm', f);
    const what = `${c.k}x${c.k}/${c.s} pad ${c.pad} ${c.rounding} on ${c.x}`;
    assertExactlyEqual(actual[0]!, expected[0]!, `${what}: maxPool`);
    assertClose(actual[1]!, expected[1]!, `${what}: conv2d`);
    assertClose(actual[2]!, expected[2]!, `${what}: maxPool dx`);
    assertClose(actual[3]!, expected[3]!, `${what}: conv2d dx`);
    assertClose(actual[4]!, expected[4]!, `${what}: conv2d dW`);
    assertClose(actual[5]!, expected[5]!, `${what}: fused conv2d + bias + relu`);
  }
});

test('hand-derived: 3×3/2 ceil max-pool of a 4×4 ramp', async () => {
  // x[i][j] = 4i + j. Windows start at rows/cols 0 and 2 (ceil((4−3)/2) + 1 = 2 outputs); the
  // second window is cut at the border: maxima x[2][2] = 10, x[2][3] = 11, x[3][2] = 14, x[3][3] = 15.
  const [y] = await on('wasm', () => tf.maxPool(tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]), 3, 2, 0, 'ceil'));
  assert.equal(Array.from(y!), [10, 11, 14, 15]);
});

test('no leaks', async () => {
  const c = CASES[0]!;
  const x = uniform(c.x, 1);
  await assertNoLeak(() => tf.tidy(() => tf.maxPool(tf.tensor4d(x, c.x), c.k, c.s, c.pad, c.rounding)).dispose(), 'maxPool ceil');
});

test.run();
