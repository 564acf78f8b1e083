/**
 * `unpool(p)` on the runtime: each value returns to its window's first maximum (SegNet, Caffe,
 * PyTorch), zeros elsewhere, per image of the batch; the gradient is the gather of dy at the
 * same positions. For padded, overlapping pools the positions are checked against a direct
 * implementation of Caffe's definition.
 */
import { test } from 'uvu';
import { assertBackendsAgree, assertClose, compareBackends, compileText, forwardValues, runWithGradients, seeded, use } from './helpers.js';

// Window maxima: 5 at (0,1); -1 at (0,2) (all negative); 7 at (2,0) (first of three 7s);
// 1 at (2,3) (first of two 1s). The second image is the first negated.
const image = [1, 5, -1, -2, 3, 2, -3, -4, 7, 7, 0, 1, 7, 0, 1, 0];

test('a 2x2 unpool puts each maximum back at its first argmax, per image', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [4, 4, 1]  output y = x |> maxpool(2) as p |> unpool(p) }');
  const x = Float32Array.from([...image, ...image.map((v) => -v)]);
  const y = (await forwardValues(typed, { shape: [2, 4, 4, 1], data: x })).get('y')!;
  const first = new Array(16).fill(0);
  first[1] = 5; first[2] = -1; first[8] = 7; first[11] = 1;
  // Negated: windows [-1,-5,-3,-2] max -1 at (0,0); [1,2,3,4] max 4 at (1,3);
  // [-7,-7,-7,0] max 0 at (3,1); [0,-1,-1,0] max 0 at (2,2) (first of two zeros).
  const second = new Array(16).fill(0);
  second[0] = -1; second[7] = 4; second[13] = 0; second[10] = 0;
  assertClose(y.data, [...first, ...second], 0, 'unpooled');
  // L = sum(y · R): dL/dx is R at the argmax positions (through the pool's first-max gradient).
  const r = await runWithGradients(typed, { shape: [2, 4, 4, 1], data: x }, { lossWeights: Float32Array.from({ length: 32 }, (_, i) => i + 1) });
  const expected = new Array(32).fill(0);
  for (const p of [1, 2, 8, 11, 16, 23, 29, 26]) expected[p] = p + 1;
  assertClose(r.gradInput, expected, 0, 'dL/dx');
});

/** Caffe's max pooling with −∞ padding and first-maximum ties: flat argmax per output, NHWC. */
function caffeArgmax(x: Float32Array, [n, h, w, c]: number[], k: number, s: number, p: number, [oh, ow]: number[]): number[] {
  const out: number[] = [];
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let ch = 0; ch < c; ch++) {
    let best = -Infinity;
    let at = -1;
    for (let y = i * s - p; y < i * s - p + k; y++) for (let xx = j * s - p; xx < j * s - p + k; xx++) {
      if (y < 0 || y >= h! || xx < 0 || xx >= w!) continue;
      const idx = ((b * h! + y) * w! + xx) * c! + ch;
      if (x[idx]! > best) { best = x[idx]!; at = idx; }
    }
    out.push(at);
  }
  return out;
}

test('padded, overlapping pooling (3/2 pad 1): positions follow Caffe, overlapping maxima add up', async () => {
  await use('wasm');
  const typed = compileText('network t() { input x: [5, 6, 2]  output y = x |> maxpool(3, stride: 2, pad: 1) as p |> unpool(p) }');
  // Coarse values: many ties, so first-maximum order matters.
  const x = seeded([2, 5, 6, 2], 11, 0, 4);
  x.data.forEach((v, i) => (x.data[i] = Math.floor(v)));
  const y = (await forwardValues(typed, x, { outputs: ['y', 'p'] }));
  const pooled = y.get('p')!;
  assertClose(pooled.shape, [2, 3, 3, 2], 0, 'pool shape'); // (5 + 2 - 3)/2 + 1 = 3, (6 + 2 - 3)/2 + 1 = 3
  const expected = new Array(x.data.length).fill(0);
  caffeArgmax(x.data, x.shape, 3, 2, 1, [3, 3]).forEach((at, i) => (expected[at] += pooled.data[i]!));
  assertClose(y.get('y')!.data, expected, 0, 'unpooled');
});

for (const [what, spec, shape] of [
  ['2x2 links on an odd map (SegNet-Basic style)', 'x |> conv(3, 3, pad: 1) |> relu |> maxpool(2) as p |> conv(3, 3, pad: 1) |> unpool(p)', [2, 5, 7, 2]],
  ['ceil-mode link', 'x |> maxpool(2, ceil: true) as p |> conv(2, 1) |> unpool(p)', [2, 5, 5, 2]],
] as const) {
  test(`wasm matches cpu: ${what}`, async () => {
    const typed = compileText(`network t() { input x: [${shape[1]}, ${shape[2]}, ${shape[3]}]  output y = ${spec} }`);
    const { errors } = await compareBackends(typed, shape);
    assertBackendsAgree(errors, what);
  });
}

test.run();
