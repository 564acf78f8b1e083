/**
 * `conv` contract, Keras-style: arguments, input shape → output shape, coordinate map (rf,
 * stride, centre of unit 0 on each axis), parameters and multiply-adds. Output size
 * `floor((n + 2p - d(k-1) - 1)/s) + 1` (language.md §7); map `rf = d(k-1)+1`, `c = d(k-1)/2 - p`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

type Row = [call: string, input: string, shape: [number, number, number], y: [number, number, number], x: [number, number, number], params: number, macs: number, source: string];

const table: Row[] = [
  // VGG16 conv1_1 (paper-architectures.md §1.2 row 1: 1,792 params); MACs 224²·64·27.
  ['conv(64, 3, pad: 1)', '[224, 224, 3]', [224, 224, 64], [3, 1, 0], [3, 1, 0], 1792, 224 * 224 * 64 * 27, 'VGG conv1_1'],
  // CaffeNet conv1 (§4.1: 55×55, rf 11, jump 4, start 5, 34,944 params); MACs 55²·96·363.
  ['conv(96, 11, stride: 4)', '[227, 227, 3]', [55, 55, 96], [11, 4, 5], [11, 4, 5], 34944, 55 * 55 * 96 * 363, 'CaffeNet conv1'],
  // AlexNet conv2, group 2 (§4.1 and §5.7: 307,456, not 614,656); MACs 27²·256·(25·48).
  ['conv(256, 5, pad: 2, groups: 2)', '[27, 27, 96]', [27, 27, 256], [5, 1, 0], [5, 1, 0], 307456, 27 * 27 * 256 * 1200, 'AlexNet conv2'],
  // AlexNet conv4, group 2: 663,936 (§4.1).
  ['conv(384, 3, pad: 1, groups: 2)', '[13, 13, 384]', [13, 13, 384], [3, 1, 0], [3, 1, 0], 663936, 13 * 13 * 384 * 9 * 192, 'AlexNet conv4'],
  // FCN fc6 as a 7x7 convolution on pool5 at 500x500 (§2.1 row 19: 16×16, 102,764,544).
  ['conv(4096, 7)', '[22, 22, 512]', [16, 16, 4096], [7, 1, 3], [7, 1, 3], 102764544, 16 * 16 * 4096 * 7 * 7 * 512, 'FCN fc6'],
  // FCN conv1_1 with pad 100 (§2.1 row 1: 698×698, start -99).
  ['conv(64, 3, pad: 100)', '[500, 500, 3]', [698, 698, 64], [3, 1, -99], [3, 1, -99], 1792, 698 * 698 * 64 * 27, 'FCN conv1_1'],
  // netharn doctest Conv2d(k5, s2, p2, d3): shape 13, stride 2, crop (centre) 4 (receptive-field-tools.md §4.10).
  // Size: floor((32 + 4 - 13)/2) + 1 = 12.
  ['conv(1, 5, stride: 2, pad: 2, dilation: 3)', '[32, 32, 1]', [12, 12, 1], [13, 2, 4], [13, 2, 4], 26, 12 * 12 * 25, 'netharn dilated conv'],
  // google N5 first layer: kernel (kh 3, kw 5), stride 2, VALID (§4.1): per axis (3, 2, 1) and (5, 2, 2).
  ['conv(1, (3, 5), stride: 2)', '[9, 11, 1]', [4, 4, 1], [3, 2, 1], [5, 2, 2], 16, 16 * 15, 'google N5'],
  // torch-scan Sequential(Conv2d(3, 8, 5), ...) first layer on 32x32: RF 5 (§4.9); output 28.
  ['conv(8, 5, bias: false)', '[32, 32, 3]', [28, 28, 8], [5, 1, 2], [5, 1, 2], 600, 28 * 28 * 8 * 75, 'torch-scan, no bias'],
  // Explicit (h, w) padding and `valid`.
  ['conv(4, 3, pad: (0, 2))', '[10, 10, 1]', [8, 12, 4], [3, 1, 1], [3, 1, -1], 40, 8 * 12 * 4 * 9, 'padding (h, w)'],
  ['conv(4, 3, pad: valid)', '[10, 10, 1]', [8, 8, 4], [3, 1, 1], [3, 1, 1], 40, 8 * 8 * 4 * 9, '`valid` is 0'],
];

for (const [call, input, shape, y, x, params, macs, source] of table) {
  test(`conv: ${source}: ${call} on ${input}`, () => {
    const f = facts(runOp(call, input));
    assert.equal(f.shape, shape, 'shape');
    assert.equal(f.map, [y, x], 'map [rf, stride, centre]');
    assert.is(f.params, params, 'params');
    assert.is(f.macs, macs, 'MACs');
  });
}

test('conv: jotaf98 sweep: kernel (kw+1, kw), stride (sx+1, sx), pad (px+1, px) → rf (kw+1, kw), stride (sx+1, sx), effective padding (px+1, px)', () => {
  // receptive-field-tools.md §4.6: "Expect rfsize == (kw, kh), stride == (sx, sy), offset == (-px, -py)"
  // where offset = -P (effective padding P = (rf - 1)/2 - centre).
  for (const kw of [1, 2, 3, 5]) {
    for (const sx of [1, 2, 3]) {
      for (const px of [1, 2, 3, 5]) {
        const run = runOp(`conv(1, (${kw + 1}, ${kw}), stride: (${sx + 1}, ${sx}), pad: (${px + 1}, ${px}))`, '[40, 48, 1]');
        assert.ok(run.ok, run.headlines.join('\n'));
        const [my, mx] = run.node!.type.map;
        assert.equal([my.rf(), mx.rf()], [kw + 1, kw]);
        assert.equal([my.stride.toNumber(), mx.stride.toNumber()], [sx + 1, sx]);
        assert.equal([my.padding().toNumber(), mx.padding().toNumber()], [px + 1, px]);
      }
    }
  }
});

test('conv `pad: same`, stride 1: output n; total padding d(k-1), the extra row at the bottom (TF)', () => {
  // k 3: total 2 → top 1, bottom 1, centre 0. k 4: total 3 → top 1, bottom 2, centre 3/2 - 1 = 0.5.
  const k3 = runOp('conv(8, 3, pad: same)', '[H, W, 3]');
  assert.equal(facts(k3, { H: 7, W: 9 }).shape, [7, 9, 8]);
  assert.equal(k3.node!.info['padding'], { top: 1, bottom: 1, left: 1, right: 1 });
  const k4 = runOp('conv(8, 4, pad: same)', '[H, W, 3]');
  assert.equal(facts(k4, { H: 7, W: 9 }).shape, [7, 9, 8]);
  assert.equal(k4.node!.info['padding'], { top: 1, bottom: 2, left: 1, right: 2 });
  assert.is(k4.node!.type.map[0].center.toNumber(), 0.5);
  // Dilation 2, k 3: k_eff 5, total 4.
  assert.equal(runOp('conv(8, 3, pad: same, dilation: 2)', '[H, W, 3]').node!.info['padding'], { top: 2, bottom: 2, left: 2, right: 2 });
});

test('conv `pad: same`, stride 2: needs H % 2; even → total max(k - s, 0), odd → max(k - n % s, 0) (google _padding_size_conv_pool)', () => {
  // receptive-field-tools.md §3.5; for k 3, s 2: even n → total 1 (top 0), odd n → total 2 (top 1).
  const even = runOp('conv(8, 3, stride: 2, pad: same)', '[H, W, 3]', { where: 'H % 2 == 0, W % 2 == 1' });
  assert.ok(even.ok, even.headlines.join('\n'));
  assert.equal(even.node!.info['padding'], { top: 0, bottom: 1, left: 1, right: 1 });
  // Output ceil(n/2): 8 → 4, 9 → 5; centre of unit 0: (1 - top)·1 = 1 on y (even), 0 on x (odd).
  assert.equal(facts(even, { H: 8, W: 9 }).shape, [4, 5, 8]);
  assert.equal([even.node!.type.map[0].center.toNumber(), even.node!.type.map[1].center.toNumber()], [1, 0]);
  // A fixed size resolves it too (--size).
  const sized = runOp('conv(8, 3, stride: 2, pad: same)', '[H, W, 3]', { sizes: { H: 9, W: 8 } });
  assert.ok(sized.ok, sized.headlines.join('\n'));
  assert.equal(sized.node!.info['padding'], { top: 1, bottom: 1, left: 0, right: 1 });
  // Unknown parity: an error at `pad` naming the axis.
  const unknown = runOp('conv(8, 3, stride: 2, pad: same)', '[H, W, 3]', { where: 'W % 2 == 0' });
  assert.equal(unknown.headlines, ['error[shape]: `pad: same` with stride 2 depends on the input height mod 2, which is not fixed']);
  // Stride 1 never needs it.
  assert.ok(runOp('conv(8, 3, pad: same)', '[H, W, 3]').ok);
});

test('conv: symbolic output sizes', () => {
  const s2 = runOp('conv(8, 3, stride: 2)', '[H, W, 3]');
  // floor((H - 3)/2) + 1 = floor((H - 1)/2): 224 → 111, 225 → 112.
  assert.equal([facts(s2, { H: 224, W: 225 }).shape[0], facts(s2, { H: 224, W: 225 }).shape[1]], [111, 112]);
  assert.is(s2.node!.type.shape[0].format(s2.typed!.domain), 'floor((H - 1)/2)');
});

test('conv contract errors: groups must divide channels; bilinear init is for deconv', () => {
  assert.equal(runOp('conv(256, 5, groups: 5)', '[27, 27, 96]').headlines, ['error[channels]: `groups: 5` must divide both channel counts (96 in, 256 out)']);
  assert.equal(runOp('conv(10, 5, groups: 4)', '[27, 27, 96]').headlines, ['error[channels]: `groups: 4` must divide both channel counts (96 in, 10 out)']);
  assert.equal(runOp('conv(8, 3, init: bilinear)', '[9, 9, 3]').headlines, ['error[argument]: `init: bilinear` is for `deconv` (upsampling kernels)']);
  assert.equal(runOp('conv(8, 0)', '[9, 9, 3]').headlines, ['error[type]: `k` of `conv`: must be at least 1, found 0']);
});

test('conv parameters: tfjs layout [kh, kw, cin/groups, cout], He fan-in kh·kw·cin/groups', () => {
  const run = runOp('conv(256, (5, 3), pad: 2, groups: 2)', '[27, 27, 96]');
  const [kernel, bias] = run.node!.params;
  assert.equal([kernel!.local, kernel!.shape, kernel!.fanIn, kernel!.role], ['kernel', [5, 3, 48, 256], 5 * 3 * 48, 'learned']);
  assert.equal([bias!.local, bias!.shape, bias!.name], ['bias', [256], 'out/bias']);
});

test.run();
