/**
 * specs/fcn32s.net: FCN-32s as released (shelhamer/fcn.berkeleyvision.org voc-fcn32s).
 * Numbers: paper-architectures.md §2.1, §2.2, §2.4, §2.5 and FCN Table 1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpec, variantErrors } from './helpers.js';

const at500 = checkSpec('fcn32s.net', { sizes: { H: 500, W: 500 } });

test('parameters: 136,152,917 blobs = 134,346,581 learned ("134M", FCN Table 1) + 1,806,336 fixed', () => {
  assert.is(at500.report.params, 136_152_917);
  assert.is(at500.summary.params.learned, 134_346_581);
  // The fixed bilinear deconvolution keeps Caffe's full 21·21·64·64 kernel (lr_mult 0).
  assert.is(at500.summary.params.fixed, 21 * 21 * 64 * 64);
  assert.is(at500.layer('upscore').params, 1_806_336);
});

test('the crop offset is the release\'s 19 (derived, not written)', () => {
  assert.equal(at500.crops(), { score: [19, 19] });
  // Hand derivation (§2.5): conv1_1 pad 100 puts unit 0 at -99; five 2x2 pools add
  // 0.5·(1+2+4+8+16) = 15.5; fc6 adds 3·32: score_fr at 12.5. upscore unit 0 is 31.5 units of
  // stride 1 before that: -19.
  assert.equal(at500.layer('score_fr').center, [12.5, 12.5]);
  assert.equal(at500.layer('upscore').center, [-19, -19]);
});

test('500x500 sizes, receptive fields and strides (FCN Table 1: rf 404, max stride 32)', () => {
  const sizes: [string, number][] = [
    ['vgg/conv1_1', 698],
    ['vgg/pool1', 349],
    ['vgg/pool2', 175], // ceil; floor would give 174
    ['vgg/pool3', 88],
    ['vgg/pool4', 44],
    ['vgg/pool5', 22],
    ['fc6', 16],
    ['score_fr', 16],
    ['upscore', 544],
    ['score', 500],
  ];
  for (const [name, n] of sizes) assert.equal(at500.shape(name).slice(0, 2), [n, n], name);
  assert.equal(at500.layer('score_fr').rf, [404, 404]);
  assert.equal(at500.layer('fc7').rf, [404, 404]);
  assert.equal(at500.layer('score_fr').stride, [32, 32]);
  assert.is(at500.summary.coarsest.stride, 32);
  // After the 64/32 deconvolution every output reads 2 score_fr units: 404 + 32 = 436, the
  // recurrence's value too.
  const out = at500.report.outputs[0]!;
  assert.equal(out.shape, [500, 500, 21]);
  assert.equal(out.rf, [436, 436]);
  assert.equal(out.stride, [1, 1]);
});

test('every input size fits, with the same offset (§2.5: "every square input size from 1 to 1200")', () => {
  const symbolic = checkSpec('fcn32s.net');
  assert.equal(
    symbolic.typed.variables.map((v) => [v.name, v.smallest]),
    [
      ['H', 1],
      ['W', 1],
    ],
  );
  assert.equal(symbolic.report.outputs[0]!.shape, ['H', 'W', 21]);
  for (const n of [1, 31, 33, 227, 1200]) {
    const c = checkSpec('fcn32s.net', { sizes: { H: n, W: n + 1 } });
    assert.equal(c.report.outputs[0]!.shape, [n, n + 1, 21], `at ${n}`);
    assert.equal(c.crops(), { score: [19, 19] });
  }
});

test('with floor pooling (TensorFlow\'s VALID) the 500x500 crop runs out of bounds (§2.5, §5.3)', () => {
  // "FCN-32s at 500×500: the final crop goes out of bounds": upscore is 512 < 19 + 500.
  const failure = variantErrors(
    `import { vgg16_features } from "specs/vgg16.net"
    network fcn32s_floor(classes: int = 21) {
      input image: [H, W, 3]
      let vgg = image |> vgg16_features(pad1: 100, ceil: false)
      output score = vgg.pool5 |> conv(4096, 7) |> relu |> conv(4096, 1) |> relu |> conv(classes, 1)
        |> deconv(classes, 64, stride: 32, bias: false, trainable: false) |> crop(to: image)
    }`,
    { sizes: { H: 500, W: 500 } },
  );
  assert.ok(failure?.includes('error[crop]'), failure);
  assert.ok(failure?.includes('needs 19 + 500 = 519 rows, the input has 512'), failure);
});

test.run();
