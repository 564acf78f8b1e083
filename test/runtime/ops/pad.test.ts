/** `pad(top, bottom, left, right)` on the runtime: zeros on the given sides. */
import { test } from 'uvu';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, use } from './helpers.js';

test('pad(top: 1, left: 2) of [[1, 2], [3, 4]]', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [2, 2, 1]  output y = x |> pad(top: 1, left: 2) }');
  const y = (await forwardValues(typed, { shape: [1, 2, 2, 1], data: Float32Array.of(1, 2, 3, 4) })).get('y')!;
  assertClose(y.data, [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4], 0, 'padded');
});

test('wasm matches cpu: pad on all sides', async () => {
  const typed = compileText('network t() { input x: [3, 4, 2]  output y = x |> pad(top: 1, bottom: 2, left: 3, right: 1) |> conv(2, 3) }');
  const { errors } = await compareBackends(typed, [2, 3, 4, 2]);
  assertBackendsAgree(errors, 'pad');
});

test.run();
