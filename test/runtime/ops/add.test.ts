/** `a + b` on the runtime. */
import { test } from 'uvu';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, runWithGradients, use } from './helpers.js';

test('x + x * 2 is 3x, and its gradient 3', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [1, 3, 1]  output y = x + x * 2 }');
  const x = { shape: [1, 1, 3, 1], data: Float32Array.of(1, -2, 0.5) };
  assertClose((await forwardValues(typed, x)).get('y')!.data, [3, -6, 1.5], 0, 'sum');
  assertClose((await runWithGradients(typed, x, {})).gradInput, [3, 3, 3], 0, 'dL/dx');
});

test('wasm matches cpu: a residual sum', async () => {
  const typed = compileText('network t() { input x: [4, 5, 3]  output y = x + (x |> conv(3, 3, pad: 1)) |> relu }');
  const { errors } = await compareBackends(typed, [2, 4, 5, 3]);
  assertBackendsAgree(errors, 'add');
});

test.run();
