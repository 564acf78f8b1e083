/**
 * Layer by layer: the region rules of every relative map, hand-derived in the comments.
 * Transposed convolution: output u reads input i iff 0 <= u + p - i·s < k (RFT §3.7).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AxisMap, alignment, chain, compose, composeSpatial, cropOffset, identityMap, identitySpatial, merge, mergeSpatial,
  offsets, padTop, spatial, transposedWindow, unpool, upsampleBilinear, upsampleNearest, window, type Region,
} from '../../../compiler/coordmap.js';

const conv = (k: number, s = 1, p = 0, d = 1) => window({ k, s, p, d });
const iv = (lo: number, hi: number): Region => ({ kind: 'interval', lo, hi });
const EMPTY: Region = { kind: 'empty' };
const regions = (m: AxisMap, from: number, to: number) => Array.from({ length: to - from }, (_, i) => m.region(from + i));

test('transposed window with k < s: some output units read nothing', () => {
  // k = 2, s = 3: u = 3i + t, t in {0, 1}: units 0, 1 read input 0; unit 2 reads nothing.
  const t = transposedWindow({ k: 2, s: 3 });
  assert.equal(regions(t, 0, 6), [iv(0, 0), iv(0, 0), EMPTY, iv(1, 1), iv(1, 1), EMPTY]);
  assert.equal([t.rf(), t.rfMin(), t.stride.toString(), t.center.toString()], [1, 1, '1/3', '-1/6']);
  // After a conv(7, s4) (regions [4v, 4v + 6]), the empty units stay empty ...
  const deconvOut = chain(identityMap(), conv(7, 4), t);
  assert.equal(regions(deconvOut, 0, 4), [iv(0, 6), iv(0, 6), EMPTY, iv(4, 10)]);
  // ... and a conv(3, pad 1) on top reads units u-1..u+1 and skips the empty ones:
  // u = 1: 0, 1 (2 is empty) → [0, 6]; u = 2: 1, 3 → [0, 10]; u = 3: 3, 4 → [4, 10].
  const after = compose(deconvOut, conv(3, 1, 1));
  assert.equal(regions(after, 1, 4), [iv(0, 6), iv(0, 10), iv(4, 10)]);
  assert.equal([after.rf(), after.rfMin()], [11, 7]);
});

test('transposed window k = 3, s = 2 alternates 2 and 1 input units; k = 4, s = 2 is always 2 (RFT §3.7)', () => {
  // u + 0 - 2i in [0, 3): u = 0 reads -1, 0; u = 1 reads 0; u = 2 reads 0, 1; u = 3 reads 1.
  const t32 = transposedWindow({ k: 3, s: 2 });
  assert.equal(regions(t32, 0, 4), [iv(-1, 0), iv(0, 0), iv(0, 1), iv(1, 1)]);
  // On top of a map with rf 5 and stride 4, the rf alternates between 5 + 4 = 9 and 5.
  const base = compose(identityMap(), conv(5, 4));
  const a = compose(base, t32);
  assert.equal([a.rf(), a.rfMin()], [9, 5]);
  assert.equal(regions(a, 0, 4), [iv(-4, 4), iv(0, 4), iv(0, 8), iv(4, 8)]);
  // netharn's k - s + 1 rule gives 3 units for k = 4, s = 2; the truth is 2 at every phase.
  const b = compose(base, transposedWindow({ k: 4, s: 2 }));
  assert.equal([b.rf(), b.rfMin()], [9, 9]);
  // Caffe centre rule: j/s, c - ((k - 1)/2 - p)·j_out: 2 - 1.5·2 = -1 for k = 4.
  assert.equal([b.stride.toNumber(), b.center.toNumber()], [2, -1]);
});

test('upsampling: nearest reads floor(u/f); bilinear the units around (u + 0.5)/f - 0.5', () => {
  const n2 = upsampleNearest(2);
  assert.equal(regions(n2, 0, 4), [iv(0, 0), iv(0, 0), iv(1, 1), iv(1, 1)]);
  assert.equal([n2.stride.toString(), n2.center.toString()], ['0.5', '-0.25']);
  assert.is(upsampleNearest(3).center.toString(), '-1/3'); // -(f - 1)/(2f)
  // A 2x2 pooling followed by a 2x upsampling is aligned with the pooling's input (language.md §7).
  const pooled = compose(identityMap(), conv(2, 2));
  for (const up of [upsampleNearest(2), upsampleBilinear(2)]) {
    const m = compose(pooled, up);
    assert.ok(alignment(m, identityMap()).aligned);
  }
  // Bilinear f = 2: src = -0.25, 0.25, 0.75, 1.25 → units (-1, 0), (0, 1), (0, 1), (1, 2).
  assert.equal(regions(upsampleBilinear(2), 0, 4), [iv(-1, 0), iv(0, 1), iv(0, 1), iv(1, 2)]);
  // f = 3: src = -1/3, 0, 1/3: the middle phase sits on input 0 and reads it alone.
  const b3 = upsampleBilinear(3);
  assert.equal(regions(b3, 0, 3), [iv(-1, 0), iv(0, 0), iv(0, 1)]);
  assert.equal([b3.rf(), b3.rfMin()], [2, 1]);
  // f = 4: src = -0.375, -0.125, 0.125, 0.375: always two units.
  assert.equal(regions(upsampleBilinear(4), 0, 4), [iv(-1, 0), iv(-1, 0), iv(0, 1), iv(0, 1)]);
});

test("unpool: p's input grid, regions from the unpooled tensor and the argmax windows", () => {
  // maxpool(2) then unpool on the pooled tensor: output u reads pooled unit floor(u/2), whose
  // window is [2·floor(u/2), 2·floor(u/2) + 1].
  const pooled = compose(identityMap(), conv(2, 2));
  const m = unpool({ input: pooled, pool: { k: 2, s: 2 }, poolInput: identityMap() });
  assert.ok(m.sameGrid(identityMap()));
  assert.equal(regions(m, 0, 4), [iv(0, 1), iv(0, 1), iv(2, 3), iv(2, 3)]);
  // maxpool(k = 1, stride 2) keeps the even units; unpooling leaves the odd ones empty.
  const sparse = compose(identityMap(), conv(1, 2));
  const u = unpool({ input: sparse, pool: { k: 1, s: 2 }, poolInput: identityMap() });
  assert.equal(regions(u, 0, 4), [iv(0, 0), EMPTY, iv(2, 2), EMPTY]);
  // The unpooled values came through a wider tensor (a 5x5 conv after the pooling): its region,
  // united with the argmax window's.
  const decoded = compose(pooled, conv(5, 1, 2)); // pooled units v-2..v+2 → pixels [2v - 4, 2v + 5]
  const w = unpool({ input: decoded, pool: { k: 2, s: 2 }, poolInput: identityMap() });
  assert.equal(regions(w, 0, 3), [iv(-4, 5), iv(-4, 5), iv(-2, 7)]);
  // An input whose stride is not the pooling output's (the language allows equal shapes only):
  // only the values' regions are kept.
  const odd = compose(identityMap(), conv(3, 4));
  const x = unpool({ input: odd, pool: { k: 2, s: 2 }, poolInput: identityMap() });
  assert.equal(regions(x, 0, 3), [iv(0, 2), iv(0, 2), iv(4, 6)]);
});

test("offsets(f, L): unit v·f + dy is L's unit v shifted by dy", () => {
  // L = maxpool(2) (stride 2): offsets(2, L) is the stride-1 max pooling.
  const o = offsets(2, conv(2, 2));
  assert.ok(o.equals(conv(2, 1)));
  assert.equal([o.stride.toNumber(), o.center.toNumber(), o.rf()], [1, 0.5, 2]);
  // A stride-4 L with f = 2: the shifts are multiples of t = 4/2 = 2 units (docs/architecture.md),
  // so unit 2v + dy reads L's unit v moved by 2·dy and the units are evenly spaced at stride 2.
  const shifted = offsets(2, conv(3, 4));
  assert.equal(regions(shifted, 0, 4), [iv(0, 2), iv(2, 4), iv(4, 6), iv(6, 8)]);
  assert.equal([shifted.stride.toNumber(), shifted.center.toNumber()], [2, 1]);
  // f must divide L's stride.
  assert.throws(() => offsets(3, conv(1)), /not a positive multiple of 3/);
});

test('crop and pad shift units; pad then crop by the same amount is the identity', () => {
  assert.equal([padTop(2).region(0), padTop(2).center.toNumber()], [iv(-2, -2), -2]);
  assert.equal([cropOffset(3).region(0), cropOffset(3).center.toNumber()], [iv(3, 3), 3]);
  assert.ok(chain(padTop(2), cropOffset(2)).equals(identityMap()));
  assert.ok(chain(identityMap(), identityMap()).equals(identityMap()));
});

test('merge: union per unit, periods combined, empty units filled by the other input', () => {
  // Both at stride 1 over a stride-2 base (pixels 2v): a deconv k = 1, s = 2 reads nothing at
  // odd units; nearest upsampling reads floor(u/2) everywhere.
  const base = compose(identityMap(), conv(1, 2));
  const sparse = compose(base, transposedWindow({ k: 1, s: 2 }));
  const dense = compose(base, upsampleNearest(2));
  assert.equal(regions(sparse, 0, 3), [iv(0, 0), EMPTY, iv(2, 2)]);
  const m = merge([sparse, dense]);
  assert.equal(regions(m, 0, 4), [iv(0, 0), iv(0, 0), iv(2, 2), iv(2, 2)]);
  // A merge keeps the first input's grid; alignment reports the centre difference.
  assert.ok(m.sameGrid(sparse));
  assert.is(alignment(sparse, dense).centerDifference.toString(), '-0.5');
  // Both at stride 1: a = deconv(k 3, s 6) over pixels 6v has period 6 (units 0-2 of each period
  // read pixel 6q, units 3-5 nothing); b = nearest(2) over pixels 2v has period 2 (pixel
  // 2·floor(u/2)). Their union has period lcm(6, 2) = 6.
  const a = compose(compose(identityMap(), conv(1, 6)), transposedWindow({ k: 3, s: 6 }));
  const b = compose(compose(identityMap(), conv(1, 2)), upsampleNearest(2));
  assert.equal([a.regions.period, b.regions.period, a.stride.toNumber(), b.stride.toNumber()], [6, 2, 1, 1]);
  const ab = merge([a, b]);
  assert.is(ab.regions.period, 6);
  // u = 0: a reads deconv input 0 (pixel 0), b pixel 0 → [0, 0]; u = 3: a empty, b pixel 2 → [2, 2].
  assert.equal([ab.region(0), ab.region(3)], [iv(0, 0), iv(2, 2)]);
  assert.throws(() => merge([]), /no maps/);
});

test('dilation over empty units: only the units actually read count', () => {
  // Even units of `sparse` hold pixel u/2, odd ones nothing; a dilated conv (k 2, d 2) at odd u
  // reads only odd units → empty; at even u it reads u and u + 2 → pixels [u/2, u/2 + 1].
  const sparse = compose(identityMap(), transposedWindow({ k: 1, s: 2 }));
  const m = compose(sparse, conv(2, 1, 0, 2));
  assert.equal(regions(m, 0, 4), [iv(0, 1), EMPTY, iv(1, 2), EMPTY]);
});

test('non-monotone maps are composed exactly', () => {
  // Interleaving three copies of a 1x1 conv shifted by one unit each: u = 3v + dy → unit v + dy:
  // 0, 1, 2, 1, 2, 3, ... (not monotone; offsets() itself never builds this, but compose must be exact).
  const one = conv(1);
  const o = new AxisMap(one.stride.div(3), one.center, one.regions.interleave(3n));
  assert.not.ok(o.regions.monotone);
  assert.equal(regions(o, 0, 6), [iv(0, 0), iv(1, 1), iv(2, 2), iv(1, 1), iv(2, 2), iv(3, 3)]);
  // A 2-wide window over units 2, 3 reads 2 and 1: the hull is [1, 2], not [lo(2), hi(3)] = [2, 1].
  const m = compose(o, conv(2));
  assert.equal(m.region(2), iv(1, 2));
});

test('two spatial axes', () => {
  const s = composeSpatial(identitySpatial(), spatial((axis) => (axis === 0 ? conv(3, 2) : conv(5, 1, 2))));
  assert.equal([s[0].rf(), s[1].rf(), s[0].stride.toNumber(), s[1].center.toNumber()], [3, 5, 2, 0]);
  const merged = mergeSpatial([s, s]);
  assert.ok(merged[0].equals(s[0]) && merged[1].equals(s[1]));
});

test('JSON and argument checks', () => {
  // FCN score_fr (PA §2.1): stride 32, centre 12.5, rf 404, effective padding 403/2 - 12.5 = 189.
  const c3 = conv(3, 1, 1);
  const pool = conv(2, 2);
  const scoreFr = chain(identityMap(), conv(3, 1, 100), c3, pool, c3, c3, pool,
    ...Array.from({ length: 3 }, () => [c3, c3, c3, pool]).flat(), conv(7));
  assert.is(JSON.stringify(scoreFr), '{"stride":32,"center":12.5,"rf":404,"padding":189}');
  assert.throws(() => window({ k: 0 }), /kernel size must be a positive integer/);
  assert.throws(() => transposedWindow({ k: 2, s: 0 }), /stride must be a positive integer/);
  assert.throws(() => upsampleNearest(1.5), /integer/);
  assert.throws(() => offsets(0, conv(3)), /positive integer/);
});

test.run();
