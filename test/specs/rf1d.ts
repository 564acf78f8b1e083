/**
 * A brute-force receptive field along one axis, independent of the compiler, for checking the
 * exact values the checker reports after upsampling (language.md §5). A layer is a function
 * from a unit index to the interval of input pixels `[lo, hi]` it depends on; each op below
 * builds it from the previous one by listing the units a unit reads. Padding units are
 * extrapolated like real ones (the rf counts padding, as Caffe's and the Distill article's
 * definitions do). Not a test file itself.
 */

export type UnitSpan = (unit: number) => readonly [lo: number, hi: number];

/** Caches a layer's intervals (layers read overlapping units of the one before). */
function memo(f: UnitSpan): UnitSpan {
  const cache = new Map<number, readonly [number, number]>();
  return (i) => {
    let v = cache.get(i);
    if (!v) cache.set(i, (v = f(i)));
    return v;
  };
}

/** The input: unit i is pixel i. */
export const pixels: UnitSpan = (i) => [i, i];

function union(prev: UnitSpan, first: number, last: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let u = first; u <= last; u++) {
    const [a, b] = prev(u);
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
  }
  return [lo, hi];
}

/** conv / pooling: unit i reads units i·s − p … i·s − p + d(k − 1) (every d-th). */
export function window(prev: UnitSpan, k: number, s = 1, p = 0, d = 1): UnitSpan {
  return memo((i) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = 0; t < k; t++) {
      const [a, b] = prev(i * s - p + t * d);
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
    return [lo, hi];
  });
}

/** Transposed convolution (Caffe's deconvolution): unit i reads every u with 0 ≤ i + p − s·u < k. */
export function transposed(prev: UnitSpan, k: number, s: number, p = 0): UnitSpan {
  return memo((i) => union(prev, Math.ceil((i + p - k + 1) / s), Math.floor((i + p) / s)));
}

/** Max-unpooling of a k×k/k pooling: unit i holds a value of pooled unit ⌊i/k⌋ (or zero). */
export function unpool(pooled: UnitSpan, k = 2): UnitSpan {
  return memo((i) => pooled(Math.floor(i / k)));
}

/** Crop by `offset` units. */
export function crop(prev: UnitSpan, offset: number): UnitSpan {
  return memo((i) => prev(i + offset));
}

/** Elementwise sum of two aligned maps. */
export function merge(a: UnitSpan, b: UnitSpan): UnitSpan {
  return memo((i) => {
    const [a0, a1] = a(i);
    const [b0, b1] = b(i);
    return [Math.min(a0, b0), Math.max(a1, b1)];
  });
}

/** A chain of stride-1 'same' convolutions k×k. */
export function sameConvs(prev: UnitSpan, k: number, n: number): UnitSpan {
  let out = prev;
  for (let i = 0; i < n; i++) out = window(out, k, 1, (k - 1) / 2);
  return out;
}

/** The largest receptive field over units `0 … units − 1` (a few periods suffice). */
export function largestRf(layer: UnitSpan, units = 256): number {
  let best = 0;
  for (let i = 0; i < units; i++) {
    const [lo, hi] = layer(i);
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
