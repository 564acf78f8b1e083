/**
 * Receptive fields, strides, centres and crop offsets of published networks, built as chains of
 * relative maps. Sources: /work/shared/reference/receptive-field-tools.md (RFT) and
 * paper-architectures.md (PA), section given per test. "start" in PA is our centre of unit 0;
 * "P" in RFT is the effective padding `(rf - 1)/2 - centre`.
 *
 * Where a decoder follows a second upsampling stage, PA's [C] rf column uses the linear
 * recurrence `r' = r + (k - 1)·j` (PA §0), which assumes neighbouring units' regions are j apart.
 * After an unpool or a deconv they are 0 or 2j apart in alternation, so the exact rf (language.md
 * §5: derived from which units each unit reads) is larger. Those rows assert the exact value,
 * with a derivation and PA's value in a comment, and are cross-checked against explicit pixel
 * sets (brute-force.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AxisMap, chain, compose, cropOffset, cropOffsetBetween, identityMap, merge, offsets, transposedWindow,
  unpool, window,
} from '../../../compiler/coordmap.js';
import {
  bruteRf, convReads, deconvReads, inputPixels, shiftReads, through, unionOf, type PixelSets, type Reads,
} from './brute-force.js';

const conv = (k: number, p = 0, s = 1, d = 1) => window({ k, s, p, d });
const pool = (k: number, s = k, p = 0) => window({ k, s, p });
const deconv = (k: number, s: number, p = 0) => transposedWindow({ k, s, p });
const elementwise = identityMap;

/** [rf, stride, centre] of a map, numbers. */
const rsc = (m: AxisMap) => [m.rf(), m.stride.toNumber(), m.center.toNumber()];
/** [rf, stride, effective padding]. */
const rsp = (m: AxisMap) => [m.rf(), m.stride.toNumber(), m.padding().toNumber()];

/** Applies named layers in sequence from `start`, returning every intermediate map by name. */
function run(start: AxisMap, layers: readonly [string, AxisMap][]): Map<string, AxisMap> {
  const out = new Map<string, AxisMap>();
  let m = start;
  for (const [name, layer] of layers) {
    m = compose(m, layer);
    out.set(name, m);
  }
  return out;
}

test('VGG16 per layer (RFT §4.2, google receptive_field table; TF SAME = Caffe pad 1 here)', () => {
  const layers: [string, AxisMap][] = [];
  const block = (b: number, convs: number) => {
    for (let i = 1; i <= convs; i++) layers.push([`conv${b}_${i}`, conv(3, 1)]);
    layers.push([`pool${b}`, pool(2)]);
  };
  [2, 2, 3, 3, 3].forEach((n, i) => block(i + 1, n));
  const m = run(identityMap(), layers);
  const expected: [string, number, number, number][] = [
    ['conv1_1', 3, 1, 1], ['pool1', 6, 2, 2], ['conv2_1', 10, 2, 4], ['pool2', 16, 4, 6],
    ['conv3_1', 24, 4, 10], ['conv3_2', 32, 4, 14], ['conv3_3', 40, 4, 18], ['pool3', 44, 8, 18],
    ['conv4_1', 60, 8, 26], ['conv4_2', 76, 8, 34], ['conv4_3', 92, 8, 42], ['pool4', 100, 16, 42],
    ['conv5_1', 132, 16, 58], ['conv5_2', 164, 16, 74], ['conv5_3', 196, 16, 90], ['pool5', 212, 32, 90],
  ];
  for (const [name, r, s, p] of expected) assert.equal(rsp(m.get(name)!), [r, s, p], name);
});

test('vgg_a (VGG-11) and alexnet_v2 per layer (RFT §4.2)', () => {
  const vggA = run(identityMap(), [
    ['conv1_1', conv(3, 1)], ['pool1', pool(2)], ['conv2_1', conv(3, 1)], ['pool2', pool(2)],
    ['conv3_1', conv(3, 1)], ['conv3_2', conv(3, 1)], ['pool3', pool(2)],
    ['conv4_1', conv(3, 1)], ['conv4_2', conv(3, 1)], ['pool4', pool(2)],
    ['conv5_1', conv(3, 1)], ['conv5_2', conv(3, 1)], ['pool5', pool(2)],
  ]);
  const expectedA: [string, number, number, number][] = [
    ['conv1_1', 3, 1, 1], ['pool1', 4, 2, 1], ['conv2_1', 8, 2, 3], ['pool2', 10, 4, 3], ['conv3_1', 18, 4, 7],
    ['conv3_2', 26, 4, 11], ['pool3', 30, 8, 11], ['conv4_1', 46, 8, 19], ['conv4_2', 62, 8, 27],
    ['pool4', 70, 16, 27], ['conv5_1', 102, 16, 43], ['conv5_2', 134, 16, 59], ['pool5', 150, 32, 59],
  ];
  for (const [name, r, s, p] of expectedA) assert.equal(rsp(vggA.get(name)!), [r, s, p], name);
  // alexnet_v2: conv1 11x11/4 VALID, pool 3/2 VALID, conv2 5x5 SAME (pad 2), pool 3/2, conv3-5 3x3 SAME, pool 3/2.
  const alex = run(identityMap(), [
    ['conv1', conv(11, 0, 4)], ['pool1', pool(3, 2)], ['conv2', conv(5, 2)], ['pool2', pool(3, 2)],
    ['conv3', conv(3, 1)], ['conv4', conv(3, 1)], ['conv5', conv(3, 1)], ['pool5', pool(3, 2)],
  ]);
  const expectedAlex: [string, number, number, number][] = [
    ['conv1', 11, 4, 0], ['pool1', 19, 8, 0], ['conv2', 51, 8, 16], ['pool2', 67, 16, 16], // pool2 [derived]
    ['conv3', 99, 16, 32], ['conv4', 131, 16, 48], ['conv5', 163, 16, 64], ['pool5', 195, 32, 64],
  ];
  for (const [name, r, s, p] of expectedAlex) assert.equal(rsp(alex.get(name)!), [r, s, p], name);
});

test('rfa_toolbox VGG-11/13/19 RF per node and torchvision alexnet.features (RFT §4.8-4.10)', () => {
  const vgg = (blocks: number[]) => {
    const rfs = [1];
    let m = identityMap();
    for (const n of blocks) {
      for (let i = 0; i < n; i++) rfs.push((m = compose(m, conv(3, 1))).rf());
      rfs.push((m = compose(m, pool(2))).rf());
    }
    return rfs;
  };
  assert.equal(vgg([1, 1, 2, 2, 2]), [1, 3, 4, 8, 10, 18, 26, 30, 46, 62, 70, 102, 134, 150]);
  assert.equal(vgg([2, 2, 2, 2, 2]), [1, 3, 5, 6, 10, 14, 16, 24, 32, 36, 52, 68, 76, 108, 140, 156]);
  assert.equal(vgg([2, 2, 4, 4, 4]),
    [1, 3, 5, 6, 10, 14, 16, 24, 32, 40, 48, 52, 68, 84, 100, 116, 124, 156, 188, 220, 252, 268]);
  // netharn: torchvision alexnet().features → shape 195, stride 32, crop (centre) 31.
  const features = chain(identityMap(), conv(11, 2, 4), pool(3, 2), conv(5, 2), pool(3, 2), conv(3, 1), conv(3, 1), conv(3, 1), pool(3, 2));
  assert.equal(rsc(features), [195, 32, 31]);
  // Fangyh09 docstring: layer "8" (ReLU after conv3), unit 6 → (62.0, 161.0) on its half-open
  // pixel grid: pixels 62..160 here; jump 16, rf 99, start 15.5 (= centre + 0.5).
  const conv3 = chain(identityMap(), conv(11, 2, 4), pool(3, 2), conv(5, 2), pool(3, 2), conv(3, 1));
  assert.equal(rsc(conv3), [99, 16, 15]);
  assert.equal(conv3.region(6), { kind: 'interval', lo: 62, hi: 160 });
});

test('Fangyh09 README net and netharn doctests (RFT §4.5, §4.10)', () => {
  // Conv(k7, s2, p3) → BN → ReLU → MaxPool(3, 2, 1) → AvgPool(3, 2, 1): (start, jump, rf) rows
  // 1: 0.5 2 7; 4: 0.5 4 11; 5: 0.5 8 19 (start = centre + 0.5).
  const m = run(identityMap(), [['1', conv(7, 3, 2)], ['2', elementwise()], ['3', elementwise()], ['4', pool(3, 2, 1)], ['5', pool(3, 2, 1)]]);
  assert.equal(rsc(m.get('1')!), [7, 2, 0]);
  assert.equal(rsc(m.get('4')!), [11, 4, 0]);
  assert.equal(rsc(m.get('5')!), [19, 8, 0]);
  // receptive_field_for_unit(d, "2", (1, 1)) = (0, 6.0) clipped; unclipped (-1, 6) half-open.
  assert.equal(m.get('2')!.region(1), { kind: 'interval', lo: -1, hi: 5 });
  // netharn (shape, stride, crop = centre): Conv2d(k5, s2, p2, d3) 13/2/4; MaxPool(k3, s2, p2, d2)
  // 5/2/0; MaxPool(k3, s2, p2) 3/2/-1; conv3 → maxpool 2/2 → conv3/2: 8/4/3.5.
  assert.equal(rsc(conv(5, 2, 2, 3)), [13, 2, 4]);
  assert.equal(rsc(window({ k: 3, s: 2, p: 2, d: 2 })), [5, 2, 0]);
  assert.equal(rsc(pool(3, 2, 2)), [3, 2, -1]);
  assert.equal(rsc(chain(identityMap(), conv(3), pool(2), conv(3, 0, 2), conv(1))), [8, 4, 3.5]);
  // Offset conventions (RFT §4.12): conv(5, 1, 0): P = 0, centre 2; conv(5, 2, 2): P = 2, centre 0.
  assert.equal([conv(5).padding().toNumber(), conv(5).center.toNumber()], [0, 2]);
  assert.equal([conv(5, 2, 2).padding().toNumber(), conv(5, 2, 2).center.toNumber()], [2, 0]);
});

/** SegNet encoder–decoder: the table rows of PA §1.2 / §1.3. */
function segnet(convsPerBlock: readonly number[], k: number, lrn: boolean): Map<string, AxisMap> {
  const p = (k - 1) / 2;
  const out = new Map<string, AxisMap>();
  let m = identityMap();
  if (lrn) out.set('norm', (m = compose(m, elementwise())));
  const pools: { input: AxisMap; name: string }[] = [];
  convsPerBlock.forEach((n, b) => {
    for (let i = 1; i <= n; i++) out.set(`conv${b + 1}_${i}`, (m = compose(m, conv(k, p))));
    pools.push({ input: m, name: `pool${b + 1}` });
    out.set(`pool${b + 1}`, (m = compose(m, pool(2))));
  });
  for (let b = convsPerBlock.length; b >= 1; b--) {
    out.set(`upsample${b}`, (m = unpool({ input: m, pool: { k: 2, s: 2 }, poolInput: pools[b - 1]!.input })));
    for (let i = convsPerBlock[b - 1]!; i >= 1; i--) out.set(`conv${b}_${i}_D`, (m = compose(m, conv(k, p))));
  }
  return out;
}

/** The same SegNet as explicit pixel sets: rf of every row by brute force. */
function segnetBrute(convsPerBlock: readonly number[], k: number): Map<string, number> {
  const p = (k - 1) / 2;
  const out = new Map<string, number>();
  let t: PixelSets = inputPixels;
  const pooled: PixelSets[] = [];
  convsPerBlock.forEach((n, b) => {
    for (let i = 1; i <= n; i++) t = through(t, convReads(k, 1, p));
    out.set(`pool${b + 1}`, bruteRf((t = through(t, convReads(2, 2)))));
    pooled.push(t);
  });
  for (let b = convsPerBlock.length; b >= 1; b--) {
    // unpool: the value of the pooled unit whose window holds u, placed by that window's argmax.
    const scatter = deconvReads(2, 2);
    out.set(`upsample${b}`, bruteRf((t = unionOf(through(t, scatter), through(pooled[b - 1]!, scatter)))));
    for (let i = convsPerBlock[b - 1]!; i >= 1; i--) out.set(`conv${b}_${i}_D`, bruteRf((t = through(t, convReads(k, 1, p)))));
  }
  return out;
}

test('SegNet (VGG16 encoder-decoder) rf / jump / start per row, unpool rows included (PA §1.2)', () => {
  const m = segnet([2, 2, 3, 3, 3], 3, false);
  // [name, rf, jump, start] from PA §1.2.
  const rows: [string, number, number, number][] = [
    ['conv1_1', 3, 1, 0], ['conv1_2', 5, 1, 0], ['pool1', 6, 2, 0.5], ['conv2_1', 10, 2, 0.5], ['conv2_2', 14, 2, 0.5],
    ['pool2', 16, 4, 1.5], ['conv3_1', 24, 4, 1.5], ['conv3_2', 32, 4, 1.5], ['conv3_3', 40, 4, 1.5], ['pool3', 44, 8, 3.5],
    ['conv4_1', 60, 8, 3.5], ['conv4_2', 76, 8, 3.5], ['conv4_3', 92, 8, 3.5], ['pool4', 100, 16, 7.5],
    ['conv5_1', 132, 16, 7.5], ['conv5_2', 164, 16, 7.5], ['conv5_3', 196, 16, 7.5], ['pool5', 212, 32, 15.5],
    ['upsample5', 212, 16, 7.5], ['conv5_3_D', 244, 16, 7.5], ['conv5_2_D', 276, 16, 7.5], ['conv5_1_D', 308, 16, 7.5],
    ['upsample4', 308, 8, 3.5],
    // Exact from here (PA's linear recurrence in brackets). conv4_3_D: upsample4 unit u is
    // conv5_1_D unit floor(u/2); conv5_1_D units 2a and 2a+1 read pool5 units a-2..a+1 and
    // a-1..a+2, so conv4_3_D units reading both span 5 pool5 units: 212 + 4·32 = 340 [324].
    ['conv4_3_D', 340, 8, 3.5], ['conv4_2_D', 340, 8, 3.5] /* [340] */, ['conv4_1_D', 372, 8, 3.5] /* [356] */,
    ['upsample3', 372, 4, 1.5] /* [356] */, ['conv3_3_D', 372, 4, 1.5] /* [364] */, ['conv3_2_D', 372, 4, 1.5] /* [372] */,
    ['conv3_1_D', 404, 4, 1.5] /* [380] */, ['upsample2', 404, 2, 0.5] /* [380] */, ['conv2_2_D', 404, 2, 0.5] /* [384] */,
    ['conv2_1_D', 404, 2, 0.5] /* [388] */, ['upsample1', 404, 1, 0] /* [388] */, ['conv1_2_D', 404, 1, 0] /* [390] */,
    ['conv1_1_D', 404, 1, 0] /* [392] */,
  ];
  for (const [name, rf, jump, start] of rows) assert.equal(rsc(m.get(name)!), [rf, jump, start], name);
  // Cross-check every pooling and decoder row against explicit pixel sets.
  for (const [name, rf] of segnetBrute([2, 2, 3, 3, 3], 3)) assert.is(m.get(name)!.rf(), rf, `${name} (brute force)`);
});

test('SegNet-Basic rows, and the 106x106 context window after pool4 (PA §1.3)', () => {
  // conv_decodeN is the 7x7 conv after upsampleN (named conv{N}_1_D here); the classifier is 1x1.
  const m = segnet([1, 1, 1, 1], 7, true);
  const rows: [string, number, number, number][] = [
    ['norm', 1, 1, 0], ['conv1_1', 7, 1, 0], ['pool1', 8, 2, 0.5], ['conv2_1', 20, 2, 0.5], ['pool2', 22, 4, 1.5],
    ['conv3_1', 46, 4, 1.5], ['pool3', 50, 8, 3.5], ['conv4_1', 98, 8, 3.5], ['pool4', 106, 16, 7.5],
    ['upsample4', 106, 8, 3.5], ['conv4_1_D', 154, 8, 3.5], ['upsample3', 154, 4, 1.5],
    // Exact from here [PA]. conv_decode3 unit u reads upsample3 units u-3..u+3, i.e. 4
    // conv_decode4 units a..a+3; conv_decode4 unit w reads pool4 units floor((w-3)/2)..floor((w+3)/2),
    // so for even a they span pool4 units a/2-2..a/2+3: 6 units, 106 + 5·16 = 186 [178].
    ['conv3_1_D', 186, 4, 1.5], ['upsample2', 186, 2, 0.5] /* [178] */, ['conv2_1_D', 202, 2, 0.5] /* [190] */,
    ['upsample1', 202, 1, 0] /* [190] */, ['conv1_1_D', 202, 1, 0] /* [196] */,
  ];
  for (const [name, rf, jump, start] of rows) assert.equal(rsc(m.get(name)!), [rf, jump, start], name);
  assert.equal(rsc(compose(m.get('conv1_1_D')!, conv(1))), [202, 1, 0]); // conv_classifier
  for (const [name, rf] of segnetBrute([1, 1, 1, 1], 7)) assert.is(m.get(name)!.rf(), rf, `${name} (brute force)`);
});

/** The FCN VGG16 trunk of PA §2.1 and its heads (§2.2). */
function fcn() {
  const t = run(identityMap(), [
    ['conv1_1', conv(3, 100)], ['conv1_2', conv(3, 1)], ['pool1', pool(2)],
    ['conv2_1', conv(3, 1)], ['conv2_2', conv(3, 1)], ['pool2', pool(2)],
    ['conv3_1', conv(3, 1)], ['conv3_2', conv(3, 1)], ['conv3_3', conv(3, 1)], ['pool3', pool(2)],
    ['conv4_1', conv(3, 1)], ['conv4_2', conv(3, 1)], ['conv4_3', conv(3, 1)], ['pool4', pool(2)],
    ['conv5_1', conv(3, 1)], ['conv5_2', conv(3, 1)], ['conv5_3', conv(3, 1)], ['pool5', pool(2)],
    ['fc6', conv(7)], ['fc7', conv(1)], ['score_fr', conv(1)],
  ]);
  return (name: string) => t.get(name)!;
}

test('FCN VGG16 trunk rf / jump / start (PA §2.1)', () => {
  const t = fcn();
  const rows: [string, number, number, number][] = [
    ['conv1_1', 3, 1, -99], ['conv1_2', 5, 1, -99], ['pool1', 6, 2, -98.5], ['conv2_1', 10, 2, -98.5], ['conv2_2', 14, 2, -98.5],
    ['pool2', 16, 4, -97.5], ['conv3_1', 24, 4, -97.5], ['conv3_2', 32, 4, -97.5], ['conv3_3', 40, 4, -97.5], ['pool3', 44, 8, -95.5],
    ['conv4_1', 60, 8, -95.5], ['conv4_2', 76, 8, -95.5], ['conv4_3', 92, 8, -95.5], ['pool4', 100, 16, -91.5],
    ['conv5_1', 132, 16, -91.5], ['conv5_2', 164, 16, -91.5], ['conv5_3', 196, 16, -91.5], ['pool5', 212, 32, -83.5],
    ['fc6', 404, 32, 12.5], ['fc7', 404, 32, 12.5], ['score_fr', 404, 32, 12.5],
  ];
  for (const [name, rf, jump, start] of rows) assert.equal(rsc(t(name)), [rf, jump, start], name);
  // FCN paper Table 1 (PA §2.4): rf 404, max stride 32 for FCN-VGG16.
  assert.equal([t('score_fr').rf(), t('score_fr').stride.toNumber()], [404, 32]);
});

test('FCN-32s/16s/8s heads: crop offsets 19; 5, 27; 5, 9, 31; rf after upsampling (PA §2.2, §2.5)', () => {
  const t = fcn();
  const data = identityMap();
  const offset = (from: AxisMap, to: AxisMap) => {
    const r = cropOffsetBetween(from, to);
    assert.is(r.kind, 'ok');
    return r.kind === 'ok' ? r.offset : NaN;
  };
  // FCN-32s: rf 436 = 404 + 32 (every output pixel mixes 2 score_fr units).
  const upscore = compose(t('score_fr'), deconv(64, 32));
  assert.equal(rsc(upscore), [436, 1, -19]);
  assert.is(offset(upscore, data), 19);
  assert.equal(rsc(compose(upscore, cropOffset(19))), [436, 1, 0]);
  // FCN-16s.
  const upscore2 = compose(t('score_fr'), deconv(4, 2));
  const scorePool4 = compose(t('pool4'), conv(1));
  assert.equal(rsc(upscore2), [436, 16, -11.5]);
  assert.equal(rsc(scorePool4), [100, 16, -91.5]);
  assert.is(offset(scorePool4, upscore2), 5);
  const scorePool4c = compose(scorePool4, cropOffset(5));
  assert.equal(rsc(scorePool4c), [100, 16, -11.5]);
  const fusePool4 = merge([upscore2, scorePool4c]);
  assert.equal(rsc(fusePool4), [436, 16, -11.5]);
  // upscore16 (k32 s16): pixel u reads fuse units v, v+1. upscore2 units 2m and 2m+1 both read
  // score_fr m-1, m; so for v = 2m+1 the pair reads score_fr m-1..m+1: 404 + 2·32 = 468
  // exactly (PA's linear recurrence gives 436 + 16 = 452).
  const upscore16 = compose(fusePool4, deconv(32, 16));
  assert.equal(rsc(upscore16), [468, 1, -27]);
  assert.is(offset(upscore16, data), 27);
  // FCN-8s: upscore_pool4 (k4 s2 on fuse_pool4) has the same pattern: 468 [PA 452], and so do
  // fuse_pool3 [452] and upscore8 [460].
  const upscorePool4 = compose(fusePool4, deconv(4, 2));
  assert.equal(rsc(upscorePool4), [468, 8, -23.5]);
  const scorePool3 = compose(t('pool3'), conv(1));
  assert.equal(rsc(scorePool3), [44, 8, -95.5]);
  assert.is(offset(scorePool3, upscorePool4), 9);
  const fusePool3 = merge([upscorePool4, compose(scorePool3, cropOffset(9))]);
  assert.equal(rsc(fusePool3), [468, 8, -23.5]);
  const upscore8 = compose(fusePool3, deconv(16, 8));
  assert.equal(rsc(upscore8), [468, 1, -31]);
  assert.is(offset(upscore8, data), 31);
  // k = 2s: every phase of the first upsampling reads 2 units (the smallest region is as wide).
  assert.is(upscore.rfMin(), 436);

  // Explicit pixel sets agree.
  let b: PixelSets = through(inputPixels, convReads(3, 1, 100));
  b = through(b, convReads(3, 1, 1));
  b = through(b, convReads(2, 2));
  for (const n of [2, 3]) {
    for (let i = 0; i < n; i++) b = through(b, convReads(3, 1, 1));
    b = through(b, convReads(2, 2));
  }
  const pool3 = b;
  for (let i = 0; i < 3; i++) b = through(b, convReads(3, 1, 1));
  const pool4 = (b = through(b, convReads(2, 2)));
  for (let i = 0; i < 3; i++) b = through(b, convReads(3, 1, 1));
  const scoreFr = through(through(b, convReads(2, 2)), convReads(7));
  const fuse4 = unionOf(through(scoreFr, deconvReads(4, 2)), through(pool4, shiftReads(5)));
  const fuse3 = unionOf(through(fuse4, deconvReads(4, 2)), through(pool3, shiftReads(9)));
  assert.equal(
    [through(scoreFr, deconvReads(64, 32)), fuse4, through(fuse4, deconvReads(32, 16)), fuse3, through(fuse3, deconvReads(16, 8))].map((x) => bruteRf(x)),
    [upscore, fusePool4, upscore16, fusePool3, upscore8].map((m) => m.rf()),
  );
});

test('FCN-AlexNet: offset 18 with k = 63, fractional 18.5 with k = 64, rf 387 (PA §2.3)', () => {
  const trunk = run(identityMap(), [
    ['conv1', conv(11, 100, 4)], ['pool1', pool(3, 2)], ['norm1', elementwise()], ['conv2', conv(5, 2)],
    ['pool2', pool(3, 2)], ['norm2', elementwise()], ['conv3', conv(3, 1)], ['conv4', conv(3, 1)],
    ['conv5', conv(3, 1)], ['pool5', pool(3, 2)], ['fc6', conv(6)], ['fc7', conv(1)], ['score_fr', conv(1)],
  ]);
  const rows: [string, number, number, number][] = [
    ['conv1', 11, 4, -95], ['pool1', 19, 8, -91], ['norm1', 19, 8, -91], ['conv2', 51, 8, -91], ['pool2', 67, 16, -83],
    ['conv3', 99, 16, -83], ['conv4', 131, 16, -83], ['conv5', 163, 16, -83], ['pool5', 195, 32, -67],
    ['fc6', 355, 32, 13], ['fc7', 355, 32, 13], ['score_fr', 355, 32, 13],
  ];
  for (const [name, rf, jump, start] of rows) assert.equal(rsc(trunk.get(name)!), [rf, jump, start], name);
  const upscore = compose(trunk.get('score_fr')!, deconv(63, 32));
  assert.equal(rsc(upscore), [387, 1, -18]);
  assert.equal(cropOffsetBetween(upscore, identityMap()), { kind: 'ok', offset: 18 });
  // k = 63 < 2s: some output phases read one coarse unit, some two.
  assert.is(upscore.rfMin(), 355);
  const k64 = cropOffsetBetween(compose(trunk.get('score_fr')!, deconv(64, 32)), identityMap());
  assert.is(k64.kind, 'fractional');
  if (k64.kind === 'fractional') assert.is(k64.offset.toString(), '18.5'); // coord_map's b = -18.5
});

test('OverFeat fast and accurate rf / jump / start (PA §3.2, §3.3)', () => {
  const fast = run(identityMap(), [
    ['conv1', conv(11, 0, 4)], ['pool1', pool(2)], ['conv2', conv(5)], ['pool2', pool(2)], ['conv3', conv(3, 1)],
    ['conv4', conv(3, 1)], ['conv5', conv(3, 1)], ['pool5', pool(2)], ['fc6', conv(6)], ['fc7', conv(1)], ['fc8', conv(1)],
  ]);
  const fastRows: [string, number, number, number][] = [
    ['conv1', 11, 4, 5], ['pool1', 15, 8, 7], ['conv2', 47, 8, 23], ['pool2', 55, 16, 27], ['conv3', 87, 16, 27],
    ['conv4', 119, 16, 27], ['conv5', 151, 16, 27], ['pool5', 167, 32, 35], ['fc6', 327, 32, 115], ['fc8', 327, 32, 115],
  ];
  for (const [name, rf, jump, start] of fastRows) assert.equal(rsc(fast.get(name)!), [rf, jump, start], name);
  const accurate = run(identityMap(), [
    ['conv1', conv(7, 0, 2)], ['pool1', pool(3)], ['conv2', conv(7)], ['pool2', pool(2)], ['conv3', conv(3, 1)],
    ['conv4', conv(3, 1)], ['conv5', conv(3, 1)], ['conv6', conv(3, 1)], ['pool6', pool(3)], ['fc7', conv(5)],
    ['fc8', conv(1)], ['fc9', conv(1)],
  ]);
  const accurateRows: [string, number, number, number][] = [
    ['conv1', 7, 2, 3], ['pool1', 11, 6, 5], ['conv2', 47, 6, 23], ['pool2', 53, 12, 26], ['conv3', 77, 12, 26],
    ['conv4', 101, 12, 26], ['conv5', 125, 12, 26], ['conv6', 149, 12, 26], ['pool6', 173, 36, 38],
    ['fc7', 317, 36, 110], ['fc9', 317, 36, 110],
  ];
  for (const [name, rf, jump, start] of accurateRows) assert.equal(rsc(accurate.get(name)!), [rf, jump, start], name);
});

test('OverFeat accurate with offset pooling: stride 36 → 12, and the dilated equivalent has the same map (PA §3.5)', () => {
  const features = chain(identityMap(), conv(7, 0, 2), pool(3), conv(7), pool(2), conv(3, 1), conv(3, 1), conv(3, 1), conv(3, 1));
  const classifier = chain(pool(3), conv(5), conv(1), conv(1));
  const plain = compose(features, classifier);
  assert.equal(rsc(plain), [317, 36, 110]);
  const shifted = compose(features, offsets(3, classifier));
  assert.equal(rsc(shifted), [317, 12, 110]);
  // Unit u = 3v + Δ reads feature units [u, u + 14]: every unit has the full 317-pixel region,
  // 12 pixels apart: region(u) = [110 + 12u - 158, 110 + 12u + 158].
  for (const u of [0, 1, 2, 3, 7]) assert.equal(shifted.region(u), { kind: 'interval', lo: 12 * u - 48, hi: 12 * u + 268 });
  // à trous: stride-1 max-pool 3 then the 5x5 classifier dilated by 3.
  const dilated = compose(features, chain(pool(3, 1), conv(5, 0, 1, 3), conv(1), conv(1)));
  assert.ok(dilated.equals(shifted));
  assert.ok(offsets(3, classifier).equals(chain(pool(3, 1), conv(5, 0, 1, 3), conv(1), conv(1))));
});

test('U-Net: skip crop offsets 4, 16, 40, 88 and output pixel 0 at input 92 (RFT §4.4)', () => {
  const twoConvs = chain(conv(3), conv(3));
  const e1 = compose(identityMap(), twoConvs);
  const e2 = chain(e1, pool(2), twoConvs);
  const e3 = chain(e2, pool(2), twoConvs);
  const e4 = chain(e3, pool(2), twoConvs);
  const bottom = chain(e4, pool(2), twoConvs);
  const up = deconv(2, 2);
  const u4 = compose(bottom, up);
  const d4 = compose(merge([u4, compose(e4, cropOffset(4))]), twoConvs);
  const u3 = compose(d4, up);
  const d3 = compose(merge([u3, compose(e3, cropOffset(16))]), twoConvs);
  const u2 = compose(d3, up);
  const d2 = compose(merge([u2, compose(e2, cropOffset(40))]), twoConvs);
  const u1 = compose(d2, up);
  const out = compose(merge([u1, compose(e1, cropOffset(88))]), twoConvs);
  assert.equal([cropOffsetBetween(e4, u4), cropOffsetBetween(e3, u3), cropOffsetBetween(e2, u2), cropOffsetBetween(e1, u1)],
    [4, 16, 40, 88].map((offset) => ({ kind: 'ok', offset })));
  assert.equal([out.stride.toNumber(), out.center.toNumber()], [1, 92]);
  assert.is(out.centerOf(0).toNumber(), 92);
  // No padding anywhere and exact pooling at 572: output pixel 0's region starts at input pixel
  // 0 and output pixel 387's ends at 571, the last input pixel.
  const first = out.region(0);
  const last = out.region(387);
  assert.ok(first.kind === 'interval' && first.lo === 0);
  assert.ok(last.kind === 'interval' && last.hi === 571);
  // The regions themselves (0..187 for pixel 0; rf between 188 and 204 with period 16) agree
  // with explicit pixel sets.
  const pair: Reads[] = [convReads(3), convReads(3)];
  const twice = (t: PixelSets) => pair.reduce(through, t);
  const b1 = twice(inputPixels);
  const b2 = twice(through(b1, convReads(2, 2)));
  const b3 = twice(through(b2, convReads(2, 2)));
  const b4 = twice(through(b3, convReads(2, 2)));
  let y = twice(through(b4, convReads(2, 2)));
  for (const [enc, o] of [[b4, 4], [b3, 16], [b2, 40], [b1, 88]] as const) {
    y = twice(unionOf(through(y, deconvReads(2, 2)), through(enc, shiftReads(o))));
  }
  assert.equal(first, { kind: 'interval', lo: 0, hi: 187 });
  assert.equal([out.rf(), out.rfMin(), out.regions.period], [204, 188, 16]);
  assert.is(bruteRf(y, 0, 32), out.rf());
  assert.equal([...y(0)].sort((a, b) => a - b), Array.from({ length: 188 }, (_, i) => i));
});

test.run();
