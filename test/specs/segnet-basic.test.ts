/**
 * specs/segnet-basic.net: SegNet-Basic as released in alexgkendall/SegNet-Tutorial
 * Models/segnet_basic_train.prototxt. Numbers: paper-architectures.md §1.3-1.4; SegNet paper
 * Sec. 3.1-3.2 and Table 1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpec } from './helpers.js';
import { largestRf, pixels, sameConvs, unpool, window } from './rf1d.js';

const camvid = checkSpec('segnet-basic.net', { sizes: { H: 360, W: 480 } });

test('1,416,587 parameters at 11 classes (§1.3; the paper\'s Table 1 rounds to "1.425M")', () => {
  assert.is(camvid.summary.params.learned, 1_416_587);
  // 1,415,040 weights: 3·49·64 + 7 · 64·49·64 + 64·11; 523 biases: 8·64 + 11; BN 8 · 2 · 64.
  const weights = 3 * 49 * 64 + 7 * 64 * 49 * 64 + 64 * 11;
  assert.is(weights, 1_415_040);
  assert.is(weights + (8 * 64 + 11) + 8 * 2 * 64, 1_416_587);
  assert.is(camvid.layer('conv_classifier').params, 715);
  assert.is(camvid.paramsWhere((l) => l.op === 'batchnorm'), 1_024);
});

test('the deepest encoder unit sees 106x106 pixels (paper Sec. 3.1: "context window" 106x106)', () => {
  assert.equal(camvid.layer('p4').rf, [106, 106]);
  assert.equal(camvid.layer('p4').stride, [16, 16]);
  // §1.3 table: conv1 7, p1 8, conv2 20, p2 22, conv3 46, p3 50, conv4 98.
  const rows: [string, number][] = [
    ['conv1/conv', 7],
    ['p1', 8],
    ['conv2/conv', 20],
    ['p2', 22],
    ['conv3/conv', 46],
    ['p3', 50],
    ['conv4/conv', 98],
  ];
  for (const [name, rf] of rows) assert.equal(camvid.layer(name).rf, [rf, rf], name);
});

test('exact output rf 202 (the recurrence of the reference table gives 196)', () => {
  assert.equal(camvid.report.outputs[0]!.rf, [202, 202]);
  // Brute force along one axis (test/specs/rf1d.ts): 4 × [7x7 conv, 2x2 pool], then
  // 4 × [unpool, 7x7 conv].
  let x = pixels;
  for (let i = 0; i < 4; i++) x = window(sameConvs(x, 7, 1), 2, 2);
  assert.is(largestRf(x), 106);
  for (let i = 0; i < 4; i++) x = sameConvs(unpool(x), 7, 1);
  assert.is(largestRf(x, 512), 202);
});

test('CamVid 360x480: pool4 rounds 45 up to 23 and upsample4 restores 45', () => {
  assert.equal(camvid.shape('p3'), [45, 60, 64]);
  assert.equal(camvid.shape('p4'), [23, 30, 64]);
  assert.equal(camvid.shape('upsample4'), [45, 60, 64]);
  assert.equal(camvid.report.outputs[0]!.shape, [360, 480, 11]);
});

test('LRN on the input; no ReLU in the decoder (paper Sec. 3.1)', () => {
  const names = camvid.report.layers.map((l) => l.name);
  assert.is(camvid.report.layers[0]!.op, 'lrn');
  const decoder = camvid.report.layers.slice(names.indexOf('upsample4'));
  assert.equal(
    decoder.filter((l) => l.op === 'relu'),
    [],
  );
  assert.is(camvid.report.layers.filter((l) => l.op === 'relu').length, 4);
});

test('input [H, W, 3] with no divisibility constraint: every size fits, odd ones included', () => {
  const symbolic = checkSpec('segnet-basic.net');
  assert.equal(symbolic.typed.graph.constraints, []);
  assert.equal(symbolic.typed.variables.map((v) => v.smallest), [1, 1]);
  // The trainer's synthetic data is 64x64 with fewer classes; 360 is not a multiple of 16.
  for (const [h, w, classes] of [
    [64, 64, 6],
    [65, 63, 8],
    [360, 480, 11],
  ] as const) {
    const c = checkSpec('segnet-basic.net', { sizes: { H: h, W: w }, params: { classes } });
    assert.equal(c.report.outputs[0]!.shape, [h, w, classes]);
    assert.equal(c.warnings, []);
  }
});

test('training recipe (paper Sec. 3.2): SGD lr 0.1, momentum 0.9, median frequency, batch 12', () => {
  const train = camvid.train();
  assert.equal(train.optimizer, { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0 });
  assert.equal(train.loss.classWeights, { kind: 'median_frequency' });
  assert.is(train.batch, 12);
  assert.equal(train.schedule, { kind: 'fixed' });
});

test.run();
