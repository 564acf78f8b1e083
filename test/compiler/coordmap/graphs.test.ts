/**
 * Multi-path networks, alignment and Caffe's coord_map tests. Expected values come from
 * /work/shared/reference/receptive-field-tools.md (RFT), section per test; (r, S, P) is rf,
 * effective stride and effective padding.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AxisMap, alignment, chain, compose, cropOffset, cropOffsetBetween, identityMap, merge, padTop, transposedWindow, window,
} from '../../../compiler/coordmap.js';

const conv = (k: number, s = 1, p = 0, d = 1) => window({ k, s, p, d });
const rsp = (m: AxisMap) => [m.rf(), m.stride.toNumber(), m.padding().toNumber()];
const input = identityMap;

test('Distill two-layer example: unit 0 reads [-1, 4], r 6, S 3, P 1 (RFT §4.3)', () => {
  const m = chain(input(), conv(3, 3, 1), conv(2));
  assert.equal(m.region(0), { kind: 'interval', lo: -1, hi: 4 });
  assert.equal(rsp(m), [6, 3, 1]);
});

test('Distill / google N1 aligned two paths: (3, 4, 1) (RFT §4.1, §4.3)', () => {
  const left = compose(input(), conv(1, 4));
  const right = chain(input(), padTop(1), conv(3, 2), conv(1, 2));
  const a = alignment(left, right);
  assert.ok(a.aligned);
  assert.equal(rsp(merge([left, right])), [3, 4, 1]);
  // N2: the right branch with max_pool 3x3/2 VALID then max_pool 1x1/2 (pooling windows have
  // the same map as convolution windows) gives the same.
  const right2 = chain(input(), padTop(1), window({ k: 3, s: 2 }), window({ k: 1, s: 2 }));
  assert.equal(rsp(merge([left, right2])), [3, 4, 1]);
});

test('Distill misaligned example / google N3: strides differ, and per-unit regions differ in size (RFT §4.1, §4.3)', () => {
  const left = chain(input(), padTop(2), conv(5, 2));
  const right = chain(input(), conv(3), conv(3));
  const a = alignment(left, right);
  assert.not.ok(a.sameStride);
  assert.not.ok(a.aligned);
  assert.is(a.offsetUnits, undefined);
  assert.throws(() => merge([left, right]), /strides 2 and 1/);
  // "For the second feature from the left, 6 input samples are used, while only 5 are used for
  // the third" (input of length 8: union of both branches' regions, clipped to [0, 7]).
  const samples = (u: number) => {
    const l = left.region(u);
    const r = right.region(u);
    if (l.kind === 'empty' || r.kind === 'empty') throw new Error('unexpected empty region');
    return Math.min(7, Math.max(l.hi, r.hi)) - Math.max(0, Math.min(l.lo, r.lo)) + 1;
  };
  assert.equal([samples(1), samples(2)], [6, 5]);
});

test('google N4: TF SAME padding makes alignment depend on the input size (RFT §4.1, §3.5)', () => {
  // SAME top padding for k = 3, s = 2: total = max(k - s, 0) if n % s == 0 else max(k - n % s, 0).
  const samePadTop = (n: number, k: number, s: number) => Math.floor(Math.max(n % s === 0 ? k - s : k - (n % s), 0) / 2);
  const left = compose(input(), conv(1, 4));
  const right = (n: number) => chain(input(), conv(3, 2, samePadTop(n, 3, 2)), conv(1, 2));
  // Input 9: aligned, (3, 4, 1).
  assert.ok(alignment(left, right(9)).aligned);
  assert.equal(rsp(merge([left, right(9)])), [3, 4, 1]);
  // Input 8: the pad goes to the bottom, the right branch is centred one pixel later: 1/4 unit.
  const a = alignment(left, right(8));
  assert.ok(a.sameStride);
  assert.not.ok(a.aligned);
  assert.is(a.centerDifference.toString(), '1');
  assert.is(a.offsetUnits!.toString(), '0.25');
});

test('google N5 non-square kernels: r_x 5, r_y 7, S 4, P 0 (RFT §4.1)', () => {
  // conv([kh = 3, kw = 5], s2) → conv([3, 1], s2), per axis.
  const y = chain(input(), conv(3, 2), conv(3, 2));
  const x = chain(input(), conv(5, 2), conv(1, 2));
  assert.equal([rsp(x), rsp(y)], [[5, 4, 0], [7, 4, 0]]);
});

test('google N8 intermediate add: (11, 8, 5), which a naive DFS misses; N9 with SAME at 17 too (RFT §4.1)', () => {
  const l1 = compose(input(), conv(1, 4));
  const l3 = chain(input(), padTop(1), conv(3, 2), conv(1, 2));
  const l4 = merge([l1, l3]);
  const left = compose(l4, conv(1, 2));
  const right = chain(l4, padTop(1), conv(3, 2));
  assert.ok(alignment(left, right).aligned);
  assert.equal(rsp(merge([left, right])), [11, 8, 5]);
  // N9: no pads, every conv SAME at input 17: the 3x3/2 convs see odd sizes 17 and 5, so their
  // top padding is 1 (total 2), the 1x1 convs get none: the same maps as N8.
  const n9l4 = merge([compose(input(), conv(1, 4)), chain(input(), conv(3, 2, 1), conv(1, 2))]);
  const n9 = merge([compose(n9l4, conv(1, 2)), compose(n9l4, conv(3, 2, 1))]);
  assert.equal(rsp(n9), [11, 8, 5]);
});

test('rfa_toolbox: sequences and the branching net (max 11 at c4, 15 at c5) (RFT §4.8)', () => {
  const rfs = (layers: AxisMap[]) => {
    let m = input();
    return layers.map((l) => (m = compose(m, l)).rf());
  };
  assert.equal(rfs([conv(3), conv(3), conv(3), conv(3), conv(3)]), [3, 5, 7, 9, 11]);
  assert.equal(rfs([1, 2, 1, 2, 1].map((s) => conv(3, s))), [3, 5, 9, 13, 21]);
  assert.equal(rfs([conv(1), conv(1, 2), conv(1), conv(3, 2), conv(1)]), [1, 1, 1, 5, 5]);
  // Branching, with symmetric padding so that the branches are aligned: c1 (k3) → c2 (k3 s2),
  // c3 (k5 s2) → c4 (k3) on both → c5 (k3).
  const c1 = compose(input(), conv(3, 1, 1));
  const c2 = compose(c1, conv(3, 2, 1));
  const c3 = compose(c1, conv(5, 2, 2));
  assert.ok(alignment(c2, c3).aligned);
  const c4 = compose(merge([c2, c3]), conv(3, 1, 1));
  const c5 = compose(c4, conv(3, 1, 1));
  assert.equal([c1.rf(), c2.rf(), c3.rf(), c4.rf(), c5.rf()], [3, 5, 7, 11, 15]);
  // Tuple kernels with c1 stride (1, 2): (y, x) = (3,3), (5,7), (7,11), c4 max (9,15).
  const axis = (s1: number) => {
    const a1 = compose(input(), conv(3, s1, 1));
    const a2 = compose(a1, conv(3, 1, 1));
    const a3 = compose(a1, conv(5, 1, 2));
    return [a1, a2, a3, compose(merge([a2, a3]), conv(3, 1, 1))].map((m) => m.rf());
  };
  assert.equal([axis(1), axis(2)], [[3, 5, 7, 9], [3, 7, 11, 15]]);
});

test('torch-scan and keras-tcn formulas (RFT §4.9, §4.11)', () => {
  assert.equal(rsp(conv(3)), [3, 1, 0]);
  assert.equal(rsp(conv(3, 1, 0, 2)), [5, 1, 0]);
  assert.equal([compose(input(), conv(5)), chain(input(), conv(5), conv(3))].map((m) => m.rf()), [5, 7]);
  // keras-tcn: 2 causal dilated convs (k = 3) per dilation 1, 2, ..., 32:
  // rf = 1 + 2·(k - 1)·Σd = 253, all of it on the left: region(t) = [t - 252, t].
  const causal = [1, 2, 4, 8, 16, 32].flatMap((d) => [conv(3, 1, 2 * d, d), conv(3, 1, 2 * d, d)]);
  const tcn = chain(input(), ...causal);
  assert.is(tcn.rf(), 253);
  assert.equal(tcn.region(1000), { kind: 'interval', lo: 748, hi: 1000 });
  assert.is(tcn.padding().toNumber(), 252);
});

/** Caffe's coord_net_spec: data → conv(ks, stride, pad) → max pool (k = s = pool) →
 *  deconv(k = 2·dstride, dstride, dpad). The maps are deconv → data (x_data = a·x + b). */
function coordNet({ ks = 3, stride = 1, pad = 0, pool = 2, dstride = 2, dpad = 0 } = {}): AxisMap {
  return chain(input(), conv(ks, stride, pad), conv(pool, pool), transposedWindow({ k: 2 * dstride, s: dstride, p: dpad }));
}
const ab = (m: AxisMap) => [m.stride.toString(), m.center.toString()];

test('Caffe coord_map tests (RFT §4.4; BVLC/caffe python/caffe/test/test_coord_map.py)', () => {
  // test_conv_pool_deconv: (1, 0) by default, (1, -1) with pool 4 and deconv 8/4.
  assert.equal(ab(coordNet()), ['1', '0']);
  assert.equal(ab(coordNet({ pool: 4, dstride: 4 })), ['1', '-1']);
  // test_pass: a ReLU or a 1x1 conv after the deconv keeps the map.
  assert.equal(ab(compose(coordNet(), identityMap())), ab(coordNet()));
  assert.equal(ab(compose(coordNet(), conv(1))), ab(coordNet()));
  // test_padding: conv pad p → b - p; deconv pad p → b + p; both cancel.
  for (const p of [1, 3, 10]) {
    assert.equal(ab(coordNet({ pad: p })), ['1', `${-p}`]);
    assert.equal(ab(coordNet({ dpad: p })), ['1', `${p}`]);
    assert.equal(ab(coordNet({ pad: p, dpad: p })), ['1', '0']);
  }
  // test_multi_conv: one conv(5, s2) → (a, b) = (2, 2) [derived].
  assert.equal(ab(compose(input(), conv(5, 2))), ['2', '2']);
  // test_rect: ks [3, 5], stride [1, 2], pad [0, 10] equals the isotropic nets per axis:
  // (1, 0) and (2, -10).
  assert.equal([ab(coordNet({ ks: 3, stride: 1, pad: 0 })), ab(coordNet({ ks: 5, stride: 2, pad: 10 }))], [['1', '0'], ['2', '-10']]);
  // test_nd_conv: pads [0, 1, 2] → b = [0, -1, -2].
  assert.equal([0, 1, 2].map((pad) => coordNet({ pad }).center.toNumber()), [0, -1, -2]);
  // test_crop_of_crop: Crop(deconv, offset o) → b + o.
  assert.equal(ab(compose(coordNet(), cropOffset(7))), ['1', '7']);
  // test_crop_helper: crop(deconv, data) succeeds with offset 0 [derived].
  assert.equal(cropOffsetBetween(coordNet(), input()), { kind: 'ok', offset: 0 });
  // test_catch_scale_mismatch: pool 3, dstride 2 → a = 3/2, b = -1/4, rejected.
  const mismatch = coordNet({ pool: 3, dstride: 2 });
  assert.equal(ab(mismatch), ['1.5', '-0.25']);
  const r1 = cropOffsetBetween(mismatch, input());
  assert.is(r1.kind, 'scale-mismatch');
  // test_catch_negative_crop: dpad 10 → b = +10, rejected.
  const negative = cropOffsetBetween(coordNet({ dpad: 10 }), input());
  assert.is(negative.kind, 'negative');
  if (negative.kind === 'negative') assert.is(negative.offset.toNumber(), -10);
});

test.run();
