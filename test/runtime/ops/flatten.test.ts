/** `flatten` on the runtime: features in H, W, C order (architecture.md), ready for `dense`. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, use } from './helpers.js';

test('flatten keeps NHWC memory order: [h, w, c] is feature (h·W + w)·C + c', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [2, 3, 2]  output y = x |> flatten }');
  const data = Float32Array.from({ length: 24 }, (_, i) => i);
  const y = (await forwardValues(typed, { shape: [2, 2, 3, 2], data })).get('y')!;
  assert.equal(y.shape, [2, 1, 1, 12]);
  assertClose(y.data, data, 0, 'flattened');
});

test('wasm matches cpu: flatten |> dense', async () => {
  const typed = compileText('network t() { input x: [3, 3, 2]  output y = x |> conv(4, 2) |> flatten |> dense(3) }');
  const { errors } = await compareBackends(typed, [2, 3, 3, 2]);
  assertBackendsAgree(errors, 'flatten');
});

test.run();
