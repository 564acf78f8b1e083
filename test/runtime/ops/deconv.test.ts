/**
 * `deconv` on the runtime: FCN's bilinear kernel upsamples a single value into the outer
 * product of [0.25, 0.75, 0.75, 0.25] (paper-architectures.md §2.6), Caffe's size rule with
 * padding crops the full transposed convolution, `trainable: false` keeps the kernel out of
 * training, and wasm matches cpu.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lower } from '../../../runtime/lower.js';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, seeded, use, weightsOf } from './helpers.js';

test('bilinear 4/2 kernel: one value of 2 becomes 2·outer([0.25, 0.75, 0.75, 0.25])', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [1, 1, 1]  output y = x |> deconv(1, 4, stride: 2, bias: false) as up }');
  const y = (await forwardValues(typed, { shape: [1, 1, 1, 1], data: Float32Array.of(2) })).get('y')!;
  assert.equal(y.shape, [1, 4, 4, 1]); // (1 - 1)·2 + 4 = 4
  const f = [0.25, 0.75, 0.75, 0.25];
  assertClose(y.data, f.flatMap((a) => f.map((b) => 2 * a * b)), 1e-7, 'bilinear');
});

test("pad p crops p rows and columns from each side of the full transposed convolution (Caffe's (n-1)s + k - 2p)", async () => {
  await use('wasm');
  const full = compileText('network t() { input x: [3, 4, 2]  output y = x |> deconv(3, 4, stride: 2, init: he) as up }');
  const padded = compileText('network t() { input x: [3, 4, 2]  output y = x |> deconv(3, 4, stride: 2, pad: 1, init: he) as up }');
  const input = seeded([2, 3, 4, 2], 5);
  const weights = weightsOf({ 'up/kernel': { shape: [4, 4, 3, 2], values: seeded([96], 6).data }, 'up/bias': { shape: [3], values: [1, 2, 3] } });
  const a = (await forwardValues(full, input, { weights })).get('y')!;
  const b = (await forwardValues(padded, input, { weights })).get('y')!;
  assert.equal(a.shape, [2, 8, 10, 3]); // (3-1)·2 + 4 = 8, (4-1)·2 + 4 = 10
  assert.equal(b.shape, [2, 6, 8, 3]); // minus 2·1
  const cropped: number[] = [];
  for (let n = 0; n < 2; n++) for (let i = 1; i < 7; i++) for (let j = 1; j < 9; j++) for (let c = 0; c < 3; c++) cropped.push(a.data[((n * 8 + i) * 10 + j) * 3 + c]!);
  assertClose(b.data, cropped, 1e-5, 'cropped');
});

test('trainable: false makes the kernel and bias fixed (not trainable variables)', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [2, 2, 3]  output y = x |> deconv(3, 4, stride: 2, trainable: false) as up |> conv(2, 1) as c }');
  const program = lower(typed);
  try {
    assert.is(program.params.get('up/kernel')!.trainable, false);
    assert.is(program.params.get('up/bias')!.trainable, false);
    assert.equal(program.trainableVariables().map((v) => v.name).sort(), ['c/bias', 'c/kernel']);
  } finally {
    program.dispose();
  }
});

for (const [what, layer, shape] of [
  ['stride 2, pad 1, bias', 'deconv(3, 3, stride: 2, pad: 1, init: he)', [2, 3, 4, 2]],
  ['bilinear 4/2, no bias', 'deconv(2, 4, stride: 2, bias: false)', [2, 3, 3, 2]],
  ['kernel smaller than the stride', 'deconv(2, 2, stride: 3, init: he)', [2, 3, 2, 2]],
  ['stride 8 (FCN-8s)', 'deconv(2, 16, stride: 8, bias: false)', [1, 2, 3, 2]],
] as const) {
  test(`wasm matches cpu: ${what}`, async () => {
    const typed = compileText(`network t() { input x: [${shape[1]}, ${shape[2]}, ${shape[3]}]  output y = x |> ${layer} as up }`);
    const { errors } = await compareBackends(typed, shape);
    assertBackendsAgree(errors, what);
  });
}

test.run();
