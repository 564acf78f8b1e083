/** `softmax` on the runtime: over the channel axis; dL/dx_i = s_i (R_i − Σ_j R_j s_j) for L = Σ R·s. */
import { test } from 'uvu';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, runWithGradients, use } from './helpers.js';

test('softmax over channels, per pixel, and its gradient', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [1, 2, 3]  output y = x |> softmax }');
  const pixels = [[1, 2, 3], [0, 0, Math.log(2)]];
  const x = { shape: [1, 1, 2, 3], data: Float32Array.from(pixels.flat()) };
  const softmax = (p: number[]) => p.map((v) => Math.exp(v) / p.reduce((s, u) => s + Math.exp(u), 0));
  const s = pixels.map(softmax);
  assertClose((await forwardValues(typed, x)).get('y')!.data, s.flat(), 1e-6, 'values'); // second pixel: [1/4, 1/4, 1/2]
  const r = [1, -2, 0.5, 3, 0, 1];
  const grad = s.flatMap((si, p) => {
    const rp = r.slice(3 * p, 3 * p + 3);
    const dot = si.reduce((acc, v, i) => acc + v * rp[i]!, 0);
    return si.map((v, i) => v * (rp[i]! - dot));
  });
  assertClose((await runWithGradients(typed, x, { lossWeights: Float32Array.from(r) })).gradInput, grad, 1e-6, 'dL/dx');
});

test('wasm matches cpu: softmax scores', async () => {
  const typed = compileText('network t() { input x: [3, 4, 2]  output y = x |> conv(5, 1) |> softmax }');
  const { errors } = await compareBackends(typed, [2, 3, 4, 2]);
  assertBackendsAgree(errors, 'softmax');
});

test.run();
