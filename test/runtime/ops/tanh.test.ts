/** `tanh` on the runtime: values and derivative against their formulas. */
import { test } from 'uvu';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, runWithGradients, use } from './helpers.js';

const values = [-3, -0.5, 0.25, 2];

test('tanh: values and dL/dx', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [1, 4, 1]  output y = x |> tanh }');
  const x = { shape: [1, 1, 4, 1], data: Float32Array.from(values) };
  assertClose((await forwardValues(typed, x)).get('y')!.data, values.map((v) => Math.tanh(v)), 1e-6, 'values');
  assertClose((await runWithGradients(typed, x, {})).gradInput, values.map((v) => 1 - Math.tanh(v) ** 2), 1e-6, 'derivative');
});

test('wasm matches cpu: tanh after a conv', async () => {
  const typed = compileText('network t() { input x: [3, 4, 2]  output y = x |> conv(3, 3, pad: 1) |> tanh }');
  const { errors } = await compareBackends(typed, [2, 3, 4, 2]);
  assertBackendsAgree(errors, 'tanh');
});

test.run();
