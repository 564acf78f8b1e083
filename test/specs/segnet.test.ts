/**
 * specs/segnet.net: SegNet (VGG16 encoder-decoder) as released in alexgkendall/SegNet-Tutorial
 * Models/segnet_train.prototxt. Numbers: paper-architectures.md §1.2, §1.4; SegNet paper
 * Sec. 3 and Table 6.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpec, float32Megabytes } from './helpers.js';
import { largestRf, pixels, sameConvs, unpool, window } from './rf1d.js';

const camvid = checkSpec('segnet.net', { sizes: { H: 360, W: 480 } });
const isEncoderConv = (name: string) => /^conv\d_\d\/conv$/.test(name);

test('29,449,355 learned parameters; the encoder\'s convolutions hold 14,714,688 (paper: "14.7M")', () => {
  assert.is(camvid.summary.params.learned, 29_449_355);
  assert.is(camvid.summary.params.fixed, 0);
  assert.is(camvid.paramsWhere((l) => isEncoderConv(l.name)), 14_714_688);
  assert.is(Math.round(camvid.paramsWhere((l) => isEncoderConv(l.name)) / 1e5) / 10, 14.7);
  // Decoder convolutions 14,718,795 (the last is 64·9·11 + 11 = 6,347); BN scale and shift
  // 2 × (4,224 + 3,712) = 15,872; its moving statistics are state, not parameters.
  assert.is(camvid.paramsWhere((l) => /_D(\/conv)?$/.test(l.name)), 14_718_795);
  assert.is(camvid.layer('conv1_1_D').params, 6_347);
  assert.is(camvid.paramsWhere((l) => l.op === 'batchnorm'), 15_872);
  assert.is(camvid.summary.params.state, 15_872);
});

test('model size 117 MB (paper Table 6) as float32, MB = 10^6 bytes', () => {
  // 29,449,355 × 4 = 117,797,420 bytes: 117.8 MB, printed as 117 in the table.
  assert.is(Math.floor(float32Megabytes(camvid.summary.params.learned)), 117);
});

test('CamVid 360x480 with ceil pooling: 45 -> 23 -> 12, and the unpools restore 23 and 45', () => {
  const rows: [string, number, number, number][] = [
    ['pool1', 180, 240, 64],
    ['pool2', 90, 120, 128],
    ['pool3', 45, 60, 256],
    ['pool4', 23, 30, 512], // floor would give 22x30
    ['pool5', 12, 15, 512], // floor would give 11x15
    ['upsample5', 23, 30, 512], // the prototxt's upsample_h: 23, upsample_w: 30
    ['upsample4', 45, 60, 512], // upsample_h: 45, upsample_w: 60
    ['upsample3', 90, 120, 256],
    ['upsample2', 180, 240, 128],
    ['upsample1', 360, 480, 64],
    ['conv1_1_D', 360, 480, 11],
  ];
  for (const [name, h, w, c] of rows) assert.equal(camvid.shape(name), [h, w, c], name);
  assert.equal(camvid.report.outputs[0]!.shape, [360, 480, 11]);
});

test('the classifier is the last decoder conv: 3x3 to 11 classes, no BN or ReLU after it', () => {
  const last = camvid.report.layers.at(-1)!;
  assert.is(last.name, 'conv1_1_D');
  assert.is(last.op, 'conv');
  const node = [...camvid.typed.nodes.values()].find((t) => t.node.name === 'conv1_1_D')!;
  assert.equal(node.info['kernel'], [3, 3]);
});

test('receptive fields: encoder as the reference table; exact 404 at the output', () => {
  const rows: [string, number, number][] = [
    ['conv1_2/conv', 5, 1],
    ['pool1', 6, 2],
    ['pool3', 44, 8],
    ['pool4', 100, 16],
    ['pool5', 212, 32],
    ['upsample5', 212, 16],
    ['conv5_1_D/conv', 308, 16],
    ['upsample4', 308, 8],
    ['conv4_3_D/conv', 340, 8],
  ];
  for (const [name, rf, stride] of rows) {
    assert.equal(camvid.layer(name).rf, [rf, rf], `${name} rf`);
    assert.equal(camvid.layer(name).stride, [stride, stride], `${name} stride`);
  }
  // The reference table's recurrence (unpool keeps r, each later 3x3 conv adds 2·stride) gives
  // 392 at conv1_1_D (and 324 at conv4_3_D, where the exact value is 340). Exactly, units 2m
  // and 2m+1 of an unpooled map read the same unit, so neighbouring units' regions advance
  // unevenly (a whole coarse stride, then nothing), and a window straddling those jumps sees
  // more than the recurrence's even advance. Brute force along one axis agrees on 404.
  assert.equal(camvid.report.outputs[0]!.rf, [404, 404]);
  assert.equal(camvid.report.outputs[0]!.stride, [1, 1]);
  let enc = pixels;
  for (const convs of [2, 2, 3, 3, 3]) enc = window(sameConvs(enc, 3, convs), 2, 2);
  let dec = enc;
  for (const convs of [3, 3, 3, 2, 2]) dec = sameConvs(unpool(dec), 3, convs);
  assert.is(largestRf(enc), 212);
  assert.is(largestRf(dec, 512), 404);
});

test('every input size fits (ceil pooling + unpool restore odd sizes)', () => {
  const symbolic = checkSpec('segnet.net');
  assert.equal(symbolic.typed.graph.constraints, []);
  assert.equal(symbolic.typed.variables.map((v) => v.smallest), [1, 1]);
  for (const [h, w] of [
    [1, 1],
    [45, 47],
    [224, 224],
  ]) {
    assert.equal(checkSpec('segnet.net', { sizes: { H: h!, W: w! } }).report.outputs[0]!.shape, [h, w, 11]);
  }
});

test('training recipe: SGD lr 0.001, momentum 0.9, weight decay 5e-4, median frequency, ignore 11', () => {
  // Paper Sec. 4 (fixed lr 0.001, momentum 0.9, batch 5 for road scenes) and
  // Models/segnet_solver.prototxt (weight_decay 0.0005); ignore_label 11 in segnet_train.prototxt.
  const train = camvid.train();
  assert.equal(train.optimizer, { kind: 'sgd', lr: 0.001, momentum: 0.9, weightDecay: 5e-4 });
  assert.equal(train.loss, { kind: 'cross_entropy', classWeights: { kind: 'median_frequency' }, ignore: 11 });
  assert.equal(train.schedule, { kind: 'fixed' });
  assert.is(train.batch, 5);
});

test.run();
