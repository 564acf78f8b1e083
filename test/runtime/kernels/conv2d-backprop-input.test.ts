/**
 * wasm `Conv2DBackpropInput` (netc's sub-pixel override, runtime/kernels/conv2d-backprop-input.ts;
 * the native kernel for strides larger than the filter and unequal strides; the product path
 * for filters larger than their columns) against cpu.
 * This kernel is also the forward of conv2dTranspose (FCN's upsampling). Metric: helpers.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropInputByMatMul, conv2dBackpropInputSubPixel, matMulApplies, subPixelApplies } from '../../../runtime/kernels/conv2d-backprop-input.js';
import { assertClose, assertNoLeak, backends, kernelOn, on, uniform } from './helpers.js';
import { CONV_CASES, type ConvCase, attrsOf, outShape } from './conv-cases.js';

function inputsOf(c: ConvCase, seed: number) {
  return { dy: uniform(outShape(c), seed), filter: uniform(c.filter, seed + 1) };
}

function dxOn(b: 'cpu' | 'wasm', c: ConvCase, dy: Float32Array, filter: Float32Array) {
  return kernelOn(b, 'Conv2DBackpropInput', { dy: { shape: outShape(c), values: dy }, filter: { shape: c.filter, values: filter } }, { ...attrsOf(c), inputShape: c.x });
}

test('dX matches cpu for every geometry', async () => {
  let seed = 300;
  for (const c of CONV_CASES) {
    const { dy, filter } = inputsOf(c, (seed += 2));
    const [expected] = await dxOn('cpu', c, dy, filter);
    const [actual] = await dxOn('wasm', c, dy, filter);
    assertClose(actual!, expected!, c.name);
  }
});

test('the sub-pixel path itself is exercised, native only for stride > kernel or unequal strides', async () => {
  await backends();
  await tf.setBackend('wasm');
  const be = tf.backend() as BackendWasm;
  let used = 0;
  for (const c of CONV_CASES) {
    const dy = tf.zeros(outShape(c));
    const filter = tf.zeros(c.filter);
    const applies = subPixelApplies({ ...attrsOf(c), inputShape: c.x }, dy, filter);
    // Native only where most sub-filter taps would be zero (2×2/8: 64 taps, 4 real) or strides differ.
    assert.is(applies, !/stride > kernel|unequal/.test(c.name), c.name);
    if (applies) {
      // Direct call, so that a silent fallback to native could not hide a sub-pixel bug.
      const { dy: dyv, filter: fv } = inputsOf(c, 999);
      const [expected] = await dxOn('cpu', c, dyv, fv);
      await tf.setBackend('wasm');
      const dyt = tf.tensor4d(dyv, outShape(c));
      const ft = tf.tensor4d(fv, c.filter);
      const out = tf.engine().makeTensorFromTensorInfo(conv2dBackpropInputSubPixel(be, dyt, ft, { ...attrsOf(c), inputShape: c.x }));
      assertClose(out.dataSync(), expected!, `${c.name} (sub-pixel)`);
      tf.dispose([dyt, ft, out]);
      used++;
    }
    tf.dispose([dy, filter]);
  }
  assert.ok(used >= 14, `sub-pixel covered only ${used} cases`);
});

/**
 * Filters with more output channels than output pixels (Co > N·Ho·Wo), which take the
 * product path: FCN's fc6 (7×7×512×4096 on 2×2 outputs at 32×32 input) scaled down, plus
 * strides, padding, batch, rounding and a stride larger than the kernel.
 */
const LARGE_FILTER_CASES: ConvCase[] = [
  { name: 'fc6-like 7x7/1 valid', x: [1, 8, 8, 6], filter: [7, 7, 6, 16], strides: 1, pad: 'valid' },
  { name: 'fc6-like 7x7/1 valid, batch 2', x: [2, 7, 7, 3], filter: [7, 7, 3, 8], strides: 1, pad: 'valid' },
  { name: 'fc7-like 1x1', x: [1, 2, 2, 32], filter: [1, 1, 32, 8], strides: 1, pad: 'valid' },
  { name: '3x3/2 same', x: [1, 6, 5, 4], filter: [3, 3, 4, 12], strides: 2, pad: 'same' },
  { name: '3x3/2 explicit', x: [1, 5, 5, 2], filter: [3, 3, 2, 10], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: '3x3/2 pad 1 ceil', x: [1, 6, 6, 2], filter: [3, 3, 2, 20], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { name: '2x2/3 (stride > kernel)', x: [1, 7, 7, 2], filter: [2, 2, 2, 16], strides: 3, pad: 'valid' },
];

test('filters larger than their columns: the product path matches cpu', async () => {
  await backends();
  let seed = 700;
  for (const c of LARGE_FILTER_CASES) {
    const { dy, filter } = inputsOf(c, (seed += 2));
    const [expected] = await dxOn('cpu', c, dy, filter);
    // Through the override (which must choose the product path) and by a direct call, so
    // that a silent fallback could not hide a bug in it.
    const [viaOverride] = await dxOn('wasm', c, dy, filter);
    assertClose(viaOverride!, expected!, `${c.name} (override)`);
    await tf.setBackend('wasm');
    const be = tf.backend() as BackendWasm;
    const dyt = tf.tensor4d(dy, outShape(c));
    const ft = tf.tensor4d(filter, c.filter);
    assert.ok(matMulApplies({ ...attrsOf(c), inputShape: c.x }, dyt, ft), `${c.name}: Co > N·Ho·Wo`);
    const out = tf.engine().makeTensorFromTensorInfo(conv2dBackpropInputByMatMul(be, dyt, ft, { ...attrsOf(c), inputShape: c.x }));
    assert.equal(out.shape, c.x, c.name);
    assertClose(out.dataSync(), expected!, `${c.name} (product)`);
    tf.dispose([dyt, ft, out]);
  }
  // The ordinary cases keep the sub-pixel path: none has more channels than output pixels.
  for (const c of CONV_CASES) {
    assert.not.ok(matMulApplies({ ...attrsOf(c), inputShape: c.x }, { dataId: {}, shape: outShape(c), dtype: 'float32' }, { dataId: {}, shape: c.filter, dtype: 'float32' }), c.name);
  }
});

test('the product path does not copy the filter: fc6 at full size allocates < 1 MiB of tensors', async () => {
  // fc6 of FCN-VGG16 at a 32×32 input: dy [1, 2, 2, 4096], W [7, 7, 512, 4096] (392 MiB).
  // The sub-pixel path allocated two transposed copies of W (plus XNNPACK's packed one,
  // which is C++-side and not counted here): +1.2 GiB of heap, what kept FCN-VGG16 from
  // training on wasm. The product path allocates dyᵀ (64 KiB), colsᵀ (392 KiB) and dx (128 KiB).
  await backends();
  await tf.setBackend('wasm');
  const be = tf.backend() as BackendWasm;
  const filter = tf.fill([7, 7, 512, 4096], 1e-3);
  const dy = tf.fill([1, 2, 2, 4096], 1);
  let allocated = 0;
  const makeOutput = be.makeOutput.bind(be);
  be.makeOutput = (shape, dtype, ...rest) => {
    allocated += shape.reduce((p, d) => p * d, 1) * 4;
    return makeOutput(shape, dtype, ...rest);
  };
  let dx: tf.Tensor;
  try {
    dx = tf.conv2dTranspose(dy as tf.Tensor4D, filter as tf.Tensor4D, [1, 8, 8, 512], 1, 'valid');
  } finally {
    be.makeOutput = makeOutput;
  }
  const values = await dx.data();
  // Each input pixel receives, from every 7×7 window covering it, Σ_co 1e-3 · 1 = 4.096:
  // interior pixel (3, 3) lies in all 4 windows of a valid 7×7 conv on 8×8, corner (0, 0) in one.
  // (Sums of 4096 float32 terms: relative error ≤ 4096·2⁻²⁴ ≈ 2.4e-4; allowed 5e-4.)
  const near = (v: number, e: number) => Math.abs(v - e) <= 5e-4 * e;
  assert.ok(near(values[(3 * 8 + 3) * 512]!, 4 * 4096 * 1e-3), `dx(3,3) = ${values[(3 * 8 + 3) * 512]}`);
  assert.ok(near(values[0]!, 4096 * 1e-3), `dx(0,0) = ${values[0]}`);
  assert.ok(allocated > 0 && allocated < 2 ** 20, `allocated ${(allocated / 2 ** 20).toFixed(1)} MiB of tensors`);
  tf.dispose([filter, dy, dx]);
});

test('conv2dTranspose (FCN bilinear 4×4/2 upsampling) matches a hand-derived value', async () => {
  // One input pixel of value 1 at (1,1) of a 3×3 map, 4×4/2 transposed conv, 'same'
  // (output 6×6), filter = FCN's bilinear kernel for factor 2: f = [0.25, 0.75, 0.75, 0.25]
  // per axis (upsample_filt: 1 − |i − 1.5|/2). tf pads 'same' with total (3−1)·2+4−6 = 2,
  // top = 1, so input (1,1) lands at output rows/cols 2·1 − 1 + a = 1…4: out[1+a][1+b] = f[a]·f[b].
  const f = [0.25, 0.75, 0.75, 0.25];
  const filter = new Float32Array(16);
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) filter[a * 4 + b] = f[a]! * f[b]!;
  const x = new Float32Array(9);
  x[4] = 1;
  const [out] = await on('wasm', () => tf.conv2dTranspose(tf.tensor4d(x, [1, 3, 3, 1]), tf.tensor4d(filter, [4, 4, 1, 1]), [1, 6, 6, 1], 2, 'same'));
  const expected = new Float32Array(36);
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) expected[(1 + a) * 6 + 1 + b] = f[a]! * f[b]!;
  assert.equal(Array.from(out!), Array.from(expected));
});

test('no leaks', async () => {
  for (const c of [CONV_CASES[1]!, CONV_CASES[13]!]) {
    const { dy, filter } = inputsOf(c, 5);
    await assertNoLeak(() => {
      const out = tf.tidy(() =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor4d(dy, outShape(c)), filter: tf.tensor4d(filter, c.filter) }, { ...attrsOf(c), inputShape: c.x }) as tf.Tensor,
      );
      out.dispose();
    }, c.name);
  }
});

test.run();
