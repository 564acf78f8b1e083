import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfusionMatrix, argmaxLastAxis, medianFrequencyWeights } from '../../runtime/metrics.js';

const close = (actual: number | null, expected: number | null, tol: number, what: string) => {
  if (expected === null || actual === null) {
    assert.is(actual, expected, what);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
};

/*
 * Hand-worked, 3 classes, 10 pixels, the last two ignored (255):
 *   truth  0 0 0 1 1 2 2 2 255 255
 *   pred   0 0 1 1 2 2 2 0  1   2
 * Confusion (rows truth, columns prediction):
 *        p0 p1 p2 | t
 *   t0    2  1  0 | 3
 *   t1    0  1  1 | 2
 *   t2    1  0  2 | 3
 *   p     3  2  3 | 8 labelled
 * G = (2+1+2)/8 = 5/8.
 * C = mean(2/3, 1/2, 2/3) = 11/18.
 * IoU0 = 2/(3+3−2) = 1/2, IoU1 = 1/(2+2−1) = 1/3, IoU2 = 2/(3+3−2) = 1/2; mIoU = 4/9.
 * fwIoU = 3/8·1/2 + 2/8·1/3 + 3/8·1/2 = 11/24.
 */
const truth3 = [0, 0, 0, 1, 1, 2, 2, 2, 255, 255];
const pred3 = [0, 0, 1, 1, 2, 2, 2, 0, 1, 2];

test('hand-worked 3-class example: G, C, mIoU, per-class IoU, fwIoU', () => {
  const cm = new ConfusionMatrix(3).add(truth3, pred3);
  assert.equal(cm.rows(), [
    [2, 1, 0],
    [0, 1, 1],
    [1, 0, 2],
  ]);
  const m = cm.metrics(['a', 'b', 'c']);
  assert.is(m.total, 8);
  close(m.globalAccuracy, 5 / 8, 1e-15, 'G');
  close(m.classAccuracy, 11 / 18, 1e-15, 'C');
  close(m.meanIoU, 4 / 9, 1e-15, 'mIoU');
  close(m.frequencyWeightedIoU, 11 / 24, 1e-15, 'fwIoU');
  close(m.perClass[1]!.iou, 1 / 3, 1e-15, 'IoU1');
  assert.equal(m.perClass.map((c) => [c.name, c.pixels, c.predicted]), [['a', 3, 3], ['b', 2, 2], ['c', 3, 3]]);
});

test('accumulating batch by batch equals one pass over the whole set (never a mean of batch metrics)', () => {
  const whole = new ConfusionMatrix(3).add(truth3, pred3);
  const batched = new ConfusionMatrix(3).add(truth3.slice(0, 4), pred3.slice(0, 4)).add(truth3.slice(4), pred3.slice(4));
  assert.equal(Array.from(batched.counts), Array.from(whole.counts));
  // The mean of per-batch mIoU would differ: batch 1 alone has mIoU mean(2/3, 1/2, (absent)) ≠ 4/9.
  const b1 = new ConfusionMatrix(3).add(truth3.slice(0, 4), pred3.slice(0, 4)).metrics();
  assert.ok(Math.abs(b1.meanIoU! - 4 / 9) > 0.1);
});

test('a class absent from truth and prediction is excluded; one only predicted counts with IoU 0', () => {
  // Same pixels with 5 classes: class 3 never occurs (excluded), class 4 is predicted once for a true 0.
  const truth = [...truth3, 0];
  const pred = [...pred3, 4];
  const m = new ConfusionMatrix(5).add(truth, pred).metrics();
  // t0 = 4 now, n00 = 2, p4 = 1. IoU0 = 2/(4+3−2) = 2/5; IoU1 = 1/3; IoU2 = 1/2; IoU3 = excluded; IoU4 = 0/(0+1−0) = 0.
  assert.is(m.perClass[3]!.iou, null);
  assert.is(m.perClass[4]!.iou, 0);
  close(m.meanIoU, (2 / 5 + 1 / 3 + 1 / 2 + 0) / 4, 1e-15, 'mIoU over 4 classes');
  // C: class 4 has no ground truth, so it is left out: mean(2/4, 1/2, 2/3).
  assert.is(m.perClass[4]!.accuracy, null);
  close(m.classAccuracy, (1 / 2 + 1 / 2 + 2 / 3) / 3, 1e-15, 'C');
  close(m.globalAccuracy, 5 / 9, 1e-15, 'G');
});

test('NumPy fixture (FCN score.py formulas): every metric to 1e-12', () => {
  // Written by test/fixtures/metrics/make_fixture.py (numpy), which CI does not need.
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/metrics/metrics.json', import.meta.url), 'utf8')) as {
    cases: {
      name: string; classes: number; truth: number[]; pred: number[]; confusion: number[][]; G: number; C: number; mIoU: number; fwIoU: number;
      perClassIoU: (number | null)[]; perClassAccuracy: (number | null)[]; classCounts: number[]; presentIn: number[]; medianFrequencyWeights: number[];
    }[];
  };
  assert.is(fixture.cases.length, 3);
  for (const c of fixture.cases) {
    const cm = new ConfusionMatrix(c.classes).add(c.truth, c.pred);
    assert.equal(cm.rows(), c.confusion, c.name);
    const m = cm.metrics();
    close(m.globalAccuracy, c.G, 1e-12, `${c.name}: G`);
    close(m.classAccuracy, c.C, 1e-12, `${c.name}: C`);
    close(m.meanIoU, c.mIoU, 1e-12, `${c.name}: mIoU`);
    close(m.frequencyWeightedIoU, c.fwIoU, 1e-12, `${c.name}: fwIoU`);
    m.perClass.forEach((pc, i) => {
      close(pc.iou, c.perClassIoU[i]!, 1e-12, `${c.name}: IoU ${i}`);
      close(pc.accuracy, c.perClassAccuracy[i]!, 1e-12, `${c.name}: accuracy ${i}`);
    });
    const w = medianFrequencyWeights(c.classCounts, c.presentIn);
    w.forEach((v, i) => close(v, c.medianFrequencyWeights[i]!, 1e-12, `${c.name}: weight ${i}`));
  }
});

test('medianFrequencyWeights: SegNet definition, hand-worked', () => {
  // freq = count / pixels of the images where the class occurs = [10/100, 30/100, 60/200] = [.1, .3, .3];
  // median .3 → weights [3, 1, 1].
  medianFrequencyWeights([10, 30, 60], [100, 100, 200]).forEach((w, i) => close(w, [3, 1, 1][i]!, 1e-15, `weight ${i}`));
  // Without denominators, freq ∝ count: median of [10, 30, 60] is 30 → [3, 1, 0.5].
  medianFrequencyWeights([10, 30, 60]).forEach((w, i) => close(w, [3, 1, 0.5][i]!, 1e-15, `weight ${i}`));
  // An even number of present classes takes the mean of the two middle values, (20 + 40)/2 = 30;
  // a class that never occurs is left out of the median and weighs 0.
  medianFrequencyWeights([10, 20, 0, 40, 80]).forEach((w, i) => close(w, [3, 1.5, 0, 0.75, 0.375][i]!, 1e-15, `weight ${i}`));
  assert.equal(Array.from(medianFrequencyWeights([0, 0])), [0, 0]);
  assert.throws(() => medianFrequencyWeights([10, 5], [5, 5]), /only 5/);
});

test('labels outside the classes (other than 255) are errors, not silently counted', () => {
  const cm = new ConfusionMatrix(3);
  assert.throws(() => cm.add([3], [0]), /label 3 at 0 is not a class \(0\.\.2\) nor 255/);
  assert.throws(() => cm.add([0], [7]), /prediction 7 at 0/);
  assert.throws(() => cm.add([0, 1], [0]), /2 labels but 1 predictions/);
  assert.is(cm.metrics().globalAccuracy, null);
});

test('argmax over scores (first maximum wins) and addScores', () => {
  const scores = [0.1, 0.7, 0.2, /**/ 0.5, 0.5, 0, /**/ -1, -2, -0.5];
  assert.equal(Array.from(argmaxLastAxis(scores, 3)), [1, 0, 2]);
  const cm = new ConfusionMatrix(3).addScores([1, 1, 255], scores);
  assert.equal(cm.rows(), [[0, 0, 0], [1, 1, 0], [0, 0, 0]]);
});

test('merge, JSON (null for excluded classes) and the text table', () => {
  const a = new ConfusionMatrix(4).add(truth3.slice(0, 5), pred3.slice(0, 5));
  const b = new ConfusionMatrix(4).add(truth3.slice(5), pred3.slice(5));
  const json = a.merge(b).toJSON(['sky', 'road', 'car', 'tree']);
  assert.is(json.G, 5 / 8);
  assert.is(json.mIoU, 4 / 9);
  assert.is(json.perClass[3]!.iou, null);
  assert.equal(JSON.parse(JSON.stringify(json)).perClass[3], { name: 'tree', iou: null, accuracy: null, pixels: 0, predicted: 0 });
  const text = a.toText(['sky', 'road', 'car', 'tree'], { confusion: true });
  assert.match(text, /global accuracy G 62\.5%   class-average accuracy C 61\.1%   mean IoU 44\.4%   \(8 labelled\)/);
  assert.match(text, /\nroad     33\.3    50\.0           2           2\n/);
  assert.match(text, /\ntree        —       —           0           0\n/);
  assert.match(text, /confusion \(rows: ground truth, columns: prediction\)/);
});

test.run();
