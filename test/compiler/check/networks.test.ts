/**
 * Whole networks written as `.net` text, checked end to end against published tables:
 * receptive-field-tools.md (RFT) §4.1-§4.4 and paper-architectures.md (PA) §1-§3. (r, S, P) is
 * rf, effective stride and effective padding `(r - 1)/2 - centre` (google receptive_field's P).
 * Receptive fields are exact (language.md §5): after a second upsampling stage they exceed PA's
 * one-line recurrence, whose value is cited next to each such number.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TypedGraph } from '../../../compiler/check/types.js';
import { checkText, headlines, mapOf, mustCheck, paramsOf, shapeAt, typedNamed } from './harness.js';
import { fcn16s, fcn32s, fcn8s, fcnAlexnet } from './nets/fcn.js';
import { segnet, segnetBasic } from './nets/segnet.js';

const rsp = (typed: TypedGraph, name: string, axis: 0 | 1 = 0) => {
  const m = mapOf(typedNamed(typed, name), axis);
  return [m.rf, m.stride, m.padding];
};
const totalParams = (typed: TypedGraph) => [...typed.nodes.values()].reduce((s, t) => s + paramsOf(t), 0);

// ───────────────────────────── google receptive_field tables (RFT §4.2) ─────────────────────────────

const vgg16 = `block c3(x, c: int) = x |> conv(c, 3, pad: 1) |> relu
network vgg_16() {
  input image: [224, 224, 3]
  output features = image
    |> c3(64) as conv1_1 |> c3(64) as conv1_2 |> maxpool(2) as pool1
    |> c3(128) as conv2_1 |> c3(128) as conv2_2 |> maxpool(2) as pool2
    |> c3(256) as conv3_1 |> c3(256) as conv3_2 |> c3(256) as conv3_3 |> maxpool(2) as pool3
    |> c3(512) as conv4_1 |> c3(512) as conv4_2 |> c3(512) as conv4_3 |> maxpool(2) as pool4
    |> c3(512) as conv5_1 |> c3(512) as conv5_2 |> c3(512) as conv5_3 |> maxpool(2) as pool5
}
`;

test('VGG-16 per layer (r, S, P): google RECEPTIVE_FIELD_TABLE (RFT §4.2); conv3_3, conv4_3, conv5_3 [derived]', () => {
  const typed = mustCheck(vgg16);
  const table: [string, number, number, number][] = [
    ['conv1_1', 3, 1, 1], ['pool1', 6, 2, 2], ['conv2_1', 10, 2, 4], ['pool2', 16, 4, 6], ['conv3_1', 24, 4, 10],
    ['conv3_2', 32, 4, 14], ['conv3_3', 40, 4, 18], ['pool3', 44, 8, 18], ['conv4_1', 60, 8, 26], ['conv4_2', 76, 8, 34],
    ['conv4_3', 92, 8, 42], ['pool4', 100, 16, 42], ['conv5_1', 132, 16, 58], ['conv5_2', 164, 16, 74],
    ['conv5_3', 196, 16, 90], ['pool5', 212, 32, 90],
  ];
  for (const [name, r, s, p] of table) {
    // A block call named with `as` qualifies its layers: the conv is `conv1_1/conv`, its relu the block's output.
    const node = name.startsWith('pool') ? name : `${name}/relu`;
    assert.equal(rsp(typed, node), [r, s, p], name);
    assert.equal(rsp(typed, node, 1), [r, s, p], `${name} (x)`);
  }
  // 224 → 7×7×512 at pool5; VGG16 conv params 14,714,688 (PA §1.2: the SegNet encoder "14.7M").
  assert.equal(shapeAt(typedNamed(typed, 'pool5')), [7, 7, 512]);
  assert.is(totalParams(typed), 14714688);
});

test('vgg_a (VGG-11) and alexnet_v2 per layer (r, S, P) (RFT §4.2; alexnet pool2 [derived] 67/16/16)', () => {
  const vggA = mustCheck(`block c3(x, c: int) = x |> conv(c, 3, pad: 1) |> relu
network vgg_a() {
  input image: [224, 224, 3]
  output features = image
    |> c3(64) as conv1_1 |> maxpool(2) as pool1 |> c3(128) as conv2_1 |> maxpool(2) as pool2
    |> c3(256) as conv3_1 |> c3(256) as conv3_2 |> maxpool(2) as pool3
    |> c3(512) as conv4_1 |> c3(512) as conv4_2 |> maxpool(2) as pool4
    |> c3(512) as conv5_1 |> c3(512) as conv5_2 |> maxpool(2) as pool5
}
`);
  const vggATable: [string, number, number, number][] = [
    ['conv1_1/relu', 3, 1, 1], ['pool1', 4, 2, 1], ['conv2_1/relu', 8, 2, 3], ['pool2', 10, 4, 3], ['conv3_1/relu', 18, 4, 7],
    ['conv3_2/relu', 26, 4, 11], ['pool3', 30, 8, 11], ['conv4_1/relu', 46, 8, 19], ['conv4_2/relu', 62, 8, 27], ['pool4', 70, 16, 27],
    ['conv5_1/relu', 102, 16, 43], ['conv5_2/relu', 134, 16, 59], ['pool5', 150, 32, 59],
  ];
  for (const [name, r, s, p] of vggATable) assert.equal(rsp(vggA, name), [r, s, p], name);
  // alexnet_v2: conv1 11×11/4 VALID; pool1 3/2 VALID; conv2 5×5 SAME; pool2 3/2; conv3-5 3×3 SAME; pool5 3/2.
  const alex = mustCheck(`network alexnet_v2() {
  input image: [224, 224, 3]
  output features = image
    |> conv(64, 11, stride: 4) as conv1 |> maxpool(3, stride: 2) as pool1
    |> conv(192, 5, pad: same) as conv2 |> maxpool(3, stride: 2) as pool2
    |> conv(384, 3, pad: same) as conv3 |> conv(384, 3, pad: same) as conv4 |> conv(256, 3, pad: same) as conv5
    |> maxpool(3, stride: 2) as pool5
}
`);
  const alexTable: [string, number, number, number][] = [
    ['conv1', 11, 4, 0], ['pool1', 19, 8, 0], ['conv2', 51, 8, 16], ['pool2', 67, 16, 16],
    ['conv3', 99, 16, 32], ['conv4', 131, 16, 48], ['conv5', 163, 16, 64], ['pool5', 195, 32, 64],
  ];
  for (const [name, r, s, p] of alexTable) assert.equal(rsp(alex, name), [r, s, p], name);
});

// ───────────────────────────── Distill and google multi-path tests ─────────────────────────────

test('Distill two-layer example: conv(k 3, p 1, s 3) → conv(k 2): unit 0 reads [-1, 4]; r 6, S 3, P 1 (RFT §4.3)', () => {
  const typed = mustCheck('network n() {\n  input x: [H, W, 1]\n  output out = x |> conv(1, 3, stride: 3, pad: 1) |> conv(1, 2)\n}\n');
  assert.equal(rsp(typed, 'out'), [6, 3, 1]);
  assert.equal(typedNamed(typed, 'out').type.map[0].region(0), { kind: 'interval', lo: -1, hi: 4 });
});

const n1 = `network n1() {
  input x: [H, W, 1] where H % 4 == 0, W % 4 == 0
  let l1 = x |> conv(1, 1, stride: 4)
  let l3 = x |> pad(top: 1, left: 1) |> conv(1, 3, stride: 2) |> conv(1, 1, stride: 2)
  output out = l1 + l3 |> relu
}
`;

test('google N1 (aligned paths) and N2 (max-pools on the right): (3, 4, 1) (RFT §4.1)', () => {
  assert.equal(rsp(mustCheck(n1), 'out'), [3, 4, 1]);
  const n2 = n1.replace('conv(1, 3, stride: 2) |> conv(1, 1, stride: 2)', 'maxpool(3, stride: 2) |> maxpool(1, stride: 2)');
  assert.equal(rsp(mustCheck(n2), 'out'), [3, 4, 1]);
});

test('google N3 (misaligned: strides 2 and 1) must be an error (RFT §4.1: ValueError)', () => {
  const c = checkText(`network n3() {
  input x: [8, 8, 1]
  let left = x |> pad(top: 2, bottom: 1, left: 2, right: 1) |> conv(1, 5, stride: 2)
  let right = x |> conv(1, 3) |> conv(1, 3)
  output out = left + right
}
`);
  assert.equal(headlines(c.diagnostics), ['error[shape]: cannot add tensors that are not aligned']);
  assert.is(c.diagnostics[0]!.label, 'strides 2 and 1 differ');
});

test('google N8 (an add in the middle): (11, 8, 5), which a naive DFS misses (RFT §4.1)', () => {
  const typed = mustCheck(`network n8() {
  input x: [H, W, 1] where H % 8 == 0, W % 8 == 0
  let l1 = x |> conv(1, 1, stride: 4)
  let l3 = x |> pad(top: 1, left: 1) |> conv(1, 3, stride: 2) |> conv(1, 1, stride: 2)
  let l4 = l1 + l3 |> relu
  let left = l4 |> conv(1, 1, stride: 2)
  let right = l4 |> pad(top: 1, left: 1) |> conv(1, 3, stride: 2)
  output out = left + right |> relu
}
`);
  assert.equal(rsp(typed, 'l4'), [3, 4, 1]);
  assert.equal(rsp(typed, 'out'), [11, 8, 5]);
});

test('google N4: TF SAME with stride 2 aligns at input 9 but not at 8 (RFT §4.1)', () => {
  const n4 = (n: number) => `network n4() {\n  input x: [${n}, ${n}, 1]\n  let l = x |> conv(1, 1, stride: 4)\n  let r = x |> conv(1, 3, stride: 2, pad: same) |> conv(1, 1, stride: 2)\n  output out = l + r\n}\n`;
  assert.equal(rsp(mustCheck(n4(9)), 'out'), [3, 4, 1]);
  const at8 = checkText(n4(8));
  assert.equal(headlines(at8.diagnostics), ['error[shape]: cannot add tensors that are not aligned']);
  // SAME puts the pad on the bottom for even n: the right branch is 1 pixel = 1/4 unit later.
  assert.is(at8.diagnostics[0]!.label, 'both stride 4, but centres differ by 0.25 units');
  // Symbolic: the parity is not known.
  const sym = checkText(n4(9).replace('[9, 9, 1]', '[H, W, 1]'));
  assert.match(headlines(sym.diagnostics)[0]!, /`pad: same` with stride 2 depends on the input height mod 2/);
});

test('rfa_toolbox branching net: c4 max rf 11, c5 15; aligned, so it checks (RFT §4.8)', () => {
  const typed = mustCheck(`network rfa() {
  input x: [H, W, 1] where H % 2 == 0, W % 2 == 0
  let c1 = x |> conv(1, 3, pad: 1)
  let c2 = c1 |> conv(1, 3, stride: 2, pad: 1)
  let c3 = c1 |> conv(1, 5, stride: 2, pad: 2)
  let c4 = (c2 + c3) |> conv(1, 3, pad: 1)
  output c5 = c4 |> conv(1, 3, pad: 1)
}
`);
  assert.equal([mapOf(typedNamed(typed, 'c2')).rf, mapOf(typedNamed(typed, 'c3')).rf, mapOf(typedNamed(typed, 'c4')).rf, mapOf(typedNamed(typed, 'c5')).rf], [5, 7, 11, 15]);
});

// ───────────────────────────── Caffe coord_map tests (RFT §4.4, PA §2.5) ─────────────────────────────

/** Caffe's coord_net_spec: data 100×100 → conv(ks, stride, pad) → max pool(k = s = pool, Caffe ceil) → deconv(2·dstride, dstride, dpad). */
const coordNet = (o: { ks?: number | string; stride?: number | string; pad?: number | string; pool?: number; dstride?: number; dpad?: number; tail?: string } = {}) => {
  const { ks = 3, stride = 1, pad = 0, pool = 2, dstride = 2, dpad = 0, tail = '' } = o;
  return `network coord() {
  input data: [100, 100, 1]
  let up = data |> conv(1, ${ks}, stride: ${stride}, pad: ${pad}) |> maxpool(${pool}, ceil: true) |> deconv(1, ${2 * dstride}, stride: ${dstride}, pad: ${dpad}) as deconv_out${tail}
  output out = up
}
`;
};
/** (a, b) of coord_map_from_to(output, data): x_data = a·x_out + b, i.e. the output's stride and centre. */
const ab = (text: string, axis: 0 | 1 = 0) => {
  const typed = mustCheck(text);
  const m = typed.nodes.get(typed.graph.outputs[0]!.node)!.type.map[axis];
  return [m.stride.toNumber(), m.center.toNumber()];
};

test('coord_map conv_pool_deconv: defaults (1, 0); pool 4 + dstride 4 gives (1, -1)', () => {
  assert.equal(ab(coordNet()), [1, 0]);
  assert.equal(ab(coordNet({ pool: 4, dstride: 4 })), [1, -1]);
});

test('coord_map pass: a ReLU or a 1×1 conv after the deconv keeps the map', () => {
  assert.equal(ab(coordNet({ tail: ' |> relu' })), [1, 0]);
  assert.equal(ab(coordNet({ pool: 4, dstride: 4, tail: ' |> conv(1, 1)' })), [1, -1]);
});

test('coord_map padding: conv pad p gives b - p, deconv pad p gives b + p, both cancel', () => {
  for (const p of [1, 2, 5]) {
    assert.equal(ab(coordNet({ pad: p })), [1, -p], `conv pad ${p}`);
    assert.equal(ab(coordNet({ dpad: p })), [1, p], `deconv pad ${p}`);
    assert.equal(ab(coordNet({ pad: p, dpad: p })), [1, 0], `both ${p}`);
  }
});

test('coord_map rect: ks (3, 5), stride (1, 2), pad (0, 10): per axis the isotropic nets, x gives (2, -10)', () => {
  const rect = coordNet({ ks: '(3, 5)', stride: '(1, 2)', pad: '(0, 10)' });
  assert.equal([ab(rect, 0), ab(rect, 1)], [ab(coordNet()), ab(coordNet({ ks: 5, stride: 2, pad: 10 }))]);
  assert.equal(ab(rect, 1), [2, -10]);
});

test('coord_map crop_of_crop: an explicit crop offset o shifts the map to b + o', () => {
  const text = coordNet({ pool: 4, dstride: 4 }).replace('output out = up', 'output out = crop(up, offset: (3, 3), size: (90, 90))');
  assert.equal(ab(text), [1, -1 + 3]);
});

test('coord_map crop helper: crop(deconv, data) gives Caffe\'s offset -b; the data cropped to the deconv would need -1', () => {
  // Defaults: offset 0. pool 4 / dstride 4: b = -1, so Caffe's crop(deconv, data) emits offset 1.
  for (const [o, offset] of [[{}, 0], [{ pool: 4, dstride: 4 }, 1]] as const) {
    const typed = mustCheck(coordNet(o).replace('output out = up', 'output out = crop(up, to: data)'));
    assert.equal(typedNamed(typed, 'out').info['offset'], [offset, offset]);
    // With floor pooling the pool 4 net's deconv output is 100 rows, one short for offset 1:
    // Caffe's ceil pooling (25 pooled rows → 104) is what makes this crop fit.
  }
  // Cropping the other way, data to the deconv output, starts at -1: rejected as negative.
  const negative = checkText(coordNet({ pool: 4, dstride: 4 }).replace('output out = up', 'output out = crop(data, to: up)'));
  assert.equal(headlines(negative.diagnostics), ['error[crop]: cannot crop `data` to `deconv_out`: `deconv_out` starts 1 unit before it (vertical)']);
});

test('coord_map catch_scale_mismatch (pool 3, dstride 2: a = 3/2, b = -1/4) and catch_negative_crop (dpad 10: b = +10)', () => {
  assert.equal(ab(coordNet({ pool: 3 })), [1.5, -0.25]);
  const scale = checkText(coordNet({ pool: 3 }).replace('output out = up', 'output out = crop(up, to: data)'));
  assert.equal(headlines(scale.diagnostics), ['error[crop]: cannot crop `deconv_out` to `data`: their units are 1.5 and 1 input pixels apart (vertical)']);
  assert.equal(ab(coordNet({ dpad: 10 })), [1, 10]);
  const negative = checkText(coordNet({ dpad: 10 }).replace('output out = up', 'output out = crop(up, to: data)'));
  assert.equal(headlines(negative.diagnostics), ['error[crop]: cannot crop `deconv_out` to `data`: `data` starts 10 units before it (vertical)']);
});

// ───────────────────────────── FCN (PA §2) ─────────────────────────────

const crops = (typed: TypedGraph) => [...typed.nodes.values()].filter((t) => t.node.op === 'crop').map((t) => [t.node.name, (t.info['offset'] as number[])[0]]);

test('FCN-32s/16s/8s/AlexNet: Caffe\'s crop offsets 19; 5, 27; 5, 9, 31; 18 (PA §2.5), for any input size', () => {
  // Symbolic H, W: the offsets do not depend on the size (PA §2.5), and every crop fits for
  // every H >= 1 thanks to pad 100 and ceil pooling (PA §2.5: all sizes 1..1200 are valid).
  assert.equal(crops(mustCheck(fcn32s)), [['score_crop', 19]]);
  assert.equal(crops(mustCheck(fcn16s)), [['score_pool4c', 5], ['score_crop', 27]]);
  assert.equal(crops(mustCheck(fcn8s)), [['score_pool4c', 5], ['score_pool3c', 9], ['score_crop', 31]]);
  const alex = mustCheck(fcnAlexnet(63));
  assert.equal(crops(alex), [['score_crop', 18]]);
  assert.equal(alex.variables.map((v) => [v.name, v.smallest]), [['H', 1], ['W', 1]]);
});

test('FCN-AlexNet with a 64×64 upscore: the crop offset would be 18.5, an error (PA §2.3 "Why kernel 63?")', () => {
  const c = checkText(fcnAlexnet(64));
  assert.equal(headlines(c.diagnostics), ['error[crop]: cannot crop `upscore` to `image`: the grids are offset by 18.5 units, not a whole number (vertical)']);
});

test('FCN at 500×500: shapes, strides, centres and parameter totals of PA §2.1-§2.3', () => {
  const sizes = { H: 500, W: 500 };
  const t32 = mustCheck(fcn32s, { sizes });
  const at = (t: TypedGraph, name: string) => [...shapeAt(typedNamed(t, name), sizes), mapOf(typedNamed(t, name)).rf, mapOf(typedNamed(t, name)).stride, mapOf(typedNamed(t, name)).center];
  // Trunk (PA §2.1 rows 1, 3, 6, 18, 19, 21).
  assert.equal(at(t32, 'f/conv1_1'), [698, 698, 64, 3, 1, -99]);
  assert.equal(at(t32, 'f/pool1'), [349, 349, 64, 6, 2, -98.5]);
  assert.equal(at(t32, 'f/pool2'), [175, 175, 128, 16, 4, -97.5]);
  assert.equal(at(t32, 'f/pool5'), [22, 22, 512, 212, 32, -83.5]);
  assert.equal(at(t32, 'score/fc6'), [16, 16, 4096, 404, 32, 12.5]);
  assert.equal(at(t32, 'score/score_fr'), [16, 16, 21, 404, 32, 12.5]);
  // FCN-32s head (PA §2.2): upscore 544, rf 436 = 404 + 32, start -19; score 500.
  assert.equal(at(t32, 'upscore'), [544, 544, 21, 436, 1, -19]);
  assert.equal(at(t32, 'score_crop'), [500, 500, 21, 436, 1, 0]);
  // Totals of all blobs (PA §2.2 table): 136,152,917 / 134,815,994 / 134,489,759 / 58,704,590.
  assert.is(totalParams(t32), 136152917);
  const t16 = mustCheck(fcn16s, { sizes });
  assert.is(totalParams(t16), 134815994);
  assert.equal(at(t16, 'upscore2'), [34, 34, 21, 436, 16, -11.5]);
  assert.equal(at(t16, 'score_pool4c'), [34, 34, 21, 100, 16, -11.5]);
  // upscore16: 560, centre -27; rf 468 exact (PA's recurrence gives 452: docs/dims-and-coordinate-maps.md §2).
  assert.equal(at(t16, 'upscore16'), [560, 560, 21, 468, 1, -27]);
  const t8 = mustCheck(fcn8s, { sizes });
  assert.is(totalParams(t8), 134489759);
  assert.equal(at(t8, 'upscore_pool4'), [70, 70, 21, 468, 8, -23.5]); // PA: rf 452
  assert.equal(at(t8, 'score_pool3c'), [70, 70, 21, 44, 8, -23.5]);
  assert.equal(at(t8, 'upscore8'), [568, 568, 21, 468, 1, -31]); // PA: rf 460
  const alex = mustCheck(fcnAlexnet(63), { sizes });
  assert.is(totalParams(alex), 58704590);
  // PA §2.3 rows 1, 2, 4, 10, 11, 14.
  assert.equal(at(alex, 'conv1'), [173, 173, 96, 11, 4, -95]);
  assert.equal(at(alex, 'pool1'), [86, 86, 96, 19, 8, -91]);
  assert.equal(at(alex, 'pool2'), [43, 43, 256, 67, 16, -83]);
  assert.equal(at(alex, 'pool5'), [21, 21, 256, 195, 32, -67]);
  assert.equal(at(alex, 'fc6'), [16, 16, 4096, 355, 32, 13]);
  assert.equal(at(alex, 'upscore'), [543, 543, 21, 387, 1, -18]);
  // The centre-crop heuristic would use (544 - 500)/2 = 22 for FCN-32s (RFT §4.4); the derived offset stays 19.
  assert.is((typedNamed(t32, 'score_crop').info['offset'] as number[])[0], 19);
});

// ───────────────────────────── SegNet (PA §1) ─────────────────────────────

test('SegNet-Basic at --size H=360,W=480, no `% 16` constraint: the shapes of PA §1.3', () => {
  const sizes = { H: 360, W: 480 };
  const typed = mustCheck(segnetBasic, { sizes });
  const rows: [string, number, number, number][] = [
    ['norm', 360, 480, 3], ['pool1', 180, 240, 64], ['pool2', 90, 120, 64], ['pool3', 45, 60, 64],
    // Ceil pooling: 45 → 23 (floor would give 22, PA §1.3 row 9), and the unpool restores 45.
    ['pool4', 23, 30, 64], ['upsample4', 45, 60, 64], ['upsample3', 90, 120, 64], ['upsample2', 180, 240, 64],
    ['upsample1', 360, 480, 64], ['conv_classifier', 360, 480, 11],
  ];
  for (const [name, h, w, c] of rows) assert.equal(shapeAt(typedNamed(typed, name), sizes), [h, w, c], name);
  // 1,416,587 parameters (PA §1.3 totals [C]; the paper's "1.425M" is not reproducible).
  assert.is(totalParams(typed), 1416587);
  // The deepest encoder unit sees 106×106 ([P] "context window of 106×106 pixels").
  assert.is(mapOf(typedNamed(typed, 'pool4')).rf, 106);
  // Exact rf of the output: 202 (PA's recurrence, which keeps r unchanged through the unpool, gives 196).
  assert.equal([mapOf(typedNamed(typed, 'conv_classifier')).rf, mapOf(typedNamed(typed, 'conv_classifier')).stride], [202, 1]);
});

test('SegNet-Basic without --size or constraints: every unpool link holds for every H (the ceil pool and its unpool agree)', () => {
  const typed = mustCheck(segnetBasic);
  assert.equal(typed.variables.map((v) => [v.name, v.smallest]), [['H', 1], ['W', 1]]);
  assert.equal(typedNamed(typed, 'conv_classifier').type.shape[0].format(typed.domain), 'H');
});

test('SegNet (VGG16) at 360×480: pool4 23×30, pool5 12×15, 29,449,355 parameters, exact rf 404 (PA §1.2: 392)', () => {
  const sizes = { H: 360, W: 480 };
  const typed = mustCheck(segnet, { sizes });
  assert.equal(shapeAt(typedNamed(typed, 'pool4'), sizes), [23, 30, 512]);
  assert.equal(shapeAt(typedNamed(typed, 'pool5'), sizes), [12, 15, 512]);
  assert.equal(shapeAt(typedNamed(typed, 'upsample5'), sizes), [23, 30, 512]);
  assert.is(totalParams(typed), 29449355);
  assert.equal(rsp(typed, 'pool5'), [212, 32, 90]);
  assert.is(mapOf(typedNamed(typed, 'conv1_1_D')).rf, 404);
});

// ───────────────────────────── U-Net (RFT §4.4 [derived]) ─────────────────────────────

const unet = `block two(x, c: int) = x |> conv(c, 3) |> relu |> conv(c, 3) |> relu
block up(x, skip, c: int) {
  let u = x |> deconv(c, 2, stride: 2, init: he)
  return concat(u, crop(skip, to: u)) |> two(c)
}
network unet(classes: int = 2) {
  input image: [H, W, 1]
  let e1 = image |> two(64)
  let e2 = e1 |> maxpool(2) |> two(128)
  let e3 = e2 |> maxpool(2) |> two(256)
  let e4 = e3 |> maxpool(2) |> two(512)
  let b = e4 |> maxpool(2) |> two(1024)
  output out = b |> up(e4, 512) as u4 |> up(e3, 256) as u3 |> up(e2, 128) as u2 |> up(e1, 64) as u1 |> conv(classes, 1)
}
`;

test('U-Net at 572: output 388; skip crops 4, 16, 40, 88; output pixel 0 is centred on input pixel 92', () => {
  const sizes = { H: 572, W: 572 };
  const typed = mustCheck(unet, { sizes });
  assert.equal(shapeAt(typedNamed(typed, 'out'), sizes), [388, 388, 2]);
  assert.equal(crops(typed), [['u4/crop', 4], ['u3/crop', 16], ['u2/crop', 40], ['u1/crop', 88]]);
  assert.is(mapOf(typedNamed(typed, 'out')).center, 92);
  // 64 → 56, 136 → 104, 280 → 200, 568 → 392 (RFT §4.4).
  assert.equal(['u4', 'u3', 'u2', 'u1'].map((u) => shapeAt(typedNamed(typed, `${u}/crop`), sizes)[0]), [56, 104, 200, 392]);
});

test('U-Net at any size: checks for every H >= 188 (floor pooling drops rows, the derived crops follow); output 16·floor((H - 188)/16) + 4', () => {
  // Without constraints the checker finds the valid sizes and the exact output formula: the
  // 2x2 up-convolutions undo the pooling's half-pixel shift, so every crop offset is integral.
  const free = mustCheck(unet);
  assert.equal(free.variables.map((v) => [v.valid, v.smallest]), [['H >= 188', 188], ['W >= 188', 188]]);
  const out = typedNamed(free, 'out').type.shape[0];
  assert.is(out.format(free.domain), '16*floor((H - 188)/16) + 4');
  assert.equal([188, 203, 204, 572, 573, 587].map((h) => out.evaluate({ H: h })), [4, 4, 20, 388, 388, 388]);
  // Constrained to the sizes that tile exactly (H ≡ 572 ≡ 12 mod 16) it is simply H - 184.
  const exact = mustCheck(unet.replace('input image: [H, W, 1]', 'input image: [H, W, 1] where H % 16 == 12, W % 16 == 12'));
  assert.equal(exact.variables.map((v) => v.smallest), [188, 188]);
  assert.is(typedNamed(exact, 'out').type.shape[0].format(exact.domain), 'H - 184');
});

test.run();
