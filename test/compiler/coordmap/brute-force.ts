/**
 * An independent reference for receptive fields (test helper, no tests of its own): each layer
 * is a function from an output unit to the list of input units it reads, straight from the
 * layer's definition, and a unit's dependency is the explicit set of input pixels reached
 * through the graph. No periods, no intervals, no composition algebra.
 */

/** Output unit → input units read. */
export type Reads = (u: number) => readonly number[];

/** A tensor: unit → set of network-input pixels it depends on. */
export type PixelSets = (u: number) => ReadonlySet<number>;

/** conv/pool: unit u reads u·s - p + d·t for t in [0, k). */
export const convReads = (k: number, s = 1, p = 0, d = 1): Reads => (u) =>
  Array.from({ length: k }, (_, t) => u * s - p + d * t);

/** Transposed conv: output u receives input i through kernel tap t = u + p - i·s when 0 <= t < k. */
export const deconvReads = (k: number, s: number, p = 0): Reads => (u) => {
  const out: number[] = [];
  for (let i = Math.floor((u + p - k) / s) - 1; i <= Math.floor((u + p) / s) + 1; i++) {
    const t = u + p - i * s;
    if (t >= 0 && t < k) out.push(i);
  }
  return out;
};

export const nearestReads = (f: number): Reads => (u) => [Math.floor(u / f)];

/** Bilinear, half-pixel centres: the input units with a non-zero interpolation weight
 *  1 - |src - i| at src = (u + 0.5)/f - 0.5. */
export const bilinearReads = (f: number): Reads => (u) => {
  const src = (u + 0.5) / f - 0.5;
  const out: number[] = [];
  for (let i = Math.floor(src) - 1; i <= Math.floor(src) + 2; i++) if (1 - Math.abs(src - i) > 1e-12) out.push(i);
  return out;
};

export const shiftReads = (o: number): Reads => (u) => [u + o];

export const inputPixels: PixelSets = (u) => new Set([u]);

/** The tensor after a layer with the given reads. */
export function through(prev: PixelSets, reads: Reads): PixelSets {
  const memo = new Map<number, Set<number>>();
  return (u) => {
    let s = memo.get(u);
    if (!s) {
      s = new Set();
      for (const i of reads(u)) for (const x of prev(i)) s.add(x);
      memo.set(u, s);
    }
    return s;
  };
}

/** A merge (a + b, concat, or the two inputs of an unpool). */
export const unionOf = (...parts: PixelSets[]): PixelSets => (u) => new Set(parts.flatMap((p) => [...p(u)]));

/** [lo, hi] of a set, or undefined when empty. */
export function hull(s: ReadonlySet<number>): { lo: number; hi: number } | undefined {
  if (s.size === 0) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of s) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return { lo, hi };
}

/** The largest hull over units [from, to). */
export function bruteRf(t: PixelSets, from = 0, to = 64): number {
  let best = 0;
  for (let u = from; u < to; u++) {
    const h = hull(t(u));
    if (h) best = Math.max(best, h.hi - h.lo + 1);
  }
  return best;
}
