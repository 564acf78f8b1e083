/**
 * The receptive-field report (`netc rf`): its JSON (the stable schema of cli.md) and its text
 * table. Numbers: Fangyh09/pytorch-receptive-field's README net (receptive-field-tools.md §4.5:
 * rows "1: [128,128] 0.5 2 7; 4: [64,64] 0.5 4 11; 5: [32,32] 0.5 8 19", its `start` being our
 * centre + 0.5) and FCN-8s at 500×500 (paper-architectures.md §2).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatRfReport, rfReport } from '../../../compiler/report/index.js';
import { mustCheck } from '../check/harness.js';
import { fcn8s } from '../check/nets/fcn.js';
import { fangyh09 } from './_nets.js';


test('rf JSON at a fixed size: integers, per axis [y, x], Fangyh09\'s rows', () => {
  const report = rfReport(mustCheck(fangyh09, { sizes: { H: 256, W: 256 } }));
  const pick = (name: string) => report.layers.find((l) => l.name === name)!;
  assert.equal(pick('conv1'), { name: 'conv1', op: 'conv', shape: [128, 128, 64], rf: [7, 7], stride: [2, 2], center: [0, 0], padding: [3, 3], params: 9472 });
  assert.equal([pick('pool1').shape, pick('pool1').rf, pick('pool1').stride], [[64, 64, 64], [11, 11], [4, 4]]);
  assert.equal([pick('pool2').shape, pick('pool2').rf, pick('pool2').stride], [[32, 32, 64], [19, 19], [8, 8]]);
  assert.equal(report.layers.map((l) => l.name), ['conv1', 'bn1', 'relu', 'pool1', 'pool2']);
  assert.equal(report.outputs, [{ name: 'out', shape: [32, 32, 64], rf: [19, 19], stride: [8, 8], center: [0, 0], padding: [9, 9] }]);
  // Batchnorm statistics are not parameters: 9,472 + 2·64.
  assert.is(report.params, 9472 + 128);
  // JSON numbers, not strings: a --size fixes the formulas (regression: "698" used to be a string).
  assert.ok(JSON.stringify(report).includes('"shape":[128,128,64]'));
});

test('rf JSON with symbolic sizes: formulas as strings', () => {
  const report = rfReport(mustCheck(fangyh09));
  assert.equal(report.layers[0]!.shape, ['floor((H + 1)/2)', 'floor((W + 1)/2)', 64]);
  const constrained = rfReport(mustCheck(fangyh09.replace('[H, W, 3]', '[H, W, 3] where H % 8 == 0, W % 8 == 0')));
  assert.equal(constrained.outputs[0]!.shape, ['H/8', 'W/8', 64]);
});

test('rf JSON of FCN-8s at 500×500: the cli.md schema, crops with Caffe\'s offsets, all-blob parameter total', () => {
  const report = rfReport(mustCheck(fcn8s, { sizes: { H: 500, W: 500 } }));
  assert.is(report.network, 'fcn8s');
  assert.equal(report.layers[0], { name: 'f/conv1_1', op: 'conv', shape: [698, 698, 64], rf: [3, 3], stride: [1, 1], center: [-99, -99], padding: [100, 100], params: 1792 });
  assert.equal(report.crops, [{ name: 'score_pool4c', offset: [5, 5] }, { name: 'score_pool3c', offset: [9, 9] }, { name: 'score_crop', offset: [31, 31] }]);
  // Output: 500×500×21, stride 1, centre 0; rf 468 exact (paper-architectures.md §2.2's recurrence: 460),
  // padding (468 - 1)/2 - 0 = 233.5 (a JSON number, not an integer).
  assert.equal(report.outputs, [{ name: 'out', shape: [500, 500, 21], rf: [468, 468], stride: [1, 1], center: [0, 0], padding: [233.5, 233.5] }]);
  assert.is(report.params, 134489759);
  // Fractional strides and centres are JSON numbers.
  const up2 = report.layers.find((l) => l.name === 'upscore2')!;
  assert.equal([up2.stride, up2.center], [[16, 16], [-11.5, -11.5]]);
});

test('rf report of offsets(f, L): L\'s layers come first, `within` their offsets node, with absolute maps', () => {
  const report = rfReport(mustCheck(`network n() {
  input image: [245, 245, 3]
  let features = image |> conv(8, 7, stride: 2) |> maxpool(3) |> conv(8, 7) |> maxpool(2)
  output scores = features |> offsets(3, maxpool(3) |> conv(16, 5) as fc)
}
`));
  const names = report.layers.map((l) => [l.name, l.within]);
  // The body's layers are named as if L were applied directly (its parameters too), so the
  // generated pooling name continues the network's own count (`maxpool`; the last pooling of
  // `features` took the soft name `features`).
  assert.equal(names.slice(-3), [['maxpool_2', 'scores'], ['fc', 'scores'], ['scores', undefined]]);
  // features: stride 2·3·2 = 12; the body's pool makes 36 for each shift, interleaved by 3 → 12.
  const fc = report.layers.find((l) => l.name === 'fc')!;
  assert.equal(fc.stride, [36, 36]);
  assert.equal(report.outputs[0]!.stride, [12, 12]);
});

test('rf text table: aligned columns, crops and outputs', () => {
  assert.fixture(
    formatRfReport(rfReport(mustCheck(fangyh09, { sizes: { H: 256, W: 256 } }))),
    `network fangyh09

layer  op         shape       rf  stride  centre  padding  params
-----  ---------  ----------  --  ------  ------  -------  ------
conv1  conv       128×128×64   7       2       0        3   9,472
bn1    batchnorm  128×128×64   7       2       0        3     128
relu   relu       128×128×64   7       2       0        3
pool1  maxpool    64×64×64    11       4       0        5
pool2  avgpool    32×32×64    19       8       0        9

outputs:
  out: 32×32×64, rf 19, stride 8, centre 0, padding 9

parameters: 9,600`,
  );
  const fcn = formatRfReport(rfReport(mustCheck(fcn8s, { sizes: { H: 500, W: 500 } })));
  assert.ok(fcn.includes('crops (offsets derived from the coordinate maps):\n  score_pool4c: offset 5\n  score_pool3c: offset 9\n  score_crop: offset 31\n'), fcn);
  assert.ok(fcn.includes('\nupscore2         deconv   34×34×21     436      16   -11.5      229        7,056\n'), fcn);
});

test.run();
