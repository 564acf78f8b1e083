/**
 * `conv` on the runtime: hand-computed values (explicit and TensorFlow `same` padding, which
 * the contract resolves to asymmetric numbers), the stride-and-dilation path, and wasm vs cpu
 * for grouped, dilated, rectangular and asymmetric cases (forward and every gradient).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, seeded, use, weightsOf } from './helpers.js';

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i + 1);

test('3x3 ones kernel, pad 1: each output is its neighbourhood sum plus the bias', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [3, 3, 1]  output y = x |> conv(1, 3, pad: 1) as c }');
  const weights = weightsOf({ 'c/kernel': { shape: [3, 3, 1, 1], values: new Array(9).fill(1) }, 'c/bias': { shape: [1], values: [0.5] } });
  const y = (await forwardValues(typed, { shape: [1, 3, 3, 1], data: iota(9) }, { weights })).get('y')!;
  // Input 1..9 row-major; e.g. the corner sums 1+2+4+5 = 12, the centre 1+...+9 = 45.
  assertClose(y.data, [12, 21, 16, 27, 45, 33, 24, 39, 28].map((v) => v + 0.5), 0, 'neighbourhood sums');
});

test('pad: same with stride 2 on an even size pads only at the bottom/right (TensorFlow rule)', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [4, 4, 1]  output y = x |> conv(1, 3, stride: 2, pad: same, bias: false) as c }');
  assert.equal(typed.nodes.get(typed.graph.outputs[0]!.node)!.info['padding'], { top: 0, bottom: 1, left: 0, right: 1 });
  const weights = weightsOf({ 'c/kernel': { shape: [3, 3, 1, 1], values: new Array(9).fill(1) } });
  const y = (await forwardValues(typed, { shape: [1, 4, 4, 1], data: iota(16) }, { weights })).get('y')!;
  // Windows rows/cols {0,1,2} and {2,3,pad}: 1+2+3+5+6+7+9+10+11 = 54, 3+4+7+8+11+12 = 45,
  // 9+10+11+13+14+15 = 72, 11+12+15+16 = 54.
  assert.equal(y.shape, [1, 2, 2, 1]);
  assertClose(y.data, [54, 45, 72, 54], 0, 'same padding');
});

test('stride 2 with dilation 2 equals the stride-1 dilated output at even positions', async () => {
  await use('wasm');
  const strided = compileText('network t() { input x: [9, 8, 2]  output y = x |> conv(3, 3, stride: 2, dilation: 2, pad: 2) as c }');
  const dense = compileText('network t() { input x: [9, 8, 2]  output y = x |> conv(3, 3, dilation: 2, pad: 2) as c }');
  const input = seeded([2, 9, 8, 2], 3);
  const weights = weightsOf({ 'c/kernel': { shape: [3, 3, 2, 3], values: seeded([54], 4).data }, 'c/bias': { shape: [3], values: [0.1, -0.2, 0.3] } });
  const a = (await forwardValues(strided, input, { weights })).get('y')!;
  const b = (await forwardValues(dense, input, { weights })).get('y')!;
  assert.equal(a.shape, [2, 5, 4, 3]); // (9 + 4 - 4 - 1)/2 + 1 = 5, (8 + 4 - 5)/2 + 1 = 4
  const picked: number[] = [];
  for (let n = 0; n < 2; n++) for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) for (let c = 0; c < 3; c++) picked.push(b.data[((n * 9 + 2 * i) * 8 + 2 * j) * 3 + c]!);
  assertClose(a.data, picked, 1e-5, 'subsampled');
});

for (const [what, layer, shape] of [
  ['grouped, dilated, explicit pad', 'conv(4, 3, pad: 2, dilation: 2, groups: 2)', [2, 7, 6, 4]],
  ['rectangular kernel, stride (2, 1), pad (2, 0)', 'conv(3, (3, 2), stride: (2, 1), pad: (2, 0))', [2, 7, 6, 2]],
  ['asymmetric same padding (even kernel)', 'conv(3, 2, pad: same)', [2, 5, 6, 2]],
  ['stride 2 and dilation 2', 'conv(3, 3, stride: 2, dilation: 2, pad: 1)', [2, 9, 8, 2]],
  ['1x1 grouped, no bias', 'conv(6, 1, groups: 3, bias: false)', [2, 4, 4, 3]],
] as const) {
  test(`wasm matches cpu: ${what}`, async () => {
    const typed = compileText(`network t() { input x: [${shape[1]}, ${shape[2]}, ${shape[3]}]  output y = x |> ${layer} as c |> relu }`);
    const { errors } = await compareBackends(typed, shape);
    assertBackendsAgree(errors, what);
  });
}

test.run();
