/**
 * wasm `MaxPoolWithArgmax` and `MaxPoolGrad` (netc's overrides) and the op-level composite
 * registered for the `tensorflow` backend, against the cpu backend. wasm's native kernels
 * start their running max at FLT_MIN, so windows whose values are all ≤ 0 come out wrong,
 * and ties go to the last maximum (tfjs-runtime.md §1b); the data below target exactly that:
 * all-negative windows, all-zero windows (ReLU output) and many ties.
 * Max-pooling only copies values, so results must be exactly equal, not just close (except
 * gradients of overlapping windows, where shared maxima sum in a different order).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { maxPoolWithArgmaxOps } from '../../../runtime/kernels/max-pool-with-argmax-composite.js';
import { assertClose, assertExactlyEqual, assertNoLeak, grid, kernelOn, on, uniform } from './helpers.js';

interface PoolCase {
  name: string;
  x: [number, number, number, number];
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same';
}

const CASES: PoolCase[] = [
  { name: '2x2/2 valid, batch 2 (SegNet/VGG)', x: [2, 8, 6, 3], filterSize: 2, strides: 2, pad: 'valid' },
  { name: '2x2/2 same, odd sizes (partial windows)', x: [1, 9, 7, 2], filterSize: 2, strides: 2, pad: 'same' },
  { name: '2x2/2 valid, odd sizes (row dropped)', x: [1, 9, 7, 2], filterSize: 2, strides: 2, pad: 'valid' },
  { name: '3x3/3 valid (OverFeat)', x: [1, 9, 10, 2], filterSize: 3, strides: 3, pad: 'valid' },
  { name: '2x3/[2,3] non-square', x: [2, 6, 9, 2], filterSize: [2, 3], strides: [2, 3], pad: 'valid' },
  { name: '3x3/2 valid (overlapping)', x: [1, 9, 9, 2], filterSize: 3, strides: 2, pad: 'valid' },
  { name: '3x3/3 same with top padding', x: [2, 7, 7, 2], filterSize: 3, strides: 3, pad: 'same' },
  { name: '4x4/4 valid, 32x32', x: [1, 32, 32, 4], filterSize: 4, strides: 4, pad: 'valid' },
  { name: '2x2/1 same (overlapping, bottom/right padding)', x: [2, 5, 6, 3], filterSize: 2, strides: 1, pad: 'same' },
];

const DATA: { name: string; make: (shape: number[], seed: number) => Float32Array }[] = [
  { name: 'uniform', make: (s, seed) => uniform(s, seed) },
  { name: 'all negative', make: (s, seed) => uniform(s, seed, -3, -0.5) },
  { name: 'ties on {-1, 0, 1}', make: (s, seed) => grid(s, seed, -1, 1) },
  { name: 'ReLU output with zero windows', make: (s, seed) => grid(s, seed, -3, 1).map((v) => Math.max(v, 0)) },
];

function attrs(c: PoolCase, includeBatchInIndex: boolean): tf.NamedAttrMap {
  return { filterSize: c.filterSize, strides: c.strides, pad: c.pad, includeBatchInIndex };
}

test('MaxPoolWithArgmax: values and indexes equal cpu (all data kinds, with/without batch in index)', async () => {
  let seed = 1;
  for (const c of CASES) {
    for (const d of DATA) {
      for (const includeBatch of [false, true]) {
        const x = d.make(c.x, seed++);
        const input = { x: { shape: c.x, values: x } };
        const [ev, ei] = await kernelOn('cpu', 'MaxPoolWithArgmax', input, attrs(c, includeBatch));
        const [av, ai] = await kernelOn('wasm', 'MaxPoolWithArgmax', input, attrs(c, includeBatch));
        const what = `${c.name}, ${d.name}, includeBatchInIndex=${includeBatch}`;
        assertExactlyEqual(av!, ev!, `${what}: values`);
        assertExactlyEqual(ai!, ei!, `${what}: indexes`);
      }
    }
  }
});

test('MaxPoolWithArgmax composite (tensorflow backend) equals the cpu kernel on cpu and wasm', async () => {
  let seed = 500;
  for (const c of CASES) {
    for (const d of DATA) {
      const includeBatch = seed % 2 === 0;
      const x = d.make(c.x, seed++);
      const [ev, ei] = await kernelOn('cpu', 'MaxPoolWithArgmax', { x: { shape: c.x, values: x } }, attrs(c, includeBatch));
      for (const b of ['cpu', 'wasm'] as const) {
        const [av, ai] = await on(b, () => maxPoolWithArgmaxOps(tf.tensor4d(x, c.x), c.filterSize, c.strides, c.pad, includeBatch));
        assertExactlyEqual(av!, ev!, `${c.name}, ${d.name}, on ${b}: values`);
        assertExactlyEqual(ai!, ei!, `${c.name}, ${d.name}, on ${b}: indexes`);
      }
    }
  }
});

test('MaxPoolGrad: dx equals cpu', async () => {
  let seed = 900;
  for (const c of CASES) {
    for (const d of DATA) {
      const x = d.make(c.x, seed++);
      const y = await on('cpu', () => tf.maxPool(tf.tensor4d(x, c.x), c.filterSize, c.strides, c.pad));
      const yShape = await on('cpu', () => tf.tensor1d(tf.maxPool(tf.zeros(c.x) as tf.Tensor4D, c.filterSize, c.strides, c.pad).shape));
      const dyShape = Array.from(yShape[0]!);
      const dy = uniform(dyShape, seed++);
      const inputs = { dy: { shape: dyShape, values: dy }, input: { shape: c.x, values: x }, output: { shape: dyShape, values: y[0]! } };
      const a = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
      const [expected] = await kernelOn('cpu', 'MaxPoolGrad', inputs, a);
      const [actual] = await kernelOn('wasm', 'MaxPoolGrad', inputs, a);
      const overlapping = c.filterSize !== c.strides;
      if (overlapping) assertClose(actual!, expected!, `${c.name}, ${d.name}`);
      else assertExactlyEqual(actual!, expected!, `${c.name}, ${d.name}`);
    }
  }
});

test('hand-derived: all-negative windows and ties', async () => {
  // x (1×2×4×1) = [[-1,-2,-5,-6],[-3,-4,-7,-8]], 2×2/2: left window {-1,-2,-3,-4} → -1 at
  // flat index 0; right window {-5,-6,-7,-8} → -5 at index 2. (Native wasm: 1.18e-38, index 0.)
  const x = { x: { shape: [1, 2, 4, 1], values: [-1, -2, -5, -6, -3, -4, -7, -8] } };
  const [v, i] = await kernelOn('wasm', 'MaxPoolWithArgmax', x, { filterSize: 2, strides: 2, pad: 'valid', includeBatchInIndex: false });
  assert.equal(Array.from(v!), [-1, -5]);
  assert.equal(Array.from(i!), [0, 2]);
  // A window of four equal values: the first (row-major) wins, index 0; likewise for zeros.
  const [, tie] = await kernelOn('wasm', 'MaxPoolWithArgmax', { x: { shape: [1, 2, 4, 1], values: [3, 3, 0, 0, 3, 3, 0, 0] } }, { filterSize: 2, strides: 2, pad: 'valid' });
  assert.equal(Array.from(tie!), [0, 2]);
  // Gradient: dy = [10, 20] goes to the first maxima: dx = [10,0,20,0, 0,0,0,0].
  // (Native wasm gives no gradient at all to these all-negative windows.)
  const [dx] = await kernelOn(
    'wasm',
    'MaxPoolGrad',
    { dy: { shape: [1, 1, 2, 1], values: [10, 20] }, input: { shape: [1, 2, 4, 1], values: [-1, -2, -5, -6, -3, -4, -7, -8] }, output: { shape: [1, 1, 2, 1], values: [-1, -5] } },
    { filterSize: 2, strides: 2, pad: 'valid' },
  );
  assert.equal(Array.from(dx!), [10, 0, 20, 0, 0, 0, 0, 0]);
});

test('no leaks', async () => {
  const c = CASES[1]!;
  const x = uniform(c.x, 3);
  await assertNoLeak(() => {
    const outs = tf.tidy(() => {
      const xt = tf.tensor4d(x, c.x);
      const r = tf.maxPoolWithArgmax(xt, c.filterSize, c.strides, c.pad);
      const g = tf.grad((t) => tf.sum(tf.maxPool(t as tf.Tensor4D, c.filterSize, c.strides, c.pad)))(xt);
      return [r.result, r.indexes, g];
    });
    tf.dispose(outs);
  }, 'maxPoolWithArgmax + maxPool gradient');
});

test.run();
