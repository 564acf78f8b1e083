/**
 * Multi-scale classification (runtime/train/classify.ts, OverFeat Sec. 3.3):
 * - the scale → input → output-size mapping of the OverFeat specs, against the paper's Table 5
 *   (accurate model) and the release README's size formula (fast model), with the checker only;
 * - with a tiny net and its offsets form sharing weights, every view's per-class spatial maximum
 *   equals a hand computation: the plain classifier run on every 8×8 window of the image resized
 *   by a hand-written bilinear (half-pixel centres); the mean of the views' softmaxes and the
 *   top classes likewise;
 * - the mirrored view equals classifying the mirrored image; nothing leaks.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TypedGraph } from '../../../compiler/check/types.js';
import { checkSpecFile } from '../../../compiler/index.js';
import { renderDiagnostics } from '../../../grammar/diagnostics.js';
import { initBackend } from '../../../runtime/backend.js';
import { lower } from '../../../runtime/lower.js';
import { shapeAt } from '../../../runtime/program.js';
import { ClassifyError, OVERFEAT_SCALES, classifierNetwork, classify, planViews, scaledSize } from '../../../runtime/train/classify.js';
import { tempDir } from './helpers.js';

await initBackend({ name: 'cpu', env: {} });

const dir = tempDir('netc-classify-');

function checked(path: string, network?: string): TypedGraph {
  const { result, program } = checkSpecFile(path, network ? { network } : {});
  if (result._tag === 'Left') throw new Error(renderDiagnostics(result.left, (p) => program?.sources.get(p)));
  return result.right.typed;
}

function outputSize(typed: TypedGraph, input: readonly [number, number]): [number, number] {
  const out = typed.nodes.get(typed.graph.outputs[0]!.node)!;
  const [h, w] = shapeAt(out, { H: input[0], W: input[1] });
  return [h, w];
}

test('the run network → the classifying network', () => {
  assert.is(classifierNetwork('overfeat_fast_train', ['overfeat_fast_train', 'overfeat_fast']), 'overfeat_fast');
  assert.is(classifierNetwork('overfeat_fast_train', ['overfeat_fast_train']), 'overfeat_fast_train');
  assert.is(classifierNetwork('segnet', ['segnet']), 'segnet');
  assert.is(classifierNetwork('_train', ['', '_train']), '_train');
});

test('scaledSize: shorter side = scale, aspect kept (rounded)', () => {
  assert.equal(scaledSize(480, 640, 245), [245, 327]); // 640·245/480 = 326.67
  assert.equal(scaledSize(640, 480, 245), [327, 245]);
  assert.equal(scaledSize(8, 8, 12), [12, 12]);
  assert.equal(scaledSize(12, 14, 16), [16, 19]); // 14·16/12 = 18.67
});

test('overfeat-accurate: the input sizes of Table 5 give its output maps', () => {
  // Sermanet et al. 2014, Table 5 (inputs and the last column, "classifier output"):
  // shared/reference/paper-architectures.md §3.5. Each image has the row's size, so the
  // row's shorter side as the scale feeds it unchanged.
  const typed = checked('specs/overfeat-accurate.net');
  const rows: [[number, number], [number, number]][] = [
    [[245, 245], [3, 3]],
    [[281, 317], [6, 9]],
    [[317, 389], [9, 15]],
    [[389, 461], [15, 21]],
    [[425, 497], [18, 24]],
    [[461, 569], [21, 30]],
  ];
  for (const [input, output] of rows) {
    const [plan] = planViews(typed, input[0], input[1], [input[0]]);
    assert.equal(plan!.input, input);
    assert.is(plan!.adjusted, false);
    assert.equal(outputSize(typed, plan!.input), output, `${input.join('×')}`);
  }
  // The six default scales are Table 5's shorter sides.
  assert.equal(OVERFEAT_SCALES, rows.map(([i]) => i[0]));
});

test('overfeat-fast: 245 is too small for the offsets net and runs at 247; outputs by hand', () => {
  const typed = checked('specs/overfeat-fast.net');
  // Hand derivation (Torch floors, specs/overfeat-fast.net): conv5 rows
  // n = ((floor((H − 11)/4) + 1) div 2 − 4) div 2; offsets(2) shifts pool5's input by 0 and 1
  // and crops both to n − 1 rows; pool5 gives (n − 1) div 2; fc6 (6×6) leaves that − 5; the
  // two offsets interleave to twice that. H = 245: n = 12, pool5 5 < 6 — no output;
  // 246 likewise; 247: n = 13, so 247 is the smallest size (as `netc check` says).
  const fast = (H: number): number => {
    const n = Math.floor((Math.floor((Math.floor((H - 11) / 4) + 1) / 2) - 4) / 2);
    return 2 * (Math.floor((n - 1) / 2) - 5);
  };
  assert.is(fast(245), 0);
  assert.is(fast(247), 2);
  const plans = planViews(typed, 480, 640, OVERFEAT_SCALES);
  assert.equal(plans.map((p) => p.requested), [[245, 327], [281, 375], [317, 423], [389, 519], [425, 567], [461, 615]]);
  assert.equal(plans.map((p) => p.input), [[247, 327], [281, 375], [317, 423], [389, 519], [425, 567], [461, 615]]);
  assert.equal(plans.map((p) => p.adjusted), [true, false, false, false, false, false]);
  for (const p of plans) assert.equal(outputSize(typed, p.input), [fast(p.input[0]), fast(p.input[1])], `scale ${p.scale}`);
  // The release README's formula for the plain net, ((H − 11)/4 + 1)/8 − 6, at 281: 2 outputs;
  // offsets(2) doubles the density: 4.
  assert.is(fast(281), 2 * (Math.floor((Math.floor((281 - 11) / 4) + 1) / 8) - 6));

  // Farther than the coarsest stride (32) from any allowed size: an error naming the scale.
  try {
    planViews(typed, 480, 640, [281, 200]);
    assert.unreachable('scale 200 is refused');
  } catch (e) {
    assert.instance(e, ClassifyError);
    assert.is((e as ClassifyError).scale, 200);
    assert.match((e as Error).message, /scale 200: the 480×640 image becomes 200×267, which network `overfeat_fast` does not take: it needs H >= 247; the nearest allowed height is 247/);
  }
});

test('planViews refuses fixed-size inputs and bad scale lists', () => {
  const path = join(dir, 'fixed.net');
  writeFileSync(path, 'network fixed() {\n  input image: [8, 8, 3]\n  output scores = image |> conv(2, 8) as fc\n}\n');
  assert.throws(() => planViews(checked(path), 8, 8, [8]), /takes only 8×8 images; multi-scale classification needs an input of variable size such as \[H, W, 3\]/);
  const typed = checked('specs/overfeat-fast.net');
  assert.throws(() => planViews(typed, 300, 300, []), /no scales given/);
  assert.throws(() => planViews(typed, 300, 300, [281, 281]), /scale 281 is listed twice/);
  assert.throws(() => planViews(typed, 300, 300, [2.5]), /positive whole number/);
});

// ───────────────────────── a tiny net, by hand ─────────────────────────

const TINY = `# The plain classifier (8×8 windows → 1×1) and its offsets form.
block feat(x) = x |> conv(4, 3) as c1 |> relu
block head(x, classes: int) = x |> maxpool(2) as pool |> conv(classes, 3) as fc

network tiny_train(classes: int = 5) {
  input image: [H, W, 3]
  output scores = image |> feat as features |> head(classes) as classifier
}

network tiny(classes: int = 5) {
  input image: [H, W, 3]
  output scores = image |> feat as features |> offsets(2, head(classes) as classifier)
}
`;
const tinyPath = join(dir, 'tiny.net');
writeFileSync(tinyPath, TINY);
const plainTyped = checked(tinyPath, 'tiny_train');
const offsetsTyped = checked(tinyPath, 'tiny');
const plain = lower(plainTyped, { seed: 7 });
// The offsets net takes the plain net's checkpoint: same parameter names and shapes.
const dense = lower(offsetsTyped, { weights: await plain.read() });
const CLASSES = 5;

/** A deterministic HWC image in [0, 1]. */
function image(h: number, w: number): Float32Array {
  const out = new Float32Array(h * w * 3);
  for (let i = 0; i < out.length; i++) out[i] = ((i * 7919 + 13) % 251) / 250;
  return out;
}

/** Bilinear resize with half-pixel centres (src = (dst + ½)·in/out − ½, clamped to the edge), in float64. */
function bilinear(src: Float32Array, h: number, w: number, H: number, W: number): Float32Array {
  const out = new Float32Array(H * W * 3);
  const coord = (d: number, n: number, N: number) => {
    const s = Math.min(Math.max((d + 0.5) * (n / N) - 0.5, 0), n - 1);
    const lo = Math.floor(s);
    return [lo, Math.min(lo + 1, n - 1), s - lo] as const;
  };
  for (let y = 0; y < H; y++) {
    const [y0, y1, fy] = coord(y, h, H);
    for (let x = 0; x < W; x++) {
      const [x0, x1, fx] = coord(x, w, W);
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => src[(yy * w + xx) * 3 + c]!;
        const top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
        const bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
        out[(y * W + x) * 3 + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

function mirror(src: Float32Array, h: number, w: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = src[(y * w + (w - 1 - x)) * 3 + c]!;
  return out;
}

/**
 * Each class's maximum over the offsets net's map, by hand: with no padding before the
 * classifier, output (p, q) of the interleaved map is the plain net on the 8×8 window at
 * (p, q) (offset Δ, pooled index i: conv rows Δ + 2i … Δ + 2i + 5 = the window at p = 2i + Δ).
 */
function windowMaxima(pixels: Float32Array, w: number, oh: number, ow: number): number[] {
  const windows = new Float32Array(oh * ow * 8 * 8 * 3);
  let k = 0;
  for (let p = 0; p < oh; p++) for (let q = 0; q < ow; q++) for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) for (let c = 0; c < 3; c++) windows[k++] = pixels[((p + y) * w + (q + x)) * 3 + c]!;
  const batch = tf.tensor4d(windows, [oh * ow, 8, 8, 3]);
  const scores = plain.forward(batch).scores!;
  const values = scores.dataSync();
  batch.dispose();
  scores.dispose();
  const max = new Array<number>(CLASSES).fill(-Infinity);
  for (let n = 0; n < oh * ow; n++) for (let c = 0; c < CLASSES; c++) max[c] = Math.max(max[c]!, values[n * CLASSES + c]!);
  return max;
}

const softmax = (v: readonly number[]): number[] => {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.is(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('every view is the maximum over the plain net on all windows; the mean of their softmaxes ranks the classes', async () => {
  const [h, w] = [12, 14];
  const pixels = image(h, w);
  const x = tf.tensor3d(pixels, [h, w, 3]);
  const before = tf.memory().numTensors;
  const result = await classify(dense, x, { scales: [12, 16], top: 3, classNames: ['a', 'b', 'c', 'd', 'e'] });
  assert.is(tf.memory().numTensors, before, 'no tensor left behind');
  x.dispose();

  assert.equal(result.views.map((v) => [v.scale, v.flipped, v.input, v.output]), [
    // 12×14: 2·floor((12 − 7)/2) = 4, 2·floor((14 − 7)/2) = 6; 16×19: 8, 12.
    [12, false, [12, 14], [4, 6]],
    [16, false, [16, 19], [8, 12]],
  ]);
  const expected: number[][] = [];
  for (const view of result.views) {
    const [H, W] = view.input;
    const resized = H === h && W === w ? pixels : bilinear(pixels, h, w, H, W);
    const maxima = windowMaxima(resized, W, view.output[0], view.output[1]);
    close(view.maxScores, maxima, 1e-4, `scale ${view.scale} max scores`);
    close(view.probabilities, softmax(maxima), 1e-5, `scale ${view.scale} probabilities`);
    expected.push(softmax(maxima));
  }
  const mean = expected[0]!.map((_, c) => (expected[0]![c]! + expected[1]![c]!) / 2);
  close(result.probabilities, mean, 1e-5, 'mean');
  const order = mean.map((p, c) => [p, c] as const).sort((a, b) => b[0] - a[0]).map(([, c]) => c);
  assert.equal(result.top.map((t) => t.class), order.slice(0, 3));
  assert.equal(result.top.map((t) => t.name), order.slice(0, 3).map((c) => 'abcde'[c]));
  assert.ok(Math.abs(result.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  // The views differ (else averaging would test nothing).
  assert.ok(Math.abs(result.views[0]!.maxScores[0]! - result.views[1]!.maxScores[0]!) > 1e-6);
});

test('--flip: the mirrored view is the mirrored image classified', async () => {
  const [h, w] = [13, 10];
  const pixels = image(h, w);
  const x = tf.tensor3d(pixels, [h, w, 3]);
  const m = tf.tensor3d(mirror(pixels, h, w), [h, w, 3]);
  const before = tf.memory().numTensors;
  const both = await classify(dense, x, { scales: [10, 15], flip: true });
  const mirrored = await classify(dense, m, { scales: [10, 15] });
  assert.is(tf.memory().numTensors, before);
  x.dispose();
  m.dispose();
  assert.equal(both.views.map((v) => [v.scale, v.flipped]), [[10, false], [10, true], [15, false], [15, true]]);
  for (const [i, j] of [[1, 0], [3, 1]] as const) {
    close(both.views[i]!.maxScores, mirrored.views[j]!.maxScores, 1e-5, `scale ${both.views[i]!.scale} mirrored`);
  }
  // The image is not symmetric, so the two views of a scale differ.
  assert.ok(both.views[0]!.maxScores.some((v, c) => Math.abs(v - both.views[1]!.maxScores[c]!) > 1e-4));
  const mean = Array.from({ length: CLASSES }, (_, c) => both.views.reduce((s, v) => s + v.probabilities[c]!, 0) / 4);
  close(both.probabilities, mean, 1e-6, 'mean of four views');
  assert.is(both.top.length, 5);
});

test('classify refuses the wrong number of channels and a scale the net cannot take', async () => {
  const grey = tf.zeros([12, 12, 1]) as tf.Tensor3D;
  await classify(dense, grey, { scales: [12] }).then(
    () => assert.unreachable('grey image'),
    (e: Error) => assert.match(e.message, /the image has 1 channels; network `tiny` takes 3/),
  );
  grey.dispose();
  const x = tf.zeros([12, 12, 3]) as tf.Tensor3D;
  const before = tf.memory().numTensors;
  await classify(dense, x, { scales: [12, 6] }).then(
    () => assert.unreachable('scale 6'),
    (e: Error) => {
      assert.instance(e, ClassifyError);
      assert.match(e.message, /scale 6: the 12×12 image becomes 6×6, which network `tiny` does not take: it needs H >= 9/);
    },
  );
  assert.is(tf.memory().numTensors, before);
  x.dispose();
});

test('the public API (index.ts) classifies the same', async () => {
  const { classify: apiClassify } = await import('../../../index.js');
  const x = tf.tensor3d(image(12, 12), [12, 12, 3]);
  const viaApi = await apiClassify(dense, x, { scales: [12, 14], flip: true });
  const direct = await classify(dense, x, { scales: [12, 14], flip: true });
  x.dispose();
  assert.equal(Array.from(viaApi.probabilities), Array.from(direct.probabilities));
  assert.equal(viaApi.top, direct.top);
});

test.after(() => {
  plain.dispose();
  dense.dispose();
});

test.run();
