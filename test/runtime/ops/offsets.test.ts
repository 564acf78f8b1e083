/**
 * `offsets(f, L)` on the runtime (architecture.md, as refined: shifts dy·t with t = stride(L)/f,
 * every shift cropped to n − (f−1)·t, one batched call of L, interleaved by
 * out[i·f + dy, j·f + dx] = L(shift dy, dx)[i, j]). Checked against that definition computed
 * shift by shift, and against the exact stride-1 equivalent (paper-architectures.md §3.5).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, seeded, use, weightsOf } from './helpers.js';

test('offsets(2, maxpool(2)) equals a stride-1 2x2 max pooling (OverFeat’s identity)', async () => {
  await use('wasm');
  const offsets = compileText('network t() { input x: [5, 7, 2]  output y = x |> offsets(2, maxpool(2)) }');
  const dense = compileText('network t() { input x: [5, 7, 2]  output y = x |> maxpool(2, stride: 1) }');
  const x = seeded([2, 5, 7, 2], 9);
  const a = (await forwardValues(offsets, x)).get('y')!;
  const b = (await forwardValues(dense, x)).get('y')!;
  // Common size 5 − 1 = 4 (and 6): each shift pools to 2 (and 3), interleaved to 4 × 6; the
  // stride-1 pool gives 4 × 6 as well.
  assert.equal(a.shape, [2, 4, 6, 2]);
  assert.equal(b.shape, [2, 4, 6, 2]);
  assertClose(a.data, b.data, 0, 'interleaved');
});

test('with t = stride(L)/f = 2, each output is L applied to the input shifted by (2·dy, 2·dx)', async () => {
  await use('wasm');
  const layer = 'conv(3, 2, stride: 2) as c |> relu |> maxpool(2)';
  const offsets = compileText(`network t() { input x: [10, 12, 2]  output y = x |> offsets(2, ${layer}) }`);
  const body = offsets.order.find((t) => t.node.op === 'offsets')!;
  assert.equal(body.info['shift'], [2, 2]);
  const single = compileText(`network t() { input x: [8, 10, 2]  output y = x |> ${layer} }`);
  const x = seeded([1, 10, 12, 2], 4);
  const kernel = seeded([2 * 2 * 2 * 3], 5).data;
  // The parameter is qualified by the offsets node inside it, and plain in the single-shift net.
  const inner = body.node.body!.nodes.find((n) => n.op === 'conv')!.paramPath;
  const offsetsWeights = weightsOf({ [`${inner}/kernel`]: { shape: [2, 2, 2, 3], values: kernel }, [`${inner}/bias`]: { shape: [3], values: [0.1, 0, -0.1] } });
  const singleWeights = weightsOf({ 'c/kernel': { shape: [2, 2, 2, 3], values: kernel }, 'c/bias': { shape: [3], values: [0.1, 0, -0.1] } });
  const y = (await forwardValues(offsets, x, { weights: offsetsWeights })).get('y')!;
  assert.equal(y.shape, [1, 4, 4, 3]); // common size 10 − 2 = 8 (12 − 2 = 10): L gives 2 (2), interleaved 4 (4)
  const expected = new Array(y.data.length).fill(NaN);
  for (let dy = 0; dy < 2; dy++) {
    for (let dx = 0; dx < 2; dx++) {
      const shifted = new Float32Array(8 * 10 * 2);
      for (let i = 0; i < 8; i++) for (let j = 0; j < 10; j++) for (let c = 0; c < 2; c++) shifted[(i * 10 + j) * 2 + c] = x.data[((i + 2 * dy) * 12 + j + 2 * dx) * 2 + c]!;
      const part = (await forwardValues(single, { shape: [1, 8, 10, 2], data: shifted }, { weights: singleWeights })).get('y')!;
      assert.equal(part.shape, [1, 2, 2, 3]);
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let c = 0; c < 3; c++) expected[((i * 2 + dy) * 4 + j * 2 + dx) * 3 + c] = part.data[(i * 2 + j) * 3 + c]!;
    }
  }
  assertClose(y.data, expected, 1e-6, 'shift by shift');
});

test('wasm matches cpu: OverFeat-style classifier under offsets(3)', async () => {
  const typed = compileText('network t() { input x: [11, 11, 3]  let l = maxpool(3) |> conv(4, 2) |> relu |> conv(2, 1)  output y = x |> offsets(3, l) }');
  const { errors } = await compareBackends(typed, [2, 11, 11, 3]);
  assertBackendsAgree(errors, 'offsets');
});

test.run();
