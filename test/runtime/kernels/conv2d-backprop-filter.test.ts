/**
 * wasm `Conv2DBackpropFilter` (netc's, runtime/kernels/conv2d-backprop-filter.ts) against the
 * cpu backend's kernel, for both strategies (im2col, conv of transposed tensors) and the
 * automatic choice. Dilated cases: the reference is cpu's filter gradient for the filter with
 * explicit zeros between its taps (an ordinary conv computing the same function), read at the
 * real taps. Error metric and bound: helpers.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilter, type FilterGradStrategy } from '../../../runtime/kernels/conv2d-backprop-filter.js';
import { assertClose, assertNoLeak, backends, kernelOn, uniform } from './helpers.js';
import { CONV_CASES, DILATED_CASES, type ConvCase, attrsOf, dilatedFilterShape, outShape, undilateFilter } from './conv-cases.js';

async function wasmStrategy(c: ConvCase, x: Float32Array, dy: Float32Array, strategy: FilterGradStrategy): Promise<Float32Array> {
  await backends();
  await tf.setBackend('wasm');
  const be = tf.backend() as BackendWasm;
  const xt = tf.tensor4d(x, c.x);
  const dyt = tf.tensor4d(dy, outShape(c));
  const attrs = { ...attrsOf(c), filterShape: c.filter, dilations: c.dilations ?? 1 };
  const info = conv2dBackpropFilter(be, xt, dyt, attrs, strategy);
  const out = tf.engine().makeTensorFromTensorInfo(info);
  const values = Float32Array.from(out.dataSync());
  tf.dispose([xt, dyt, out]);
  return values;
}

function inputsOf(c: ConvCase, seed: number) {
  return { x: uniform(c.x, seed), dy: uniform(outShape(c), seed + 1) };
}

test('dW matches cpu for every geometry, both strategies', async () => {
  let seed = 10;
  for (const c of CONV_CASES) {
    const { x, dy } = inputsOf(c, (seed += 2));
    const [expected] = await kernelOn('cpu', 'Conv2DBackpropFilter', { x: { shape: c.x, values: x }, dy: { shape: outShape(c), values: dy } }, { ...attrsOf(c), filterShape: c.filter });
    const [auto] = await kernelOn('wasm', 'Conv2DBackpropFilter', { x: { shape: c.x, values: x }, dy: { shape: outShape(c), values: dy } }, { ...attrsOf(c), filterShape: c.filter });
    assertClose(auto!, expected!, `${c.name} (registered kernel)`);
    assertClose(await wasmStrategy(c, x, dy, 'transposed-conv'), expected!, `${c.name} (transposed conv)`);
    const [sh, sw] = typeof c.strides === 'number' ? [c.strides, c.strides] : c.strides;
    if (sh === 1 && sw === 1) assertClose(await wasmStrategy(c, x, dy, 'im2col'), expected!, `${c.name} (im2col)`);
  }
});

test('dW of dilated convs (dilations attribute) matches cpu on the zero-inserted filter', async () => {
  let seed = 100;
  for (const c of DILATED_CASES) {
    const { x, dy } = inputsOf(c, (seed += 2));
    const dense: ConvCase = { ...c, filter: dilatedFilterShape(c), dilations: 1 };
    const [full] = await kernelOn('cpu', 'Conv2DBackpropFilter', { x: { shape: c.x, values: x }, dy: { shape: outShape(c), values: dy } }, { ...attrsOf(dense), filterShape: dense.filter });
    const expected = undilateFilter(full!, c);
    assertClose(await wasmStrategy(c, x, dy, 'im2col'), expected, `${c.name} (im2col)`);
    assertClose(await wasmStrategy(c, x, dy, 'transposed-conv'), expected, `${c.name} (transposed conv)`);
  }
});

test('a hand-derived filter gradient: 1 image, 3×3 input, 2×2 filter, stride 1, valid', async () => {
  // x = [[1,2,3],[4,5,6],[7,8,9]], dy = [[1,0],[0,2]] (Ho = Wo = 2).
  // dW[a,b] = Σ_{i,j} x[i+a, j+b]·dy[i,j] = x[a,b] + 2·x[a+1,b+1]:
  //   dW[0,0] = 1 + 2·5 = 11, dW[0,1] = 2 + 2·6 = 14, dW[1,0] = 4 + 2·8 = 20, dW[1,1] = 5 + 2·9 = 23.
  const [dw] = await kernelOn(
    'wasm',
    'Conv2DBackpropFilter',
    { x: { shape: [1, 3, 3, 1], values: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, dy: { shape: [1, 2, 2, 1], values: [1, 0, 0, 2] } },
    { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [2, 2, 1, 1] },
  );
  assert.equal(Array.from(dw!), [11, 14, 20, 23]);
});

test('no leaks: engine tensors and wasm data ids stay flat', async () => {
  for (const c of [CONV_CASES[0]!, CONV_CASES[1]!]) {
    const { x, dy } = inputsOf(c, 7);
    await assertNoLeak(() => {
      const out = tf.tidy(() =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, c.x), dy: tf.tensor4d(dy, outShape(c)) }, { ...attrsOf(c), filterShape: c.filter }) as tf.Tensor,
      );
      out.dispose();
    }, c.name);
  }
});

test.run();
