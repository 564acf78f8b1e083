/**
 * Periodic interval maps: for every integer unit i, the interval `[lo(i), hi(i)]` of units of
 * another tensor that unit i depends on (with the holes inside it, if any), or nothing.
 *
 * lo and hi are periodic integer functions `g(i) = floor(i/P)·D + table[i mod P]`: the period P
 * is (a multiple of) the denominator of the stride, usually 1, and D is the number of target
 * units per P units. Units are unclipped: indices outside a tensor are virtual units in the
 * padding, so a map is defined for every integer.
 *
 * A layer's relative map (its output units → intervals of its input units) and a tensor's
 * absolute map (units → input pixels) have the same form, and composing two such maps is done by
 * tabulating one period of the composite: exact, and linear in the length of a chain.
 *
 * Two refinements keep composition exact when units depend on nothing:
 * - `empty`: "no dependency" is explicit (a transposed convolution with k < s has output units
 *   that read no input unit);
 * - `pattern`: which units inside [lo, hi] are actually read (a dilated window reads every d-th
 *   unit). Holes matter when the units they skip are the only non-empty ones, and they make the
 *   composition associative, so that chaining relative maps first (as `offsets` does) gives the
 *   same result as applying the layers one by one.
 * Patterns wider than MAX_PATTERN_WIDTH are not tracked ('unknown'); such a map still composes
 * exactly as the left operand and, as the right operand, over maps without empty units.
 */
import { ceilDiv, floorDiv, gcd, lcm, mod } from '../rational.js';

/**
 * The units read inside [lo, hi]: all of them ('full'), a bitmask (bit j ⇔ lo + j is read; bits
 * 0 and hi - lo are always set), or 'unknown' (too wide to track; treated as 'full').
 */
export type Pattern = 'full' | 'unknown' | bigint;

export const MAX_PATTERN_WIDTH = 4096n;

/** One unit's dependency. */
export interface Interval {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly pattern?: Pattern;
}

const fullMask = (width: bigint): bigint => (1n << width) - 1n;

/** A mask normalised: 'full' when every bit is set, 'unknown' when too wide. */
function normalisePattern(mask: bigint, width: bigint): Pattern {
  if (width > MAX_PATTERN_WIDTH) return 'unknown';
  return mask === fullMask(width) ? 'full' : mask;
}

/** Accumulates the union of intervals (with patterns) into one interval and its pattern. */
class UnionBuilder {
  private parts: { lo: bigint; hi: bigint; pattern: Pattern }[] = [];

  add(lo: bigint, hi: bigint, pattern: Pattern): void {
    this.parts.push({ lo, hi, pattern });
  }

  /** Adds unit x of a map, unless it is empty. */
  addUnit(map: PeriodicIntervals, x: bigint): void {
    if (!map.isEmpty(x)) this.parts.push({ lo: map.loAt(x), hi: map.hiAt(x), pattern: map.patternAt(x) });
  }

  result(): Interval | undefined {
    if (this.parts.length === 0) return undefined;
    let lo = this.parts[0]!.lo;
    let hi = this.parts[0]!.hi;
    for (const p of this.parts) {
      if (p.lo < lo) lo = p.lo;
      if (p.hi > hi) hi = p.hi;
    }
    const width = hi - lo + 1n;
    if (this.parts.some((p) => p.pattern === 'unknown')) return { lo, hi, pattern: 'unknown' };
    // Full parts that chain without gaps cover the hull: no mask needed.
    if (this.parts.every((p) => p.pattern === 'full')) {
      const sorted = [...this.parts].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
      let reach = sorted[0]!.hi;
      let gapless = true;
      for (const p of sorted) {
        if (p.lo > reach + 1n) {
          gapless = false;
          break;
        }
        if (p.hi > reach) reach = p.hi;
      }
      if (gapless) return { lo, hi, pattern: 'full' };
    }
    if (width > MAX_PATTERN_WIDTH) return { lo, hi, pattern: 'unknown' };
    let mask = 0n;
    for (const p of this.parts) {
      const m = p.pattern === 'full' ? fullMask(p.hi - p.lo + 1n) : (p.pattern as bigint);
      mask |= m << (p.lo - lo);
    }
    return { lo, hi, pattern: normalisePattern(mask, width) };
  }
}

export class PeriodicIntervals {
  /** lo and hi are non-decreasing over the non-empty units. */
  readonly monotone: boolean;
  /** No empty units, no holes, and each unit's interval reaches the next one's: the union over
   *  any run of units is the interval between the run's ends (the composition's fast path). */
  readonly gapless: boolean;

  private constructor(
    /** P: the tables repeat every P units. */
    readonly period: number,
    /** D: lo(i + P) = lo(i) + D and hi(i + P) = hi(i) + D. */
    readonly advance: bigint,
    readonly lo: readonly bigint[],
    readonly hi: readonly bigint[],
    /** Undefined when no unit is empty. */
    readonly empty: readonly boolean[] | undefined,
    /** Undefined when every unit reads its whole interval. */
    readonly patterns: readonly Pattern[] | undefined,
  ) {
    this.monotone = checkMonotone(period, advance, lo, hi, empty);
    this.gapless = empty === undefined && patterns === undefined && this.monotone && checkTouching(period, advance, lo, hi);
  }

  /**
   * Builds a map from one period of values, reducing it to its smallest period.
   * `at(u)` gives unit u's interval, or undefined for no dependency.
   */
  static tabulate(period: bigint, advance: bigint, at: (u: bigint) => Interval | undefined): PeriodicIntervals {
    if (period <= 0n) throw new RangeError(`period must be positive, got ${period}`);
    const p = Number(period);
    const lo: bigint[] = [];
    const hi: bigint[] = [];
    const empty: boolean[] = [];
    const patterns: Pattern[] = [];
    for (let u = 0; u < p; u++) {
      const r = at(BigInt(u));
      lo.push(r?.lo ?? 0n);
      hi.push(r?.hi ?? 0n);
      empty.push(r === undefined);
      patterns.push(r?.pattern ?? 'full');
    }
    return PeriodicIntervals.reduce(p, advance, lo, hi, empty, patterns);
  }

  /** unit i ↦ [i·D + lo0, i·D + hi0] (period 1). */
  static affine(advance: bigint, lo0: bigint, hi0: bigint, pattern: Pattern = 'full'): PeriodicIntervals {
    return PeriodicIntervals.reduce(1, advance, [lo0], [hi0], [false], [pattern]);
  }

  /** i mod P (most maps have period 1, where every unit uses entry 0). */
  private slot(i: bigint): number {
    return this.period === 1 ? 0 : Number(mod(i, BigInt(this.period)));
  }

  /** floor(i / P)·D: how far the tables have advanced at unit i. */
  private offset(i: bigint): bigint {
    return this.period === 1 ? i * this.advance : floorDiv(i, BigInt(this.period)) * this.advance;
  }

  isEmpty(i: bigint): boolean {
    return this.empty !== undefined && this.empty[this.slot(i)]!;
  }

  /** lo(i); meaningless for an empty unit. */
  loAt(i: bigint): bigint {
    return this.offset(i) + this.lo[this.slot(i)]!;
  }

  /** hi(i); meaningless for an empty unit. */
  hiAt(i: bigint): bigint {
    return this.offset(i) + this.hi[this.slot(i)]!;
  }

  patternAt(i: bigint): Pattern {
    return this.patterns === undefined ? 'full' : this.patterns[this.slot(i)]!;
  }

  /** The interval of unit i, or undefined when it depends on nothing. */
  at(i: bigint): Interval | undefined {
    return this.isEmpty(i) ? undefined : { lo: this.loAt(i), hi: this.hiAt(i), pattern: this.patternAt(i) };
  }

  /** Same intervals, patterns and empty units for every unit (tables are kept reduced). */
  equals(o: PeriodicIntervals): boolean {
    if (this.period !== o.period || this.advance !== o.advance) return false;
    for (let r = 0; r < this.period; r++) {
      const e = this.empty?.[r] ?? false;
      if (e !== (o.empty?.[r] ?? false)) return false;
      if (e) continue;
      if (this.lo[r] !== o.lo[r] || this.hi[r] !== o.hi[r]) return false;
      if ((this.patterns?.[r] ?? 'full') !== (o.patterns?.[r] ?? 'full')) return false;
    }
    return true;
  }

  /** The largest number of target units spanned by one unit (0 when every unit is empty). */
  maxWidth(): bigint {
    let best = 0n;
    for (let r = 0; r < this.period; r++) {
      if (this.empty?.[r]) continue;
      const w = this.hi[r]! - this.lo[r]! + 1n;
      if (w > best) best = w;
    }
    return best;
  }

  /** The smallest span over non-empty units (0 when every unit is empty). */
  minWidth(): bigint {
    let best: bigint | undefined;
    for (let r = 0; r < this.period; r++) {
      if (this.empty?.[r]) continue;
      const w = this.hi[r]! - this.lo[r]! + 1n;
      if (best === undefined || w < best) best = w;
    }
    return best ?? 0n;
  }

  /**
   * The composite `outer ∘ inner`: unit u reads the inner units `inner(u)`, each of which reads
   * outer units; the result is the union of the outer intervals of the non-empty inner units
   * read (empty when there are none).
   *
   * Periods: shifting u by P_in moves the inner interval by D_in units, and outer repeats when
   * that shift is a multiple of P_out, so the composite repeats every
   * `P_in · P_out/gcd(D_in, P_out)` units.
   */
  static compose(outer: PeriodicIntervals, inner: PeriodicIntervals): PeriodicIntervals {
    const pOut = BigInt(outer.period);
    const pIn = BigInt(inner.period);
    const repeats = pOut / gcd(inner.advance, pOut);
    const period = pIn * repeats;
    const advance = outer.advance * ((inner.advance * repeats) / pOut);
    return PeriodicIntervals.tabulate(period, advance, (u) => {
      if (inner.isEmpty(u)) return undefined;
      const from = inner.loAt(u);
      const to = inner.hiAt(u);
      const pattern = inner.patternAt(u);
      // Runs of a gapless map cover the interval between their ends.
      if (outer.gapless && pattern !== 'unknown' && typeof pattern !== 'bigint') {
        return { lo: outer.loAt(from), hi: outer.hiAt(to), pattern: 'full' };
      }
      const union = new UnionBuilder();
      if (typeof pattern === 'bigint') {
        for (let j = 0n, bits = pattern; bits > 0n; j++, bits >>= 1n) if (bits & 1n) union.addUnit(outer, from + j);
      } else {
        // 'unknown' (a composite too wide to track) is read as its whole interval.
        for (let x = from; x <= to; x++) union.addUnit(outer, x);
        if (pattern === 'unknown') {
          const r = union.result();
          return r && { lo: r.lo, hi: r.hi, pattern: 'unknown' };
        }
      }
      return union.result();
    });
  }

  /**
   * The union unit by unit (merges). Both maps must advance at the same rate (same stride),
   * otherwise the union's spans would grow without bound.
   */
  static union(a: PeriodicIntervals, b: PeriodicIntervals): PeriodicIntervals {
    if (a.advance * BigInt(b.period) !== b.advance * BigInt(a.period)) {
      throw new RangeError('union of interval maps with different strides');
    }
    const period = lcm(BigInt(a.period), BigInt(b.period));
    const advance = a.advance * (period / BigInt(a.period));
    return PeriodicIntervals.tabulate(period, advance, (u) => {
      const union = new UnionBuilder();
      for (const m of [a, b]) {
        const r = m.at(u);
        if (r) union.add(r.lo, r.hi, r.pattern ?? 'full');
      }
      return union.result();
    });
  }

  /** i ↦ this(floor(i/f)) + (i mod f)·step: the interleaving of f copies shifted by `step` units (offset pooling). */
  interleave(f: bigint, step: bigint = 1n): PeriodicIntervals {
    return PeriodicIntervals.tabulate(BigInt(this.period) * f, this.advance, (u) => {
      const r = this.at(floorDiv(u, f));
      const shift = mod(u, f) * step;
      return r && { lo: r.lo + shift, hi: r.hi + shift, pattern: r.pattern ?? 'full' };
    });
  }

  /** u ↦ [ceil((u + p - k + 1)/s), floor((u + p)/s)]: the input units whose window of size k,
   *  stride s, top padding p contains output unit u (transposed convolution, unpooling). */
  static transposedWindow(k: bigint, s: bigint, p: bigint): PeriodicIntervals {
    return PeriodicIntervals.tabulate(s, 1n, (u) => {
      const lo = ceilDiv(u + p - k + 1n, s);
      const hi = floorDiv(u + p, s);
      return lo <= hi ? { lo, hi } : undefined;
    });
  }

  /** The read pattern of a window of k units, d apart. */
  static dilatedPattern(k: bigint, d: bigint): Pattern {
    if (k <= 1n || d <= 1n) return 'full';
    let mask = 0n;
    for (let t = 0n; t < k; t++) mask |= 1n << (t * d);
    return normalisePattern(mask, d * (k - 1n) + 1n);
  }

  /** Reduces tables to the smallest period d | P with lo[u + d] = lo[u] + D·d/P (same for hi,
   *  emptiness and patterns). */
  private static reduce(p: number, advance: bigint, lo: bigint[], hi: bigint[], empty: boolean[],
    patterns: Pattern[]): PeriodicIntervals {
    // Empty units carry lo = hi = 0 and a full pattern, so that equal maps have equal tables.
    for (let u = 0; u < p; u++) {
      if (empty[u]) {
        lo[u] = 0n;
        hi[u] = 0n;
        patterns[u] = 'full';
      }
    }
    const P = BigInt(p);
    let d = p;
    for (let c = 1; c < p; c++) {
      if (p % c !== 0 || (advance * BigInt(c)) % P !== 0n) continue;
      const shift = (advance * BigInt(c)) / P;
      let ok = true;
      for (let u = 0; u + c < p && ok; u++) {
        const v = u + c;
        if (empty[u] !== empty[v]) ok = false;
        else if (!empty[u] && (lo[v] !== lo[u]! + shift || hi[v] !== hi[u]! + shift || patterns[v] !== patterns[u])) ok = false;
      }
      if (ok) {
        d = c;
        break;
      }
    }
    if (d < p) {
      lo.length = d;
      hi.length = d;
      empty.length = d;
      patterns.length = d;
    }
    let anyEmpty = false;
    let anyHoles = false;
    for (let u = 0; u < d; u++) {
      if (empty[u]) anyEmpty = true;
      if (patterns[u] !== 'full') anyHoles = true;
    }
    return new PeriodicIntervals(d, advance * BigInt(d) / P, lo, hi, anyEmpty ? empty : undefined, anyHoles ? patterns : undefined);
  }
}

/**
 * Checks every pair of consecutive non-empty units over two periods (which covers every pair up
 * to translation): lo and hi non-decreasing, and (for `touching`) no gap between neighbours.
 */
function checkPairs(period: number, advance: bigint, lo: readonly bigint[], hi: readonly bigint[],
  empty: readonly boolean[] | undefined, touching: boolean): boolean {
  let prevLo = 0n;
  let prevHi = 0n;
  let started = false;
  for (let u = 0; u < 2 * period + 1; u++) {
    const r = u % period;
    if (empty?.[r]) continue;
    const shift = u < period ? 0n : u < 2 * period ? advance : 2n * advance;
    const l = lo[r]! + shift;
    const h = hi[r]! + shift;
    if (started) {
      if (touching ? l > prevHi + 1n : l < prevLo || h < prevHi) return false;
    }
    started = true;
    prevLo = l;
    prevHi = h;
  }
  return true;
}

function checkMonotone(period: number, advance: bigint, lo: readonly bigint[], hi: readonly bigint[],
  empty: readonly boolean[] | undefined): boolean {
  return checkPairs(period, advance, lo, hi, empty, false);
}

function checkTouching(period: number, advance: bigint, lo: readonly bigint[], hi: readonly bigint[]): boolean {
  return checkPairs(period, advance, lo, hi, undefined, true);
}
