/** `x * c` on the runtime. */
import { test } from 'uvu';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, runWithGradients, use } from './helpers.js';

test('x * 0.01 scales values and gradients by 0.01', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [1, 2, 1]  output y = x * 0.01 }');
  const x = { shape: [1, 1, 2, 1], data: Float32Array.of(100, -3) };
  assertClose((await forwardValues(typed, x)).get('y')!.data, [1, -0.03], 1e-7, 'scaled');
  assertClose((await runWithGradients(typed, x, {})).gradInput, [0.01, 0.01], 1e-9, 'dL/dx');
});

test('wasm matches cpu: scale after a conv', async () => {
  const typed = compileText('network t() { input x: [3, 3, 2]  output y = (x |> conv(2, 3, pad: 1)) * 0.5 }');
  const { errors } = await compareBackends(typed, [2, 3, 3, 2]);
  assertBackendsAgree(errors, 'scale');
});

test.run();
