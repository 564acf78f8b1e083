/**
 * `upsample(factor, mode)`: output `n·f`; map `j/f`, `c - (f-1)/(2f)·j` for both modes (bilinear
 * uses half-pixel centres, tfjs `halfPixelCenters: true`, language.md §7); rf from which inputs
 * each output reads: nearest 1, bilinear 2 (docs/dims-and-coordinate-maps.md §2).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

test('upsample: shapes, maps and rf per mode', () => {
  const rows: [string, [number, number, number], [number, number, number], [number, number, number]][] = [
    ['upsample(2)', [16, 16, 3], [1, 0.5, -0.25], [1, 0.5, -0.25]],
    ['upsample(2, mode: bilinear)', [16, 16, 3], [2, 0.5, -0.25], [2, 0.5, -0.25]],
    // f = 3, bilinear: the phase on an input centre reads one unit, the others two: rf 2; c = -(2/6).
    ['upsample(3, mode: bilinear)', [24, 24, 3], [2, 1 / 3, -1 / 3], [2, 1 / 3, -1 / 3]],
    ['upsample((2, 4))', [16, 32, 3], [1, 0.5, -0.25], [1, 0.25, -0.375]],
  ];
  for (const [call, shape, y, x] of rows) {
    const f = facts(runOp(call, '[8, 8, 3]'));
    assert.equal(f.shape, shape, call);
    for (const [got, want] of [[f.map[0], y], [f.map[1], x]] as const) {
      assert.ok(got.every((v, i) => Math.abs(v - want[i]!) < 1e-12), `${call}: ${got} vs ${want}`);
    }
    assert.is(f.params, 0);
  }
});

test('a 2x2 pooling followed by a 2x upsample is aligned with the pooling\'s input (language.md §7)', () => {
  // Pool: stride 2, centre 0.5; upsample: stride 1, centre 0.5 - (1/4)·2 = 0. Nearest: each
  // output reads one pooled unit = 2 pixels; bilinear: two pooled units = 4 pixels.
  assert.equal(facts(runOp('maxpool(2) |> upsample(2)', '[8, 8, 3]')).map[0], [2, 1, 0]);
  assert.equal(facts(runOp('maxpool(2) |> upsample(2, mode: bilinear)', '[8, 8, 3]')).map[0], [4, 1, 0]);
  // So the sum with the input checks without a crop.
  assert.ok(runOp('maxpool(2) |> upsample(2) |> relu', '[8, 8, 3]', { pre: '' }).ok);
  const fused = runOp('relu', '[H, W, 3]', { where: 'H % 2 == 0, W % 2 == 0', pre: 'let y = x + (x |> maxpool(2) |> upsample(2))' });
  assert.ok(fused.ok, fused.headlines.join('\n'));
});

test('upsample errors: factor must be a positive integer; unknown mode', () => {
  assert.equal(runOp('upsample(0)', '[8, 8, 3]').headlines, ['error[type]: `factor` of `upsample`: must be at least 1, found 0']);
  assert.equal(runOp('upsample(2, mode: cubic)', '[8, 8, 3]').headlines, ['error[type]: `mode` of `upsample`: expected one of `nearest`, `bilinear`, found `cubic`']);
});

test.run();
