/**
 * `upsample` on the runtime: nearest repeats each value in an f×f block (its gradient sums the
 * block); bilinear with half-pixel centres samples input coordinate (o + ½)/f − ½, clamped at
 * the edges (PyTorch `align_corners=False`, tfjs `halfPixelCenters: true`).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, runWithGradients, use } from './helpers.js';

test('nearest ×2 repeats each value in a 2×2 block; dL/dx sums the block (batch 2)', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [2, 2, 1]  output y = x |> upsample(2) }');
  const x = { shape: [2, 2, 2, 1], data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8) };
  const y = (await forwardValues(typed, x)).get('y')!;
  const block = (a: number, b: number, c: number, d: number) => [a, a, b, b, a, a, b, b, c, c, d, d, c, c, d, d];
  assertClose(y.data, [...block(1, 2, 3, 4), ...block(5, 6, 7, 8)], 0, 'nearest');
  // With R = 1..32, x[0] collects R at y positions 0, 1, 4, 5 (1+2+5+6 = 14); image 2's first
  // value collects 17+18+21+22 = 78 (the cpu ResizeNearestNeighborGrad gets batch 2 wrong).
  const r = await runWithGradients(typed, x, { lossWeights: Float32Array.from({ length: 32 }, (_, i) => i + 1) });
  assertClose(r.gradInput, [14, 22, 46, 54, 78, 86, 110, 118], 0, 'dL/dx');
});

test('bilinear ×2 of [0, 1] is [0, 0.25, 0.75, 1] (half-pixel centres, clamped edges)', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [1, 2, 1]  output y = x |> upsample((1, 2), mode: bilinear) }');
  const y = (await forwardValues(typed, { shape: [1, 1, 2, 1], data: Float32Array.of(0, 1) })).get('y')!;
  // Output o samples (o + 0.5)/2 - 0.5 = -0.25, 0.25, 0.75, 1.25 → clamped to [0, 1].
  assertClose(y.data, [0, 0.25, 0.75, 1], 0, 'bilinear');
});

test('bilinear ×4 reproduces a linear ramp away from the edges', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [3, 1, 1]  output y = x |> upsample((4, 1), mode: bilinear) }');
  const y = (await forwardValues(typed, { shape: [1, 3, 1, 1], data: Float32Array.of(0, 4, 8) })).get('y')!;
  assert.equal(y.shape, [1, 12, 1, 1]);
  // Output o samples (o + 0.5)/4 - 0.5 input rows, i.e. value 4·that = o - 1.5, clamped to [0, 8].
  assertClose(y.data, Array.from({ length: 12 }, (_, o) => Math.min(8, Math.max(0, o - 1.5))), 1e-6, 'ramp');
});

for (const [what, layer, shape] of [
  ['nearest (2, 3), batch 2, non-square', 'upsample((2, 3))', [2, 3, 5, 2]],
  ['bilinear (2, 3), batch 2, non-square', 'upsample((2, 3), mode: bilinear)', [2, 3, 5, 2]],
  ['bilinear ×8', 'upsample(8, mode: bilinear)', [1, 3, 2, 2]],
] as const) {
  test(`wasm matches cpu: ${what}`, async () => {
    const typed = compileText(`network t() { input x: [${shape[1]}, ${shape[2]}, ${shape[3]}]  output y = x |> conv(2, 1) |> ${layer} }`);
    const { errors } = await compareBackends(typed, shape);
    assertBackendsAgree(errors, what);
  });
}

test.run();
