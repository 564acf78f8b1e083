/**
 * Layer sizes of the paper networks as symbolic dimensions. Expected numbers come from
 * /work/shared/reference/paper-architectures.md (§ cited per test) or are derived by hand in the
 * comments; the shape rules are language.md §7 with Caffe's ceil mode (docs/architecture.md).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Dim, Domain, proveEqual, proveLessOrEqual, smallestValid, type Constraint,
} from '../../../compiler/dims/index.js';

const H = Dim.variable('H');
const W = Dim.variable('W');
const any = Domain.unconstrained();
const c = (variable: string, op: Constraint['op'], value: number, modulus?: number): Constraint =>
  modulus === undefined ? { variable, op, value } : { variable, op, value, modulus };

// Shape rules, written only with Dim operations.
const conv = (n: Dim, k: number, p = 0, s = 1, d = 1) => n.add(2 * p - d * (k - 1) - 1).floorDiv(s).add(1);
const poolFloor = (n: Dim, k: number, s = k) => n.sub(k).floorDiv(s).add(1);
const deconv = (n: Dim, k: number, s: number, p = 0) => n.sub(1).mul(s).add(k - 2 * p);

/**
 * Caffe ceil-mode pooling (docs/architecture.md): out = ceil((n + 2p - k)/s) + 1, minus one if
 * p > 0 and (out - 1)·s >= n + p. With x = n + 2p - k, (out - 1)·s = ceil(x/s)·s = x + e where
 * e = (-x) mod s, so the clip condition is e >= k - p = t; for t in [1, s - 1],
 * [e >= t] = floor((e + s - t)/s) (e + s - t lies in [s - t, 2s - t - 1]).
 */
function poolCaffe(n: Dim, k: number, s = k, p = 0): Dim {
  const x = n.add(2 * p - k);
  const out = x.ceilDiv(s).add(1);
  const t = k - p;
  if (p === 0 || t >= s) return out; // no clip possible (e < s <= t)
  if (t <= 0) return out.sub(1);
  const e = x.neg().mod(s);
  return out.sub(e.add(s - t).floorDiv(s));
}

/** The same rule as a min: for 0 < p < k, the last window must start before n + p, i.e.
 *  out <= ceil((n + p)/s), and Caffe removes at most one window. */
function poolCaffeMin(n: Dim, k: number, s = k, p = 0): Dim {
  const out = n.add(2 * p - k).ceilDiv(s).add(1);
  return p === 0 ? out : Dim.min(out, n.add(p).ceilDiv(s));
}

/** BVLC/caffe src/caffe/layers/pooling_layer.cpp, transcribed for integers. */
function poolCaffeConcrete(n: number, k: number, s: number, p: number): number {
  let out = Math.ceil((n + 2 * p - k) / s) + 1;
  if (p > 0 && (out - 1) * s >= n + p) out--;
  return out;
}

test('Caffe ceil-mode pooling with its clip rule, via Dim operations', () => {
  // Hand example: n = 5, k = 2, s = 2, p = 1: windows start at -1, 1, 3 and a fourth would
  // start at 5 = n, inside the padding only, so Caffe keeps 3 (ceil alone gives 4).
  assert.is(poolCaffe(Dim.constant(5), 2, 2, 1).constantValue(), 3);
  assert.is(Dim.constant(5).add(2 - 2).ceilDiv(2).add(1).constantValue(), 4);
  for (const [k, s] of [[2, 2], [3, 2], [3, 3], [4, 2], [5, 3], [7, 4], [3, 1]] as const) {
    for (let p = 0; p < k; p++) {
      const symbolic = poolCaffe(H, k, s, p);
      assert.ok(symbolic.isQuasiAffine(), `k${k} s${s} p${p} stays exact`);
      for (let n = Math.max(1, k - 2 * p); n <= 300; n++) {
        assert.is(symbolic.evaluate({ H: n }), poolCaffeConcrete(n, k, s, p), `n=${n} k=${k} s=${s} p=${p}`);
      }
      // The two formulations are the same function of H (proved, not sampled).
      assert.equal(proveEqual(symbolic, poolCaffeMin(H, k, s, p), any), { kind: 'proved' }, `k${k} s${s} p${p}`);
    }
  }
});

test('VGG16 pooling chain, ceil mode, symbolic H (convs 3x3 pad 1 keep the size)', () => {
  let n: Dim = H;
  const sizes: Dim[] = [];
  for (let block = 0; block < 5; block++) {
    n = conv(conv(n, 3, 1), 3, 1);
    n = poolCaffe(n, 2);
    sizes.push(n);
  }
  // ceil(ceil(H/2)/2)... = ceil(H/2^i).
  assert.equal(sizes.map((d) => d.format()), ['ceil(H/2)', 'ceil(H/4)', 'ceil(H/8)', 'ceil(H/16)', 'ceil(H/32)']);
  assert.is(sizes[4]!.format(Domain.fromConstraints([c('H', '%', 0, 32)])), 'H/32');
  assert.is(sizes[4]!.evaluate({ H: 224 }), 7);
  assert.is(sizes[4]!.evaluate({ H: 225 }), 8);
  // fc6 (7x7 valid) needs ceil(H/32) >= 7: H >= 193.
  assert.equal(smallestValid([...sizes, conv(sizes[4]!, 7)], 'H', any), { kind: 'proved', value: 193 });
});

test('SegNet at 360x480: ceil pooling sizes and why unpool needs the pre-pool size (§1.1, §1.2)', () => {
  const pools = (n0: Dim, ceil: boolean) => {
    const out: Dim[] = [];
    let n = n0;
    for (let i = 0; i < 5; i++) {
      n = ceil ? poolCaffe(n, 2) : poolFloor(n, 2);
      out.push(n);
    }
    return out;
  };
  const h = pools(H, true);
  const w = pools(W, true);
  assert.equal(h.map((d) => d.evaluate({ H: 360 })), [180, 90, 45, 23, 12]);
  assert.equal(w.map((d) => d.evaluate({ W: 480 })), [240, 120, 60, 30, 15]);
  // "floor would give 22×30" at pool4 and "11×15" at pool5.
  assert.equal(pools(H, false).map((d) => d.evaluate({ H: 360 })).slice(3), [22, 11]);
  // upsample4 must output pool4's input size 45, not 2·23 = 46.
  const at360 = Domain.fromConstraints([c('H', '==', 360)]);
  assert.equal(proveEqual(h[3]!.mul(2), h[2]!, at360), { kind: 'counterexample', env: { H: 360 }, left: 46, right: 45 });
  // With H % 32 == 0 every level doubles back exactly; SegNet-Basic's `H % 16 == 0` (language.md
  // §1, four pools) does the same for its four levels.
  const d32 = Domain.fromConstraints([c('H', '%', 0, 32)]);
  const d16 = Domain.fromConstraints([c('H', '%', 0, 16)]);
  const inputs = [H, ...h];
  for (let i = 0; i < 5; i++) assert.equal(proveEqual(h[i]!.mul(2), inputs[i]!, d32), { kind: 'proved' });
  for (let i = 0; i < 4; i++) assert.equal(proveEqual(h[i]!.mul(2), inputs[i]!, d16), { kind: 'proved' });
  // ... but not the fifth under H % 16 == 0: H = 16 gives pool4 = 1, pool5 = 1, 2 vs 1.
  assert.equal(proveEqual(h[4]!.mul(2), inputs[4]!, d16), { kind: 'counterexample', env: { H: 16 }, left: 2, right: 1 });
});

/** The FCN VGG16 trunk (§2.1): conv1_1 pad 100, 3x3 pad 1 convs, 2x2 pools (ceil or floor), fc6 7x7. */
function fcnTrunk(n0: Dim, ceil: boolean) {
  const pool = (n: Dim) => (ceil ? poolCaffe(n, 2) : poolFloor(n, 2));
  const conv1 = conv(conv(n0, 3, 100), 3, 1);
  const pool1 = pool(conv1);
  const pool2 = pool(conv(conv(pool1, 3, 1), 3, 1));
  const pool3 = pool(conv(conv(conv(pool2, 3, 1), 3, 1), 3, 1));
  const pool4 = pool(conv(conv(conv(pool3, 3, 1), 3, 1), 3, 1));
  const pool5 = pool(conv(conv(conv(pool4, 3, 1), 3, 1), 3, 1));
  const fc6 = conv(pool5, 7);
  const scoreFr = conv(conv(fc6, 1), 1);
  return { conv1, pool1, pool2, pool3, pool4, pool5, fc6, scoreFr };
}

function fcnHeads(n0: Dim, ceil: boolean) {
  const t = fcnTrunk(n0, ceil);
  const upscore32 = deconv(t.scoreFr, 64, 32);
  const upscore2 = deconv(t.scoreFr, 4, 2);
  const fuse4 = upscore2; // crop(score_pool4, to: upscore2) takes upscore2's size
  const upscore16 = deconv(fuse4, 32, 16);
  const upscorePool4 = deconv(fuse4, 4, 2);
  const upscore8 = deconv(upscorePool4, 16, 8);
  // Each crop `offset + size(ref) <= size(cropped)`; offsets are Caffe's (§2.5).
  const crops = {
    fcn32s: [[H.add(19), upscore32]],
    fcn16s: [[upscore2.add(5), t.pool4], [H.add(27), upscore16]],
    fcn8s: [[upscore2.add(5), t.pool4], [upscorePool4.add(9), t.pool3], [H.add(31), upscore8]],
  } as const;
  return { ...t, upscore32, upscore2, upscore16, upscorePool4, upscore8, crops };
}

/** FCN-AlexNet (§2.3): conv1 11/4 pad 100, pools 3/2, conv2 5 pad 2, conv3-5 3 pad 1, fc6 6x6, upscore 63/32. */
function fcnAlexNet(n0: Dim, ceil: boolean) {
  const pool = (n: Dim) => (ceil ? poolCaffe(n, 3, 2) : poolFloor(n, 3, 2));
  const conv1 = conv(n0, 11, 100, 4);
  const pool1 = pool(conv1);
  const pool2 = pool(conv(pool1, 5, 2));
  const pool5 = pool(conv(conv(conv(pool2, 3, 1), 3, 1), 3, 1));
  const fc6 = conv(pool5, 6);
  const upscore = deconv(fc6, 63, 32);
  return { conv1, pool1, pool2, pool5, fc6, upscore, crop: [H.add(18), upscore] as const };
}

test('FCN sizes at 500x500 (tables §2.1-2.3)', () => {
  const f = fcnHeads(H, true);
  const at = (d: Dim) => d.evaluate({ H: 500 });
  assert.equal([f.conv1, f.pool1, f.pool2, f.pool3, f.pool4, f.pool5, f.fc6, f.scoreFr].map(at), [698, 349, 175, 88, 44, 22, 16, 16]);
  assert.equal([f.upscore32, f.upscore2, f.upscore16, f.upscorePool4, f.upscore8].map(at), [544, 34, 560, 70, 568]);
  // Slack after the final crop at 500 (§2.5): 544 - 19 - 500 = 25, 560 - 27 - 500 = 33, 568 - 31 - 500 = 37.
  assert.equal([f.upscore32.sub(519), f.upscore16.sub(527), f.upscore8.sub(531)].map(at), [25, 33, 37]);
  const a = fcnAlexNet(H, true);
  assert.equal([a.conv1, a.pool1, a.pool2, a.pool5, a.fc6, a.upscore].map(at), [173, 86, 43, 21, 16, 543]);
  assert.is(at(a.upscore.sub(518)), 25);
  // Printed: pool5 = ceil((H + 198)/32) (conv1_1 adds 198), fc6 = ceil((H + 6)/32).
  assert.is(f.pool5.format(), 'ceil((H + 198)/32)');
  assert.is(f.fc6.format(), 'ceil((H + 6)/32)');
});

test('FCN input-size robustness: with ceil pooling every crop fits for all H >= 1 (§2.5)', () => {
  const f = fcnHeads(H, true);
  for (const [name, crops] of Object.entries(f.crops)) {
    for (const [need, have] of crops) assert.equal(proveLessOrEqual(need, have, any), { kind: 'proved' }, name);
  }
  const a = fcnAlexNet(H, true);
  assert.equal(proveLessOrEqual(a.crop[0], a.crop[1], any), { kind: 'proved' });
  // And no layer is ever empty: the least valid size is 1.
  assert.equal(smallestValid(Object.values(fcnTrunk(H, true)), 'H', any), { kind: 'proved', value: 1 });
});

test('FCN with floor pooling breaks: counts of failing sizes in 1..1200 and the smallest one (§2.5)', () => {
  // §2.5 table: crops that do not fit for 447 (32s), 148 (16s), 0 (8s), 484 (AlexNet) of the
  // sizes 1..1200 (sizes computed by the formulas; a crop fails when offset + reference > size).
  const f = fcnHeads(H, false);
  const a = fcnAlexNet(H, false);
  const nets: [string, readonly (readonly [Dim, Dim])[], number][] = [
    ['fcn32s', f.crops.fcn32s, 447], ['fcn16s', f.crops.fcn16s, 148], ['fcn8s', f.crops.fcn8s, 0], ['alexnet', [a.crop], 484],
  ];
  for (const [name, crops, expected] of nets) {
    let failing = 0;
    for (let h = 1; h <= 1200; h++) {
      if (crops.some(([need, have]) => need.evaluate({ H: h }) > have.evaluate({ H: h }))) failing++;
    }
    assert.is(failing, expected, name);
  }
  // "500×500 fails: upscore is 512 < 19 + 500" and AlexNet "511 < 518".
  assert.is(f.upscore32.evaluate({ H: 500 }), 512);
  assert.is(a.upscore.evaluate({ H: 500 }), 511);
  // Symbolically: fc6 = floor((H + 6)/32) >= 1 needs H >= 26; the crop 19 + H <= 32·floor((H + 38)/32)
  // fails when (H + 6) mod 32 >= 20, first at H = 46 among H >= 26 (65 vs 64).
  assert.equal(smallestValid(Object.values(fcnTrunk(H, false)), 'H', any), { kind: 'proved', value: 26 });
  const valid = any.restrict('H', { min: 26 });
  assert.equal(proveLessOrEqual(f.crops.fcn32s[0][0], f.crops.fcn32s[0][1], valid),
    { kind: 'counterexample', env: { H: 46 }, left: 65, right: 64 });
  assert.is(f.upscore32.format(), '32*floor((H + 38)/32)');
});

test('OverFeat: the README output-size formulas, and offset pooling sizes (§3.1, §3.5)', () => {
  // Accurate: conv1 7/2, pool 3/3, conv 7, pool 2/2, four 3x3 pad-1 convs, pool 3/3, fc7 5x5.
  const accurateConv6 = (n0: Dim) => conv(conv(conv(conv(poolFloor(conv(poolFloor(conv(n0, 7, 0, 2), 3), 7), 2), 3, 1), 3, 1), 3, 1), 3, 1);
  const accurateOut = conv(poolFloor(accurateConv6(H), 3), 5);
  // README: h = ((H − 7)/2 + 1)/18 − 5 with integer division; it agrees on H in [221, 600).
  const readme = H.sub(7).floorDiv(2).add(1).floorDiv(18).sub(5);
  const range = (lo: number, hi: number) => Domain.fromConstraints([c('H', '>=', lo), c('H', '<', hi)]);
  assert.equal(proveEqual(accurateOut, readme, range(221, 600)), { kind: 'proved' });
  // Fast: conv1 11/4, pool 2/2, conv 5, pool 2/2, three 3x3 pad-1 convs, pool 2/2, fc6 6x6;
  // README: h = ((H − 11)/4 + 1)/8 − 6.
  const fastOut = conv(poolFloor(conv(conv(conv(poolFloor(conv(poolFloor(conv(H, 11, 0, 4), 2), 5), 2), 3, 1), 3, 1), 3, 1), 2), 6);
  const readmeFast = H.sub(11).floorDiv(4).add(1).floorDiv(8).sub(6);
  assert.equal(proveEqual(fastOut, readmeFast, range(231, 600)), { kind: 'proved' });

  // offsets(3, maxpool(3) |> conv(5) |> conv(1) |> conv(1)) on conv6: shift Δ applies L to
  // x[Δ:], the three outputs are cropped to their common size, and interleaved (×3).
  const conv6 = accurateConv6(H);
  const classifier = (n: Dim) => conv(conv(conv(poolFloor(n, 3), 5), 1), 1);
  const perShift = [0, 1, 2].map((dy) => classifier(conv6.sub(dy)));
  const common = Dim.min(Dim.min(perShift[0]!, perShift[1]!), perShift[2]!);
  assert.ok(common.isQuasiAffine()); // equal slopes: the min stays exact
  const interleaved = common.mul(3);
  // §3.5 table (scale: input → conv6, classifier map per Δ, interleaved output), per axis.
  const table: [number, number, number, number][] = [
    [245, 17, 1, 3], [281, 20, 2, 6], [317, 23, 3, 9], [389, 29, 5, 15], [425, 32, 6, 18], [461, 35, 7, 21],
    [497, 38, 8, 24], [569, 44, 10, 30],
  ];
  for (const [input, c6, perDelta, out] of table) {
    const env = { H: input };
    assert.equal([conv6.evaluate(env), common.evaluate(env), interleaved.evaluate(env)], [c6, perDelta, out], `H = ${input}`);
  }
  // Hand derivation: conv1 → floor((H - 5)/2), pool1 → floor((H - 5)/6), conv2 + pool2 →
  // floor((H - 5)/12) - 3 = floor((H - 41)/12) = conv6; the common classifier size is
  // floor((conv6 - 14)/3), so the interleaved output is 3·floor((H - 209)/36).
  assert.is(conv6.format(), 'floor((H - 41)/12)');
  assert.is(interleaved.format(), '3*floor((H - 209)/36)');
});

test('U-Net: valid convolutions, exact pooling when H % 16 == 12 (receptive-field-tools.md §4.4)', () => {
  const twoConvs = (n: Dim) => conv(conv(n, 3), 3);
  const e1 = twoConvs(H);
  const e2 = twoConvs(poolFloor(e1, 2));
  const e3 = twoConvs(poolFloor(e2, 2));
  const e4 = twoConvs(poolFloor(e3, 2));
  const bottom = twoConvs(poolFloor(e4, 2));
  const u4 = deconv(bottom, 2, 2);
  const d4 = twoConvs(u4);
  const u3 = deconv(d4, 2, 2);
  const d3 = twoConvs(u3);
  const u2 = deconv(d3, 2, 2);
  const d2 = twoConvs(u2);
  const u1 = deconv(d2, 2, 2);
  const out = twoConvs(u1);
  // The paper's 572 → 388 with skips 64 → 56, 136 → 104, 280 → 200, 568 → 392.
  const at572 = (d: Dim) => d.evaluate({ H: 572 });
  assert.equal([e4, u4, e3, u3, e2, u2, e1, u1, out].map(at572), [64, 56, 136, 104, 280, 200, 568, 392, 388]);
  // Every pooling input is even iff H ≡ 12 (mod 16) (H - 4, (H - 12)/2, (H - 28)/4, (H - 60)/8
  // even); then the net is affine: out = H - 184.
  const d = Domain.fromConstraints([c('H', '%', 12, 16)]);
  assert.is(out.format(d), 'H - 184');
  assert.is(bottom.format(d), '(H - 124)/16');
  // The crops are centred: encoder = decoder + 2·offset with offsets 4, 16, 40, 88.
  for (const [enc, dec, offset] of [[e4, u4, 4], [e3, u3, 16], [e2, u2, 40], [e1, u1, 88]] as const) {
    assert.equal(proveEqual(enc, dec.add(2 * offset), d), { kind: 'proved' });
  }
  // Smallest valid input: H - 184 >= 1 and (H - 180)/2, (H - 172)/4, (H - 156)/8, (H - 124)/16 >= 1
  // need H >= 185; the first H ≡ 12 (mod 16) from there is 188 (output 4).
  const all = [e1, e2, e3, e4, bottom, u4, d4, u3, d3, u2, d2, u1, out];
  assert.equal(smallestValid(all, 'H', d), { kind: 'proved', value: 188 });
  assert.is(out.evaluate({ H: 188 }), 4);
});

test.run();
