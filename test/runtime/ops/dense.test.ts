/** `dense` on the runtime: `[N, 1, 1, C] · kernel [C, units] + bias`. */
import { test } from 'uvu';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, use, weightsOf } from './helpers.js';

test('dense(2) of [1, 2, 3] with kernel [[1, 0], [0, 1], [1, 1]] and bias [0.5, -0.5]', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [1, 1, 3]  output y = x |> dense(2) as fc }');
  const weights = weightsOf({ 'fc/kernel': { shape: [3, 2], values: [1, 0, 0, 1, 1, 1] }, 'fc/bias': { shape: [2], values: [0.5, -0.5] } });
  const y = (await forwardValues(typed, { shape: [1, 1, 1, 3], data: Float32Array.of(1, 2, 3) }, { weights })).get('y')!;
  assertClose(y.data, [1 + 3 + 0.5, 2 + 3 - 0.5], 0, 'dense');
});

test('wasm matches cpu: global_avgpool |> dense', async () => {
  const typed = compileText('network t() { input x: [4, 4, 6]  output y = x |> conv(8, 3) |> relu |> global_avgpool |> dense(5) }');
  const { errors } = await compareBackends(typed, [3, 4, 4, 6]);
  assertBackendsAgree(errors, 'dense');
});

test.run();
