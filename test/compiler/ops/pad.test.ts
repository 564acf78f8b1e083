/** `pad(top, bottom, left, right)`: zero padding as a layer; shifts the map by -top / -left. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

test('pad: shape grows by top + bottom, left + right; centre of unit 0 is -top, -left', () => {
  assert.equal(facts(runOp('pad(top: 1, bottom: 2, left: 3)', '[5, 6, 4]')), { shape: [8, 9, 4], map: [[1, 1, -1], [1, 1, -3]], params: 0, macs: 0 });
  assert.equal(facts(runOp('pad', '[5, 6, 4]')).shape, [5, 6, 4]);
});

test('google N1 right branch: pad(1, 0) then conv 3x3/2 VALID: centre 0, rf 3, stride 2 (receptive-field-tools.md §4.1)', () => {
  // graph_compute_order_test: L2_pad 224 → 225, L2/Conv2D 225 → 112.
  const f = facts(runOp('pad(top: 1, left: 1) |> conv(1, 3, stride: 2)', '[224, 224, 1]'));
  assert.equal([f.shape[0], f.map[0]], [112, [3, 2, 0]]);
  assert.equal(facts(runOp('pad(top: 1, left: 1)', '[224, 224, 1]')).shape[0], 225);
});

test('pad: sides are non-negative integers', () => {
  assert.equal(runOp('pad(top: -1)', '[5, 6, 4]').headlines, ['error[type]: `top` of `pad`: must be at least 0, found -1']);
});

test.run();
