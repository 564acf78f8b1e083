/**
 * The loss against hand-computed values (paper-architectures.md §1.4 "Loss semantics", §5.10:
 * caffe-segnet divides the class-weighted sum by the NUMBER of non-ignored pixels).
 */
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initBackend } from '../../../runtime/backend.js';
import { LabelError, prepareLabels, softmaxCrossEntropy } from '../../../runtime/train/loss.js';

await initBackend({ name: 'cpu', env: {} });

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

// Three pixels of a [1, 1, 3, 3] map (3 classes):
//   a: z = [0, 0, 0], label 1:  −log p1 = ln 3                        = 1.0986122886681098
//   b: z = [1, 2, 3], label 0:  −log p0 = log(e + e² + e³) − 1
//                                       = 3 + ln(1 + e⁻¹ + e⁻²) − 1   = 2.4076059644443806
//   c: label 255 (ignored), whatever its logits.
// With weights [0.5, 2, 1]: (2·1.0986122887 + 0.5·2.4076059644) / 2 pixels = 1.7005137798
// (dividing by the weight sum 2.5 instead would give 1.3604110238, which Caffe does not do).
const logits = [0, 0, 0, 1, 2, 3, 100, -100, 0];
const labels = Int32Array.from([1, 0, 255]);

test('unweighted: the mean of −log p over non-ignored pixels', () => {
  const z = tf.tensor4d(logits, [1, 1, 3, 3]);
  const loss = softmaxCrossEntropy(z, labels);
  close(loss.dataSync()[0]!, (1.0986122886681098 + 2.4076059644443806) / 2);
  tf.dispose([z, loss]);
});

test('class weights: Σ w·(−log p) divided by the NUMBER of non-ignored pixels', () => {
  const z = tf.tensor4d(logits, [1, 1, 3, 3]);
  const loss = softmaxCrossEntropy(z, labels, { classWeights: [0.5, 2, 1] });
  close(loss.dataSync()[0]!, 1.7005137798);
  tf.dispose([z, loss]);
});

test('gradient: w·(p − onehot) / count per pixel, zero for ignored pixels', () => {
  const z = tf.tensor4d(logits, [1, 1, 3, 3]);
  const g = tf.grad((x: tf.Tensor) => softmaxCrossEntropy(x, labels, { classWeights: [0.5, 2, 1] }))(z);
  const d = g.dataSync();
  // a: 2·([1/3, 1/3, 1/3] − [0, 1, 0]) / 2 = [1/3, −2/3, 1/3]
  close(d[0]!, 1 / 3);
  close(d[1]!, -2 / 3);
  close(d[2]!, 1 / 3);
  // b: 0.5·(softmax([1,2,3]) − [1, 0, 0]) / 2; softmax = [0.09003057, 0.24472847, 0.66524096]
  close(d[3]!, 0.25 * (0.09003057317038046 - 1));
  close(d[4]!, 0.25 * 0.24472847105479764);
  close(d[5]!, 0.25 * 0.6652409557748219);
  for (let i = 6; i < 9; i++) assert.is(d[i], 0);
  tf.dispose([z, g]);
});

test('numerically stable: logits of ±1000 give finite values (naive softmax overflows)', () => {
  const z = tf.tensor4d([1000, 0, -1000, 1000], [1, 1, 2, 2]);
  // pixel 0: label 1, −log p1 = 1000 − 0 = 1000 (to float32 precision); pixel 1: label 1 → ~0.
  const loss = softmaxCrossEntropy(z, Int32Array.from([1, 1]));
  close(loss.dataSync()[0]!, 500, 1e-6);
  tf.dispose([z, loss]);
});

test('classification: [N, 1, 1, C] scores with labels [N]', () => {
  const z = tf.tensor4d([0, 0, 0, 1, 2, 3], [2, 1, 1, 3]);
  const loss = softmaxCrossEntropy(z, Int32Array.from([1, 0]));
  close(loss.dataSync()[0]!, (1.0986122886681098 + 2.4076059644443806) / 2);
  tf.dispose([z, loss]);
});

test('a batch with every pixel ignored gives 0, not NaN', () => {
  const z = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
  const loss = softmaxCrossEntropy(z, Int32Array.from([255, 255]));
  assert.is(loss.dataSync()[0], 0);
  tf.dispose([z, loss]);
});

test('prepareLabels maps the spec\'s ignore label to 255, counts the rest, rejects non-classes', () => {
  const p = prepareLabels(Int32Array.from([0, 11, 3, 255, 10]), 11, 11);
  assert.equal(Array.from(p.labels), [0, 255, 3, 255, 10]);
  assert.is(p.counted, 3);
  const unchanged = Int32Array.from([0, 1]);
  assert.is(prepareLabels(unchanged, 2).labels, unchanged);
  assert.throws(() => prepareLabels(Int32Array.from([0, 7]), 3), (e: unknown) => e instanceof LabelError && /label value 7 .* 3 classes \(0\.\.2\)/.test((e as Error).message));
  const z = tf.tensor4d([0, 0, 0, 0], [1, 1, 2, 2]);
  assert.throws(() => softmaxCrossEntropy(z, Int32Array.from([0, 2])), /label value 2/);
  z.dispose();
});

test.run();
