/**
 * `avgpool` on the runtime, Caffe's divisor (PyTorch `count_include_pad=True`): zero padding
 * counts, the ceil-mode overhang does not. tfjs divides by the in-image count instead.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, runWithGradients, use } from './helpers.js';

test('padding counts: 3x3 ones, k 2, s 2, pad 1 gives [1/4, 2/4; 2/4, 4/4]', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [3, 3, 1]  output y = x |> avgpool(2, pad: 1) }');
  const y = (await forwardValues(typed, { shape: [1, 3, 3, 1], data: new Float32Array(9).fill(1) })).get('y')!;
  // Windows rows/cols {-1, 0} and {1, 2}: 1, 2, 2 and 4 real ones, each divided by 4.
  assertClose(y.data, [0.25, 0.5, 0.5, 1], 0, 'count_include_pad');
});

test('the ceil overhang does not count: [1, 2, 3, 4] with k 3, s 2, ceil gives [2, 3.5]', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [1, 4, 1]  output y = x |> avgpool((1, 3), stride: (1, 2), ceil: true) }');
  const x = { shape: [1, 1, 4, 1], data: Float32Array.of(1, 2, 3, 4) };
  const y = (await forwardValues(typed, x)).get('y')!;
  assertClose(y.data, [2, 3.5], 1e-6, 'clipped divisor'); // (1+2+3)/3, (3+4)/2
  // dL/dx for L = sum(y): 1/3 from window 1; x[2] is in both windows: 1/3 + 1/2; x[3]: 1/2.
  const r = await runWithGradients(typed, x, {});
  assertClose(r.gradInput, [1 / 3, 1 / 3, 1 / 3 + 1 / 2, 1 / 2], 1e-6, 'dL/dx');
});

for (const [what, layer, shape] of [
  ['3/2 pad 1 ceil', 'avgpool(3, stride: 2, pad: 1, ceil: true)', [2, 6, 7, 2]],
  ['2/2 floor on odd size', 'avgpool(2)', [2, 5, 5, 3]],
  ['pad: same', 'avgpool(3, stride: 2, pad: same)', [2, 6, 6, 2]],
] as const) {
  test(`wasm matches cpu: ${what}`, async () => {
    const typed = compileText(`network t() { input x: [${shape[1]}, ${shape[2]}, ${shape[3]}]  output y = x |> ${layer} }`);
    const { errors } = await compareBackends(typed, shape);
    assertBackendsAgree(errors, what);
  });
}

test('pad: same counts the padding as well (one rule for every padding)', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [2, 2, 1]  output y = x |> avgpool(2, stride: 1, pad: same) }');
  assert.equal(typed.nodes.get(typed.graph.outputs[0]!.node)!.info['padding'], { top: 0, bottom: 1, left: 0, right: 1 });
  const y = (await forwardValues(typed, { shape: [1, 2, 2, 1], data: Float32Array.of(1, 2, 3, 4) })).get('y')!;
  assertClose(y.data, [10 / 4, 6 / 4, 7 / 4, 4 / 4], 1e-6, 'same'); // (1+2+3+4)/4, (2+4)/4, (3+4)/4, 4/4
});

test.run();
