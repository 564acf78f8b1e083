/**
 * specs/fcn16s.net: FCN-16s as released (shelhamer/fcn.berkeleyvision.org voc-fcn16s).
 * Numbers: paper-architectures.md §2.2, §2.5; FCN Table 1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpec } from './helpers.js';
import { crop, largestRf, merge, pixels, sameConvs, transposed, window } from './rf1d.js';

const at500 = checkSpec('fcn16s.net', { sizes: { H: 500, W: 500 } });

test('parameters: 134,815,994 blobs = 134,357,354 learned + 458,640 fixed', () => {
  assert.is(at500.report.params, 134_815_994);
  assert.is(at500.summary.params.learned, 134_357_354);
  // upscore2 21·21·4·4 = 7,056 and upscore16 21·21·32·32 = 451,584, fixed bilinear.
  assert.is(at500.summary.params.fixed, 7_056 + 451_584);
  assert.is(at500.layer('score_pool4').params, 10_773);
});

test('the crop offsets are the release\'s 5 and 27', () => {
  assert.equal(at500.crops(), { score_pool4c: [5, 5], score: [27, 27] });
  // §2.5: offset = (start(ref) − start(cropped)) / stride: (−11.5 − (−91.5))/16 = 5, (0 − (−27))/1 = 27.
  assert.equal(at500.layer('upscore2').center, [-11.5, -11.5]);
  assert.equal(at500.layer('score_pool4').center, [-91.5, -91.5]);
  assert.equal(at500.layer('upscore16').center, [-27, -27]);
});

test('500x500 sizes and strides (reference table §2.2)', () => {
  const rows: [string, number, number][] = [
    ['score_fr', 16, 32],
    ['upscore2', 34, 16],
    ['score_pool4', 44, 16],
    ['score_pool4c', 34, 16],
    ['fuse_pool4', 34, 16],
    ['upscore16', 560, 1],
    ['score', 500, 1],
  ];
  for (const [name, n, stride] of rows) {
    assert.equal(at500.shape(name), [n, n, 21], name);
    assert.equal(at500.layer(name).stride, [stride, stride], `${name} stride`);
  }
});

test('receptive fields: 404 at score_fr (FCN Table 1); exact 468 at the output', () => {
  assert.equal(at500.layer('score_fr').rf, [404, 404]);
  // Up to the fusion the reference table's values: upscore2 436, score_pool4c 100, fuse 436.
  assert.equal(at500.layer('upscore2').rf, [436, 436]);
  assert.equal(at500.layer('score_pool4c').rf, [100, 100]);
  assert.equal(at500.layer('fuse_pool4').rf, [436, 436]);
  // The recurrence r + (⌈k/s⌉ − 1)·j gives 436 + 16 = 452 (the reference table's value), but
  // upscore2's outputs 2m and 2m+1 read the same score_fr units {m−1, m}, so the two
  // fuse_pool4 units an upscore16 output reads can span three score_fr units: 404 + 2·32.
  assert.equal(at500.report.outputs[0]!.rf, [468, 468]);
  // The same by brute force along one axis (test/specs/rf1d.ts), with the release's layers.
  const stage = (x: typeof pixels, convs: number) => window(sameConvs(x, 3, convs), 2, 2);
  const pool1 = window(window(window(pixels, 3, 1, 100), 3, 1, 1), 2, 2);
  const pool4 = stage(stage(stage(pool1, 2), 3), 3);
  const scoreFr = window(stage(pool4, 3), 7);
  const fuse = merge(transposed(scoreFr, 4, 2), crop(pool4, 5));
  assert.is(largestRf(scoreFr), 404);
  assert.is(largestRf(crop(transposed(fuse, 32, 16), 27), 512), 468);
});

test('every input size fits', () => {
  const symbolic = checkSpec('fcn16s.net');
  assert.equal(symbolic.typed.variables.map((v) => v.smallest), [1, 1]);
  for (const n of [1, 17, 224, 1200]) {
    const c = checkSpec('fcn16s.net', { sizes: { H: n, W: n } });
    assert.equal(c.report.outputs[0]!.shape, [n, n, 21], `at ${n}`);
    assert.equal(c.crops(), { score_pool4c: [5, 5], score: [27, 27] });
  }
});

test.run();
