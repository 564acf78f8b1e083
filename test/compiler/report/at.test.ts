/**
 * `netc rf --at NAME:y,x`: the input region of one unit, unclipped and clipped to the image.
 * Expected values: Fangyh09/pytorch-receptive-field (receptive-field-tools.md §4.5), whose
 * half-pixel intervals (lo, hi) are our pixel ranges lo..hi-1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatUnitRegion, parseAt, unitRegion, type UnitRegion } from '../../../compiler/report/index.js';
import { mustCheck } from '../check/harness.js';
import { fangyh09 } from './_nets.js';

const region = (r: ReturnType<typeof unitRegion>): UnitRegion => {
  if ('severity' in r) throw new Error(r.message);
  return r;
};

test('Fangyh09 README: receptive_field_for_unit(layer "2", (1, 1)) = [(0, 6), (0, 6)], unclipped (-1, 6)', () => {
  // Layer "2" is the batchnorm after conv1 (7×7/2, pad 3): unit 1 is centred on pixel 2 and reads
  // 2 - 3 .. 2 + 3 = -1..5; clipped to the 256×256 image: 0..5 (Fangyh09's (0, 6.0)).
  const r = region(unitRegion(mustCheck(fangyh09, { sizes: { H: 256, W: 256 } }), 'bn1', 1, 1));
  assert.equal(r, { layer: 'bn1', unit: [1, 1], center: [2, 2], region: [[-1, 5], [-1, 5]], clipped: [[0, 5], [0, 5]], imageSize: [256, 256] });
  assert.is(
    formatUnitRegion(r),
    'unit (1, 1) of bn1: centre at input (2, 2)\n  rows    -1..5 (7 px)\n  columns -1..5 (7 px)\nclipped to the 256×256 image:\n  rows    0..5 (6 px)\n  columns 0..5 (6 px)',
  );
});

test('Fangyh09 docstring: torchvision AlexNet features, layer "8" (ReLU after conv3), unit (6, 6) → (62, 161) on a 224 image', () => {
  // [derived] jump 16, rf 99, start 15.5: unit 6 is centred on 15 + 6·16 = 111 and reads 62..160.
  const typed = mustCheck(`network alexnet_features() {
  input image: [224, 224, 3]
  output out = image
    |> conv(64, 11, stride: 4, pad: 2) |> relu |> maxpool(3, stride: 2)
    |> conv(192, 5, pad: 2) |> relu |> maxpool(3, stride: 2)
    |> conv(384, 3, pad: 1) |> relu as relu3
}
`);
  const r = region(unitRegion(typed, 'relu3', 6, 6));
  assert.equal([r.center, r.region, r.clipped], [[111, 111], [[62, 160], [62, 160]], [[62, 160], [62, 160]]]);
});

test('--at on a symbolic input: no clipping, and the text says how to get it', () => {
  const r = region(unitRegion(mustCheck(fangyh09), 'pool2', 0, 3));
  // pool2: rf 19, stride 8, centre 0 → unit 3 is centred on 24: 15..33; unit 0: -9..9.
  assert.equal([r.center, r.region, r.clipped], [[0, 24], [[-9, 9], [15, 33]], undefined]);
  assert.match(formatUnitRegion(r), /the input size is symbolic: fix it with --size/);
});

test('--at after an upsampling: exact per-unit regions (phases differ)', () => {
  // deconv 4/2 pad 1 on a 2x2/2 pooling: output u reads pooled i with 0 <= u + 1 - 2i < 4.
  // Unit 0 reads i = -1 (padding: pixels -2..-1) and 0 (0..1): -2..1, clipped 0..1.
  // Unit 1 reads i = 0 and 1: pixels 0..3.
  const typed = mustCheck('network n() {\n  input x: [8, 8, 1]\n  output out = x |> maxpool(2) |> deconv(1, 4, stride: 2, pad: 1) as up\n}\n');
  const u0 = region(unitRegion(typed, 'up', 0, 0));
  assert.equal([u0.region[0], u0.clipped![0]], [[-2, 1], [0, 1]]);
  assert.equal(region(unitRegion(typed, 'up', 1, 1)).region[0], [0, 3]);
});

test('--at errors: unknown layer (did you mean), unit outside the map, malformed NAME:y,x', () => {
  const typed = mustCheck(fangyh09, { sizes: { H: 256, W: 256 } });
  const unknown = unitRegion(typed, 'pool3', 0, 0);
  assert.ok('severity' in unknown);
  if ('severity' in unknown) assert.equal([unknown.message, unknown.help], ['--at: there is no layer `pool3`', 'did you mean `pool1`?']);
  const outside = unitRegion(typed, 'pool2', 32, 0);
  assert.ok('severity' in outside && outside.message === '--at: row 32 is outside `pool2`, which is 32×32', JSON.stringify(outside));
  assert.equal(parseAt('pool5:3,4'), { name: 'pool5', y: 3, x: 4 });
  assert.equal(parseAt('enc1/conv: 0, 12'), { name: 'enc1/conv', y: 0, x: 12 });
  assert.is(parseAt('pool5'), "--at expects NAME:y,x (e.g. --at pool5:3,4), got 'pool5'");
});

test.run();
