/**
 * Quasi-affine functions of one integer variable: for `H ≡ r (mod period)`,
 * `f(H) = slope_r·H + offset_r` with rational slope and offset.
 *
 * This is the normal form of every layer size our networks produce from one input dimension:
 * `+ - *` by constants keep the form, and so do floor division, ceil division and `%` by a
 * positive constant (the period may grow) and `min`/`max` of functions with equal slopes. With
 * the function known exactly on every residue class, equality and inequality questions reduce
 * to linear functions on arithmetic progressions, which are decided exactly (see prove.ts).
 *
 * Invariant: f is integer-valued on every integer (including values outside any domain), so
 * `slope_r·period` and `f(r)` are integers. Every operation preserves it.
 */
import { Rational, ceilDiv, floorDiv, gcd, lcm, mod } from '../rational.js';

/** Periods above this are not tabulated; such a size is kept as an opaque expression instead. */
export const MAX_PERIOD = 4096;

/** How the function was last rounded: a hint that makes printing follow the construction. */
export type Rounding = 'floor' | 'ceil';

/** The function on one residue class: `slope·H + offset`. */
export interface Piece {
  readonly slope: Rational;
  readonly offset: Rational;
}

const samePiece = (a: Piece, b: Piece): boolean => a.slope.equals(b.slope) && a.offset.equals(b.offset);

export class QuasiAffine {
  private constructor(
    /** The variable, or undefined for a constant. */
    readonly variable: string | undefined,
    /** The period M of the residue table (1 for constants and affine functions). */
    readonly period: number,
    /** `pieces[r]` is the function on `H ≡ r (mod period)`. */
    readonly pieces: readonly Piece[],
    readonly rounding: Rounding | undefined,
  ) {}

  static constant(n: bigint): QuasiAffine {
    return new QuasiAffine(undefined, 1, [{ slope: Rational.ZERO, offset: Rational.of(n) }], undefined);
  }

  static variable(name: string): QuasiAffine {
    return new QuasiAffine(name, 1, [{ slope: Rational.ONE, offset: Rational.ZERO }], undefined);
  }

  /** Builds a function from a table, reducing it to its smallest period. Undefined if the
   *  period is too large to tabulate. */
  private static build(variable: string | undefined, period: bigint, make: (r: bigint) => Piece,
    rounding: Rounding | undefined): QuasiAffine | undefined {
    if (period > BigInt(MAX_PERIOD)) return undefined;
    const m = Number(period);
    const pieces: Piece[] = [];
    for (let r = 0; r < m; r++) pieces.push(make(BigInt(r)));
    let p = m;
    for (let d = 1; d < m; d++) {
      if (m % d !== 0) continue;
      let periodic = true;
      for (let r = d; r < m && periodic; r++) periodic = samePiece(pieces[r]!, pieces[r % d]!);
      if (periodic) {
        p = d;
        break;
      }
    }
    const reduced = pieces.slice(0, p);
    const constant = p === 1 && reduced[0]!.slope.isZero();
    return new QuasiAffine(constant ? undefined : variable, p, reduced, constant ? undefined : rounding);
  }

  isConstant(): boolean {
    return this.variable === undefined;
  }

  constantValue(): bigint | undefined {
    return this.variable === undefined ? this.pieces[0]!.offset.toBigInt() : undefined;
  }

  /** The piece that applies at h. */
  pieceAt(h: bigint): Piece {
    return this.pieces[Number(mod(h, BigInt(this.period)))]!;
  }

  valueAt(h: bigint): bigint {
    const p = this.pieceAt(h);
    return p.slope.mul(h).add(p.offset).toBigInt();
  }

  /** True when every piece has slope >= 0 (then f is non-decreasing along each residue class). */
  slopesNonNegative(): boolean {
    return this.pieces.every((p) => p.slope.sign() >= 0);
  }

  private commonVariable(o: QuasiAffine): { ok: boolean; variable: string | undefined } {
    if (this.variable === undefined) return { ok: true, variable: o.variable };
    if (o.variable === undefined || o.variable === this.variable) return { ok: true, variable: this.variable };
    return { ok: false, variable: undefined };
  }

  /** this + o, or undefined when they depend on different variables. */
  add(o: QuasiAffine): QuasiAffine | undefined {
    const v = this.commonVariable(o);
    if (!v.ok) return undefined;
    const period = lcm(BigInt(this.period), BigInt(o.period));
    // Adding a constant keeps the rounding hint: floor(x/k) + 3 still reads as a floor.
    const rounding = o.isConstant() ? this.rounding : this.isConstant() ? o.rounding : undefined;
    return QuasiAffine.build(v.variable, period, (r) => {
      const a = this.pieces[Number(r % BigInt(this.period))]!;
      const b = o.pieces[Number(r % BigInt(o.period))]!;
      return { slope: a.slope.add(b.slope), offset: a.offset.add(b.offset) };
    }, rounding);
  }

  /** n·this. A positive multiple keeps the rounding hint (`3*floor(...)`). */
  scale(n: bigint): QuasiAffine {
    if (n === 1n) return this;
    return QuasiAffine.build(this.variable, BigInt(this.period), (r) => {
      const a = this.pieces[Number(r)]!;
      return { slope: a.slope.mul(n), offset: a.offset.mul(n) };
    }, n > 0n ? this.rounding : undefined)!;
  }

  /**
   * round(this / k) for floor, ceil, or this mod k (k > 0).
   *
   * On the class `H = r + M·t` the function is `α·t + β` with integers α = slope·M, β = f(r).
   * Divided by k it repeats, up to an added `α/g` per step, every `k/g` steps (g = gcd(α, k)),
   * so the period grows to `M·lcm_r(k/g_r)` and each new class is again affine.
   */
  private divide(k: bigint, op: 'floor' | 'ceil' | 'mod'): QuasiAffine | undefined {
    if (k <= 0n) throw new RangeError(`division by a non-positive constant ${k}`);
    if (k === 1n) return op === 'mod' ? QuasiAffine.constant(0n) : this;
    const m = BigInt(this.period);
    let growth = 1n;
    for (const p of this.pieces) {
      const alpha = p.slope.mul(m).toBigInt();
      growth = lcm(growth, k / gcd(alpha, k));
    }
    const period = m * growth;
    return QuasiAffine.build(this.variable, period, (r) => {
      const a = this.pieces[Number(r % m)]!;
      const value = a.slope.mul(r).add(a.offset).toBigInt();
      if (op === 'mod') return { slope: Rational.ZERO, offset: Rational.of(mod(value, k)) };
      const slope = a.slope.div(k);
      const rounded = op === 'floor' ? floorDiv(value, k) : ceilDiv(value, k);
      return { slope, offset: Rational.of(rounded).sub(slope.mul(r)) };
    }, op === 'mod' ? undefined : op);
  }

  floorDiv(k: bigint): QuasiAffine | undefined {
    return this.divide(k, 'floor');
  }

  ceilDiv(k: bigint): QuasiAffine | undefined {
    return this.divide(k, 'ceil');
  }

  mod(k: bigint): QuasiAffine | undefined {
    return this.divide(k, 'mod');
  }

  /** min or max of two functions of the same variable whose slopes agree on every residue
   *  class; undefined otherwise (the result would not be quasi-affine on all integers). */
  private extremum(o: QuasiAffine, pick: 'min' | 'max'): QuasiAffine | undefined {
    const v = this.commonVariable(o);
    if (!v.ok) return undefined;
    const period = lcm(BigInt(this.period), BigInt(o.period));
    if (period > BigInt(MAX_PERIOD)) return undefined;
    for (let r = 0n; r < period; r++) {
      const a = this.pieces[Number(r % BigInt(this.period))]!;
      const b = o.pieces[Number(r % BigInt(o.period))]!;
      if (!a.slope.equals(b.slope)) return undefined;
    }
    return QuasiAffine.build(v.variable, period, (r) => {
      const a = this.pieces[Number(r % BigInt(this.period))]!;
      const b = o.pieces[Number(r % BigInt(o.period))]!;
      const takeA = pick === 'min' ? a.offset.le(b.offset) : a.offset.ge(b.offset);
      return takeA ? a : b;
    }, undefined);
  }

  min(o: QuasiAffine): QuasiAffine | undefined {
    return this.extremum(o, 'min');
  }

  max(o: QuasiAffine): QuasiAffine | undefined {
    return this.extremum(o, 'max');
  }

  /** A canonical text key: equal keys ⇔ equal functions (the rounding hint is ignored). */
  key(): string {
    const table = this.pieces.map((p) => `${p.slope.toString()}:${p.offset.toString()}`).join(',');
    return `${this.variable ?? ''}|${this.period}|${table}`;
  }
}
