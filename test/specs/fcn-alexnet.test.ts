/**
 * specs/fcn-alexnet.net: FCN-AlexNet as released (shelhamer/fcn.berkeleyvision.org
 * voc-fcn-alexnet). Numbers: paper-architectures.md §2.2-2.5; FCN Table 1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpec } from './helpers.js';

const at500 = checkSpec('fcn-alexnet.net', { sizes: { H: 500, W: 500 } });

test('56,954,261 learned parameters (FCN Table 1: "57M") + 1,750,329 fixed', () => {
  assert.is(at500.summary.params.learned, 56_954_261);
  // The 63x63 fixed deconvolution, 21·21·63·63.
  assert.is(at500.summary.params.fixed, 1_750_329);
  assert.is(at500.report.params, 58_704_590);
});

test('rf 355 and stride 32 at score_fr (FCN Table 1: rf size 355, max stride 32)', () => {
  assert.equal(at500.layer('score_fr').rf, [355, 355]);
  assert.equal(at500.layer('score_fr').stride, [32, 32]);
  assert.is(at500.summary.coarsest.stride, 32);
  // The 63/32 deconvolution reads 1 or 2 score_fr units: 355 + 32 (§2.4, as the recurrence).
  assert.equal(at500.report.outputs[0]!.rf, [387, 387]);
});

test('crop offset 18, and why the kernel is 63', () => {
  assert.equal(at500.crops(), { score: [18, 18] });
  // §2.3: conv1 (11x11/4, pad 100) puts unit 0 at −95, score_fr at 13 (an integer), so the
  // deconvolution's centre shift (k − 1)/2 must be an integer: k = 63 gives 13 − 31 = −18.
  assert.equal(at500.layer('caffenet/conv1').center, [-95, -95]);
  assert.equal(at500.layer('score_fr').center, [13, 13]);
  assert.equal(at500.layer('upscore').center, [-18, -18]);
});

test('500x500 sizes (table §2.3): pool2 rounds up, 86 -> 43', () => {
  const rows: [string, number][] = [
    ['caffenet/conv1', 173],
    ['caffenet/pool1', 86],
    ['caffenet/pool2', 43], // floor would give 42
    ['caffenet/conv5', 43],
    ['caffenet/pool5', 21],
    ['fc6', 16],
    ['score_fr', 16],
    ['upscore', 543],
    ['score', 500],
  ];
  for (const [name, n] of rows) assert.equal(at500.shape(name).slice(0, 2), [n, n], name);
});

test('every input size fits', () => {
  const symbolic = checkSpec('fcn-alexnet.net');
  assert.equal(symbolic.typed.variables.map((v) => v.smallest), [1, 1]);
  for (const n of [1, 63, 227, 1200]) {
    const c = checkSpec('fcn-alexnet.net', { sizes: { H: n, W: n } });
    assert.equal(c.report.outputs[0]!.shape, [n, n, 21], `at ${n}`);
    assert.equal(c.crops(), { score: [18, 18] });
  }
});

test.run();
