/** `global_avgpool` on the runtime: the mean over all positions, per channel. */
import { test } from 'uvu';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, runWithGradients, use } from './helpers.js';

test('global_avgpool of [[1, 5], [3, 2]] and its gradient', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [2, 2, 1]  output y = x |> global_avgpool }');
  const x = { shape: [1, 2, 2, 1], data: Float32Array.of(1, 5, 3, 2) };
  assertClose((await forwardValues(typed, x)).get('y')!.data, [2.75], 0, 'value');
  assertClose((await runWithGradients(typed, x, {})).gradInput, [0.25, 0.25, 0.25, 0.25], 0, 'dL/dx');
});

test('wasm matches cpu: global_avgpool over a feature map', async () => {
  const typed = compileText('network t() { input x: [5, 4, 3]  output y = x |> conv(4, 3, pad: 1) |> global_avgpool }');
  const { errors } = await compareBackends(typed, [2, 5, 4, 3]);
  assertBackendsAgree(errors, 'global_avgpool');
});

test.run();
