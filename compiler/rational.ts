/**
 * Exact rational numbers and the integer helpers the dimension algebra and the coordinate maps
 * are built on.
 *
 * Strides become fractions after upsampling (1/32), centres are half-integers after a 2x2
 * pooling (-83.5), and crop offsets must be proven integral, so nothing in the static checker
 * may round. Numerators and denominators are bigints: a chain of strided layers multiplies
 * strides, and a silent overflow would turn a proof into a wrong answer.
 */

/** Anything that converts exactly to a rational: a Rational, a bigint, or an integer number. */
export type RationalLike = Rational | bigint | number;

// ---------------------------------------------------------------------------------------------
// Integer helpers (bigint). JavaScript's `/` and `%` truncate toward zero; the checker needs
// floored division and a non-negative remainder, as in the shape rules.

/** floor(a / b) for b != 0. */
export function floorDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new RangeError('division by zero');
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** ceil(a / b) for b != 0. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return -floorDiv(-a, b);
}

/** a mod b in [0, |b|) for b != 0. */
export function mod(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new RangeError('modulo by zero');
  const m = a % b;
  return m < 0n ? m + (b < 0n ? -b : b) : m;
}

export function abs(a: bigint): bigint {
  return a < 0n ? -a : a;
}

/** Greatest common divisor, always >= 0 (gcd(0, 0) = 0). */
export function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Least common multiple of positive integers. */
export function lcm(a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n;
  return abs(a / gcd(a, b) * b);
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** A bigint as a JavaScript number; throws if it is not exactly representable. */
export function toSafeNumber(a: bigint): number {
  const n = Number(a);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer ${a} is too large for a JavaScript number`);
  return n;
}

/** An integer number (or bigint) as a bigint; throws for fractions, NaN and infinities. */
export function toBigInt(n: number | bigint): bigint {
  if (typeof n === 'bigint') return n;
  if (!Number.isInteger(n)) throw new RangeError(`expected an integer, got ${n}`);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer ${n} is not exactly representable`);
  return BigInt(n);
}

// ---------------------------------------------------------------------------------------------

/** An exact rational number `num/den`, always normalised: gcd(num, den) = 1 and den > 0. */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  private constructor(num: bigint, den: bigint) {
    this.num = num;
    this.den = den;
  }

  static readonly ZERO = new Rational(0n, 1n);
  static readonly ONE = new Rational(1n, 1n);

  /** num/den, normalised. */
  static of(num: number | bigint, den: number | bigint = 1n): Rational {
    let n = toBigInt(num);
    let d = toBigInt(den);
    if (d === 0n) throw new RangeError('rational with denominator 0');
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n, d);
    if (g > 1n) {
      n /= g;
      d /= g;
    }
    if (d === 1n) {
      if (n === 0n) return Rational.ZERO;
      if (n === 1n) return Rational.ONE;
    }
    return new Rational(n, d);
  }

  /** An integer number as a rational. Non-integers are rejected: a binary float such as 0.1
   *  has no exact meaning the user intended; build fractions with `Rational.of(1, 10)`. */
  static fromNumber(n: number): Rational {
    return Rational.of(toBigInt(n));
  }

  static from(x: RationalLike): Rational {
    return x instanceof Rational ? x : Rational.of(x);
  }

  add(o: RationalLike): Rational {
    const b = Rational.from(o);
    if (this.den === 1n && b.den === 1n) return Rational.of(this.num + b.num);
    return Rational.of(this.num * b.den + b.num * this.den, this.den * b.den);
  }

  sub(o: RationalLike): Rational {
    const b = Rational.from(o);
    if (this.den === 1n && b.den === 1n) return Rational.of(this.num - b.num);
    return Rational.of(this.num * b.den - b.num * this.den, this.den * b.den);
  }

  mul(o: RationalLike): Rational {
    const b = Rational.from(o);
    if (this.den === 1n && b.den === 1n) return Rational.of(this.num * b.num);
    return Rational.of(this.num * b.num, this.den * b.den);
  }

  div(o: RationalLike): Rational {
    const b = Rational.from(o);
    if (b.num === 0n) throw new RangeError('division by zero');
    return Rational.of(this.num * b.den, this.den * b.num);
  }

  neg(): Rational {
    return Rational.of(-this.num, this.den);
  }

  abs(): Rational {
    return this.num < 0n ? this.neg() : this;
  }

  /** The largest integer <= this. */
  floor(): bigint {
    return floorDiv(this.num, this.den);
  }

  /** The smallest integer >= this. */
  ceil(): bigint {
    return ceilDiv(this.num, this.den);
  }

  /** -1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    return this.num < 0n ? -1 : this.num > 0n ? 1 : 0;
  }

  compare(o: RationalLike): -1 | 0 | 1 {
    const b = Rational.from(o);
    const l = this.num * b.den;
    const r = b.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }

  equals(o: RationalLike): boolean {
    const b = Rational.from(o);
    return this.num === b.num && this.den === b.den;
  }

  lt(o: RationalLike): boolean {
    return this.compare(o) < 0;
  }

  le(o: RationalLike): boolean {
    return this.compare(o) <= 0;
  }

  gt(o: RationalLike): boolean {
    return this.compare(o) > 0;
  }

  ge(o: RationalLike): boolean {
    return this.compare(o) >= 0;
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  isInteger(): boolean {
    return this.den === 1n;
  }

  /** The integer value; throws if this is not an integer. */
  toBigInt(): bigint {
    if (this.den !== 1n) throw new RangeError(`${this.toString()} is not an integer`);
    return this.num;
  }

  /** The nearest double (exact for integers and for fractions such as 12.5 or 0.25). */
  toNumber(): number {
    if (this.den === 1n) return Number(this.num);
    const n = Number(this.num);
    const d = Number(this.den);
    if (Number.isFinite(n) && Number.isFinite(d)) return n / d;
    // Parts beyond the double range: drop the same number of low bits from both.
    const bits = Math.max(abs(this.num).toString(2).length, this.den.toString(2).length);
    const shift = BigInt(bits - 1000);
    return Number(this.num >> shift) / Number(this.den >> shift);
  }

  /**
   * `"12"`, `"-18.5"`, `"0.25"` when the decimal expansion terminates (denominator 2^a 5^b),
   * otherwise `"1/3"`, `"-7/6"`.
   */
  toString(): string {
    if (this.den === 1n) return this.num.toString();
    let d = this.den;
    let twos = 0;
    let fives = 0;
    while (d % 2n === 0n) {
      d /= 2n;
      twos++;
    }
    while (d % 5n === 0n) {
      d /= 5n;
      fives++;
    }
    if (d !== 1n) return `${this.num}/${this.den}`;
    const digits = Math.max(twos, fives);
    const scaled = abs(this.num) * 10n ** BigInt(digits) / this.den;
    const text = scaled.toString().padStart(digits + 1, '0');
    const sign = this.num < 0n ? '-' : '';
    return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
  }

  /** JSON form (cli.md): integers are JSON integers, other rationals JSON numbers. */
  toJSON(): number {
    return this.toNumber();
  }

  static min(a: Rational, b: Rational): Rational {
    return a.le(b) ? a : b;
  }

  static max(a: Rational, b: Rational): Rational {
    return a.ge(b) ? a : b;
  }
}
