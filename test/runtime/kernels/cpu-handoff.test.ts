/**
 * Kernels wasm lacks that netc hands to the cpu backend (runtime/kernels/cpu-handoff.ts):
 * `UnsortedSegmentSum` (the gradient of gather) and the depthwise conv backprops, plus the
 * hand-off's dtype conversion (cpu stores MaxPoolWithArgmax's int32 indexes as float32).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { assertClose, assertNoLeak, on, uniform } from './helpers.js';

test('gather gradient (UnsortedSegmentSum) matches cpu, with repeated indices', async () => {
  const params = uniform([6, 4], 1);
  // Index 2 appears three times: its gradient row is the sum of three dy rows.
  const indices = [2, 0, 2, 5, 2];
  const f = () => tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, tf.tensor1d(indices, 'int32')), tf.reshape(tf.range(1, 21), [5, 4]))))(tf.tensor2d(params, [6, 4]));
  const [expected] = await on('cpu', f);
  const [actual] = await on('wasm', f);
  assertClose(actual!, expected!, 'gather gradient');
  // Hand check of row 2: dy rows 0, 2, 4 are 1..4, 9..12, 17..20 → sums 27, 30, 33, 36.
  assert.equal(Array.from(actual!.slice(8, 12)), [27, 30, 33, 36]);
});

test('depthwiseConv2d gradients (DepthwiseConv2dNativeBackpropInput/Filter) match cpu', async () => {
  const x = uniform([2, 7, 6, 3], 3);
  const w = uniform([3, 3, 3, 2], 4);
  for (const [stride, pad] of [[1, 'same'], [2, 'valid']] as const) {
    const f = () =>
      tf.grads((xt: tf.Tensor, wt: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, stride, pad))))([
        tf.tensor4d(x, [2, 7, 6, 3]),
        tf.tensor4d(w, [3, 3, 3, 2]),
      ]);
    const expected = await on('cpu', f);
    const actual = await on('wasm', f);
    assertClose(actual[0]!, expected[0]!, `dx stride ${stride}`);
    assertClose(actual[1]!, expected[1]!, `dW stride ${stride}`);
  }
});

test('no leaks', async () => {
  const params = uniform([6, 4], 1);
  await assertNoLeak(() => {
    tf.tidy(() => tf.grad((p: tf.Tensor) => tf.sum(tf.gather(p, tf.tensor1d([1, 1, 3], 'int32'))))(tf.tensor2d(params, [6, 4]))).dispose();
  }, 'gather gradient');
});

test.run();
