/**
 * `maxpool` on the runtime: values on all-negative windows (wasm's native kernels start the
 * running max at +1.18e-38, tfjs-runtime.md §1b), Caffe's ceil mode, the gradient going to the
 * first of tied maxima (Caffe, PyTorch), and wasm vs cpu including overlapping, padded windows
 * (with and without an unpool link, which makes it keep indices).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, runWithGradients, use } from './helpers.js';

test('all-negative windows give their true maximum', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [2, 4, 1]  output y = x |> maxpool(2) }');
  const y = (await forwardValues(typed, { shape: [1, 2, 4, 1], data: Float32Array.of(-1, -2, -5, -6, -3, -4, -7, -8) })).get('y')!;
  // Windows [-1, -2; -3, -4] and [-5, -6; -7, -8] (wasm's native kernel returns 1.18e-38 for both).
  assertClose(y.data, [-1, -5], 0, 'maxima');
});

test("ceil mode keeps the clipped last window (Caffe): [1, 2, 3, 4, 5] pooled by 2 gives [2, 4, 5]", async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [1, 5, 1]  output y = x |> maxpool((1, 2), ceil: true) }');
  const y = (await forwardValues(typed, { shape: [1, 1, 5, 1], data: Float32Array.of(1, 2, 3, 4, 5) })).get('y')!;
  assert.equal(y.shape, [1, 1, 3, 1]); // ceil((5 - 2)/2) + 1 = 3
  assertClose(y.data, [2, 4, 5], 0, 'ceil mode');
});

test('the gradient goes to the first of tied maxima, in row-major window order', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [2, 4, 1]  output y = x |> maxpool(2) }');
  // Window 1: [3, 3; 1, 1] (tie in row 0); window 2: [0, 0; 0, 0] (all tied, after a ReLU).
  const r = await runWithGradients(typed, { shape: [1, 2, 4, 1], data: Float32Array.of(3, 3, 0, 0, 1, 1, 0, 0) }, {});
  assertClose(r.gradInput, [1, 0, 1, 0, 0, 0, 0, 0], 0, 'dL/dx');
});

for (const [what, spec, shape] of [
  ['2x2, odd size (floor drops a row)', 'x |> maxpool(2)', [2, 5, 5, 3]],
  ['3/2 pad 1 ceil (overlapping, padded)', 'x |> maxpool(3, stride: 2, pad: 1, ceil: true)', [2, 7, 6, 2]],
  ['2/2 pad 1 ceil with the clip rule', 'x |> maxpool(2, pad: 1, ceil: true)', [2, 7, 7, 2]],
  ['pad: same, stride 2', 'x |> maxpool(3, stride: 2, pad: same)', [2, 6, 5, 2]],
  ['linked (keeps indices), padded, overlapping', 'x |> maxpool(3, stride: 2, pad: 1) as p |> conv(2, 1) |> unpool(p)', [2, 7, 6, 2]],
] as const) {
  test(`wasm matches cpu: ${what}`, async () => {
    const typed = compileText(`network t() { input x: [${shape[1]}, ${shape[2]}, ${shape[3]}]  output y = ${spec} }`);
    const { errors } = await compareBackends(typed, shape);
    assertBackendsAgree(errors, what);
  });
}

test.run();
