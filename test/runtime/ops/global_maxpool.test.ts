/** `global_maxpool` on the runtime: the maximum over all positions, per channel. */
import { test } from 'uvu';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, runWithGradients, use } from './helpers.js';

test('global_maxpool of [[1, 5], [3, 2]] and its gradient', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [2, 2, 1]  output y = x |> global_maxpool }');
  const x = { shape: [1, 2, 2, 1], data: Float32Array.of(1, 5, 3, 2) };
  assertClose((await forwardValues(typed, x)).get('y')!.data, [5], 0, 'value');
  assertClose((await runWithGradients(typed, x, {})).gradInput, [0, 1, 0, 0], 0, 'dL/dx');
});

test('wasm matches cpu: global_maxpool over a feature map', async () => {
  const typed = compileText('network t() { input x: [5, 4, 3]  output y = x |> conv(4, 3, pad: 1) |> global_maxpool }');
  const { errors } = await compareBackends(typed, [2, 5, 4, 3]);
  assertBackendsAgree(errors, 'global_maxpool');
});

test.run();
