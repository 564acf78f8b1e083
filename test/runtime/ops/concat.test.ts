/** `concat` on the runtime: channels in argument order. */
import { test } from 'uvu';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, use } from './helpers.js';

test('concat(x, relu(x), x * 2) stacks channels in that order', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [1, 2, 1]  output y = concat(x, x |> relu, x * 2) }');
  const y = (await forwardValues(typed, { shape: [1, 1, 2, 1], data: Float32Array.of(-1, 3) })).get('y')!;
  assertClose(y.data, [-1, 0, -2, 3, 3, 6], 0, 'concat');
});

test('wasm matches cpu: concat of three branches', async () => {
  const typed = compileText('network t() { input x: [4, 4, 2]  output y = concat(x |> conv(3, 1), x, x |> conv(1, 3, pad: 1)) |> conv(2, 1) }');
  const { errors } = await compareBackends(typed, [2, 4, 4, 2]);
  assertBackendsAgree(errors, 'concat');
});

test.run();
