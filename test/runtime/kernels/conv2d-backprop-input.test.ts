/**
 * wasm `Conv2DBackpropInput` (netc's sub-pixel override, runtime/kernels/conv2d-backprop-input.ts;
 * the native kernel for strides larger than the filter and unequal strides) against cpu.
 * This kernel is also the forward of conv2dTranspose (FCN's upsampling). Metric: helpers.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropInputSubPixel, subPixelApplies } from '../../../runtime/kernels/conv2d-backprop-input.js';
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
