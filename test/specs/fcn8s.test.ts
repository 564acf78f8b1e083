/**
 * specs/fcn8s.net: FCN-8s as released (shelhamer/fcn.berkeleyvision.org voc-fcn8s,
 * deploy.prototxt with a 1x3x500x500 input). Numbers: paper-architectures.md §2.2, §2.5;
 * FCN Table 1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpec } from './helpers.js';
import { crop, largestRf, merge, pixels, sameConvs, transposed, window } from './rf1d.js';

const at500 = checkSpec('fcn8s.net', { sizes: { H: 500, W: 500 } });

test('parameters: 134,489,759 blobs = 134,362,751 learned + 127,008 fixed', () => {
  assert.is(at500.report.params, 134_489_759);
  assert.is(at500.summary.params.learned, 134_362_751);
  // upscore2 and upscore_pool4 21·21·4·4 each, upscore8 21·21·16·16.
  assert.is(at500.summary.params.fixed, 2 * 7_056 + 112_896);
  assert.is(at500.layer('score_pool3').params, 5_397);
});

test('the crop offsets are the release\'s 5, 9 and 31', () => {
  assert.equal(at500.crops(), { score_pool4c: [5, 5], score_pool3c: [9, 9], score: [31, 31] });
  // §2.5: (−23.5 − (−95.5))/8 = 9 and (0 − (−31))/1 = 31.
  assert.equal(at500.layer('upscore_pool4').center, [-23.5, -23.5]);
  assert.equal(at500.layer('score_pool3').center, [-95.5, -95.5]);
  assert.equal(at500.layer('upscore8').center, [-31, -31]);
});

test('500x500 sizes and strides (reference table §2.2)', () => {
  const rows: [string, number, number][] = [
    ['score_fr', 16, 32],
    ['upscore2', 34, 16],
    ['fuse_pool4', 34, 16],
    ['upscore_pool4', 70, 8],
    ['score_pool3', 88, 8],
    ['score_pool3c', 70, 8],
    ['fuse_pool3', 70, 8],
    ['upscore8', 568, 1],
    ['score', 500, 1],
  ];
  for (const [name, n, stride] of rows) {
    assert.equal(at500.shape(name), [n, n, 21], name);
    assert.equal(at500.layer(name).stride, [stride, stride], `${name} stride`);
  }
});

test('receptive fields: 404 at score_fr (FCN Table 1); exact 468 from upscore_pool4 on', () => {
  assert.equal(at500.layer('score_fr').rf, [404, 404]);
  assert.equal(at500.layer('fuse_pool4').rf, [436, 436]);
  assert.equal(at500.layer('score_pool3c').rf, [44, 44]);
  // The recurrence gives 452 at upscore_pool4/fuse_pool3 and 460 at the output (the reference
  // table); exactly, two neighbouring fuse_pool4 units can span three score_fr units
  // (fcn16s.test.ts), so upscore_pool4 already sees 404 + 2·32 = 468; the two neighbouring
  // fuse_pool3 units an upscore8 output reads still span at most three score_fr units.
  assert.equal(at500.layer('upscore_pool4').rf, [468, 468]);
  assert.equal(at500.layer('fuse_pool3').rf, [468, 468]);
  assert.equal(at500.report.outputs[0]!.rf, [468, 468]);
  const stage = (x: typeof pixels, convs: number) => window(sameConvs(x, 3, convs), 2, 2);
  const pool1 = window(window(window(pixels, 3, 1, 100), 3, 1, 1), 2, 2);
  const pool3 = stage(stage(pool1, 2), 3);
  const pool4 = stage(pool3, 3);
  const scoreFr = window(stage(pool4, 3), 7);
  const fuse4 = merge(transposed(scoreFr, 4, 2), crop(pool4, 5));
  const fuse3 = merge(transposed(fuse4, 4, 2), crop(pool3, 9));
  assert.is(largestRf(fuse3), 468);
  assert.is(largestRf(crop(transposed(fuse3, 16, 8), 31), 512), 468);
});

test('every input size fits', () => {
  const symbolic = checkSpec('fcn8s.net');
  assert.equal(symbolic.typed.variables.map((v) => v.smallest), [1, 1]);
  for (const n of [1, 17, 224, 1200]) {
    const c = checkSpec('fcn8s.net', { sizes: { H: n, W: n } });
    assert.equal(c.report.outputs[0]!.shape, [n, n, 21], `at ${n}`);
    assert.equal(c.crops(), { score_pool4c: [5, 5], score_pool3c: [9, 9], score: [31, 31] });
  }
});

test.run();
