/** `crop` on the runtime: an explicit offset and size, and the offset derived from coordinate maps. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, use } from './helpers.js';

test('crop(offset: (1, 2), size: (2, 2)) of a 4×5 map takes rows 1–2, columns 2–3', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [4, 5, 1]  output y = crop(x, offset: (1, 2), size: (2, 2)) }');
  const y = (await forwardValues(typed, { shape: [1, 4, 5, 1], data: Float32Array.from({ length: 20 }, (_, i) => i) })).get('y')!;
  assertClose(y.data, [7, 8, 12, 13], 0, 'crop'); // row r, column c holds 5r + c
});

test('crop(a, to: b) uses the derived offset: a 3x3 valid conv shifts the grid by 1', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [6, 6, 1]  let b = x |> conv(1, 3) as c  output y = crop(x, to: b) as k }');
  assert.equal(typed.order.find((t) => t.node.name === 'k')!.info['offset'], [1, 1]);
  const y = (await forwardValues(typed, { shape: [1, 6, 6, 1], data: Float32Array.from({ length: 36 }, (_, i) => i) })).get('y')!;
  assertClose(y.data, [7, 8, 9, 10, 13, 14, 15, 16, 19, 20, 21, 22, 25, 26, 27, 28], 0, 'aligned crop');
});

test('wasm matches cpu: crop to a deconvolution', async () => {
  const typed = compileText('network t() { input x: [8, 8, 2]  let s = x |> conv(2, 2, stride: 2) |> deconv(2, 4, stride: 2) as up  output y = crop(s, to: x) + x }');
  const { errors } = await compareBackends(typed, [2, 8, 8, 2]);
  assertBackendsAgree(errors, 'crop');
});

test.run();
