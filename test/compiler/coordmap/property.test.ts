/**
 * Seeded property tests for coordinate maps:
 * - single-path conv/pool stacks against the Distill closed forms (RFT §3.2);
 * - random chains of every layer kind (with merges, unpooling and offset pooling) against
 *   explicit pixel sets (brute-force.ts), unit by unit, including empty units;
 * - associativity of composition; linear time on a 20,000-layer chain.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AxisMap, chain, compose, cropOffset, identityMap, merge, offsets, padTop, transposedWindow, unpool,
  upsampleBilinear, upsampleNearest, window,
} from '../../../compiler/coordmap.js';
import {
  bilinearReads, bruteRf, convReads, deconvReads, hull, inputPixels, nearestReads, shiftReads, through, unionOf,
  type PixelSets, type Reads,
} from './brute-force.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

test('single-path stacks: Distill closed forms for rf, stride, padding and every region', () => {
  const r = rng(2019);
  for (let trial = 0; trial < 300; trial++) {
    const layers = Array.from({ length: int(r, 1, 7) }, () => ({ k: int(r, 1, 7), s: int(r, 1, 3), p: int(r, 0, 4), d: int(r, 1, 3) }));
    const m = chain(identityMap(), ...layers.map((l) => window(l)));
    // r0 = Σ (k_eff,l − 1)·Π_{i<l} s_i + 1; S = Π s; P = Σ p_l·Π_{i<l} s_i.
    let rf = 1;
    let S = 1;
    let P = 0;
    for (const l of layers) {
      rf += (l.d * (l.k - 1)) * S;
      P += l.p * S;
      S *= l.s;
    }
    assert.equal([m.rf(), m.stride.toNumber(), m.padding().toNumber()], [rf, S, P], JSON.stringify(layers));
    // Centre c0 = -P + (r - 1)/2; region of unit u: [u·S − P, u·S − P + r − 1].
    assert.is(m.center.toNumber(), -P + (rf - 1) / 2);
    for (const u of [-3, 0, 1, 2, 7]) assert.equal(m.region(u), { kind: 'interval', lo: u * S - P, hi: u * S - P + rf - 1 });
  }
});

/** A layer both as a relative map and as a read function. */
interface Layer { readonly name: string; readonly map: AxisMap; readonly reads: Reads }

function randomLayer(r: () => number): Layer {
  switch (int(r, 0, 6)) {
    case 0:
    case 1: {
      const [k, s, p, d] = [int(r, 1, 5), int(r, 1, 3), int(r, 0, 3), int(r, 1, 3)];
      return { name: `conv(k${k} s${s} p${p} d${d})`, map: window({ k, s, p, d }), reads: convReads(k, s, p, d) };
    }
    case 2: {
      const [k, s, p] = [int(r, 1, 6), int(r, 1, 3), int(r, 0, 2)];
      return { name: `deconv(k${k} s${s} p${p})`, map: transposedWindow({ k, s, p }), reads: deconvReads(k, s, p) };
    }
    case 3: {
      const f = int(r, 1, 3);
      return { name: `nearest(${f})`, map: upsampleNearest(f), reads: nearestReads(f) };
    }
    case 4: {
      const f = int(r, 1, 4);
      return { name: `bilinear(${f})`, map: upsampleBilinear(f), reads: bilinearReads(f) };
    }
    case 5: {
      const o = int(r, 0, 3);
      return { name: `crop(${o})`, map: cropOffset(o), reads: shiftReads(o) };
    }
    default: {
      const t = int(r, 0, 3);
      return { name: `pad(${t})`, map: padTop(t), reads: shiftReads(-t) };
    }
  }
}

/** A tensor both as an absolute map and as explicit pixel sets. */
interface Tensor { readonly map: AxisMap; readonly pixels: PixelSets; readonly description: string }

const apply = (x: Tensor, l: Layer): Tensor =>
  ({ map: compose(x.map, l.map), pixels: through(x.pixels, l.reads), description: `${x.description} → ${l.name}` });

/** Extends a tensor by one random step: a layer, a merge with a stride-1 side branch, an
 *  unpooling, or an offset pooling of a short random sub-network. */
function step(r: () => number, x: Tensor): Tensor {
  const kind = int(r, 0, 9);
  if (kind <= 5) return apply(x, randomLayer(r));
  if (kind === 6) {
    // x + side(x) where side keeps the stride: conv stride 1, crop, pad.
    const [k, p, d] = [int(r, 1, 4), int(r, 0, 3), int(r, 1, 2)];
    const side = apply(x, { name: `conv(k${k} p${p} d${d})`, map: window({ k, p, d }), reads: convReads(k, 1, p, d) });
    return { map: merge([x.map, side.map]), pixels: unionOf(x.pixels, side.pixels), description: `merge(${x.description}, ${side.description})` };
  }
  if (kind === 7) {
    // maxpool then (a stride-1 conv) then unpool with that pooling's indices.
    const [k, s] = [int(r, 1, 3), int(r, 1, 3)];
    const pooled = apply(x, { name: `pool(k${k} s${s})`, map: window({ k, s }), reads: convReads(k, s) });
    const body = r() < 0.5 ? pooled : apply(pooled, { name: 'conv(k3 p1)', map: window({ k: 3, p: 1 }), reads: convReads(3, 1, 1) });
    const scatter = deconvReads(k, s);
    return {
      map: unpool({ input: body.map, pool: { k, s }, poolInput: x.map }),
      pixels: unionOf(through(body.pixels, scatter), through(pooled.pixels, scatter)),
      description: `unpool(${body.description})`,
    };
  }
  // offsets(f, L) with L = pool(f) then 1-2 stride-1 convs: u = v·f + dy reads L(v) + dy.
  const f = int(r, 2, 3);
  const inner: Layer[] = [{ name: `pool(${f})`, map: window({ k: f, s: f }), reads: convReads(f, f) }];
  for (let i = int(r, 1, 2); i > 0; i--) {
    const [k, d] = [int(r, 1, 3), int(r, 1, 2)];
    inner.push({ name: `conv(k${k} d${d})`, map: window({ k, d }), reads: convReads(k, 1, 0, d) });
  }
  const lSets = inner.reduce<PixelSets>((t, l) => through(t, l.reads), inputPixels);
  const reads: Reads = (u) => [...lSets(Math.floor(u / f))].map((i) => i + (((u % f) + f) % f));
  return apply(x, { name: `offsets(${f}, ${inner.map((l) => l.name).join(' ')})`, map: offsets(f, chain(inner[0]!.map, ...inner.slice(1).map((l) => l.map))), reads });
}

test('random graphs of every layer kind agree with explicit pixel sets, unit by unit', () => {
  const r = rng(1234);
  let emptySeen = 0;
  let holesSeen = 0;
  let compared = 0;
  for (let trial = 0; trial < 250; trial++) {
    let x: Tensor = { map: identityMap(), pixels: inputPixels, description: 'input' };
    for (let i = int(r, 1, 5); i > 0; i--) x = step(r, x);
    for (let u = -6; u < 40; u++) {
      const pixels = x.pixels(u);
      const expected = hull(pixels);
      const actual = x.map.region(u);
      if (!expected) emptySeen++;
      assert.equal(actual, expected ? { kind: 'interval', ...expected } : { kind: 'empty' }, `${x.description}, unit ${u}`);
      // The holes too: the pattern lists exactly the pixels depended on.
      const exact = x.map.regions.at(BigInt(u));
      if (exact && exact.pattern !== 'unknown') {
        const listed = exact.pattern === 'full' || exact.pattern === undefined
          ? Array.from({ length: Number(exact.hi - exact.lo) + 1 }, (_, j) => Number(exact.lo) + j)
          : Array.from({ length: Number(exact.hi - exact.lo) + 1 }, (_, j) => j)
            .filter((j) => ((exact.pattern as bigint) >> BigInt(j)) & 1n).map((j) => Number(exact.lo) + j);
        assert.equal(listed, [...pixels].sort((a, b) => a - b), `${x.description}, pixels of unit ${u}`);
        if (listed.length < Number(exact.hi - exact.lo) + 1) holesSeen++;
      }
    }
    if (x.map.regions.period <= 24) {
      compared++;
      assert.is(x.map.rf(), bruteRf(x.pixels, 0, 2 * x.map.regions.period + 8), x.description);
    }
  }
  assert.ok(emptySeen > 50, `empty units occur (${emptySeen})`);
  assert.ok(holesSeen > 50, `regions with holes occur (${holesSeen})`);
  assert.ok(compared > 150, `rf compared on most graphs (${compared})`);
});

test('composition is associative (relative maps chained first, as offsets does, give the same result)', () => {
  const r = rng(77);
  for (let trial = 0; trial < 600; trial++) {
    const ms = Array.from({ length: int(r, 3, 5) }, () => randomLayer(r).map);
    const leftToRight = ms.reduce((a, b) => compose(a, b));
    const rightToLeft = ms.reduceRight((b, a) => compose(a, b));
    const split = int(r, 1, ms.length - 1);
    const middle = compose(ms.slice(0, split).reduce((a, b) => compose(a, b)), ms.slice(split).reduce((a, b) => compose(a, b)));
    assert.ok(leftToRight.equals(rightToLeft) && leftToRight.equals(middle), `trial ${trial}`);
  }
});

test('a 20,000-layer chain composes in linear time', () => {
  const block = [window({ k: 3, p: 1 }), window({ k: 2, s: 2 }), window({ k: 3, p: 1, d: 2 }), transposedWindow({ k: 4, s: 2, p: 1 }), identityMap()];
  const build = (n: number) => {
    let m = identityMap();
    for (let i = 0; i < n; i++) m = compose(m, block[i % block.length]!);
    return m;
  };
  // The fastest of three runs, to be robust to a loaded machine.
  const time = (n: number) => Math.min(...[0, 1, 2].map(() => {
    const start = performance.now();
    build(n);
    return performance.now() - start;
  }));
  time(2000); // warm up
  const small = time(5000);
  const big = time(20000);
  // Every block of 5 brings the stride back to 1 (pool 2, deconv 4/2), so the tables stay small
  // while the rf keeps growing.
  const m = build(20000);
  assert.is(m.stride.toNumber(), 1);
  assert.ok(m.rf() > build(5000).rf());
  // Quadratic work would take 16x for 4x the layers; linear takes about 4x.
  assert.ok(big < 10 * small + 100, `not linear: ${small.toFixed(1)} ms → ${big.toFixed(1)} ms`);
  assert.ok(big < 2000, `20,000 layers took ${big.toFixed(0)} ms`);
});

test.run();
