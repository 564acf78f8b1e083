/**
 * The allowed values of the dimension variables: the `where` constraints of an `input` shape
 * (`H % 32 == 0`, `H >= 64`, `H == 224`, ...), `--size H=360` (an `==` constraint), and the lower
 * bounds the checker infers (every layer's size must be >= 1).
 *
 * Every constraint mentions one variable, so the domain is a product of one set per variable,
 * and each set is an arithmetic progression cut to an interval: `{ H : H ≡ residue (mod
 * modulus), min <= H <= max }` (or empty). Several `%` constraints combine by the Chinese
 * remainder theorem. A dimension is at least 1, so `min` starts at 1.
 */
import { floorDiv, gcd, mod, toBigInt, toSafeNumber } from '../rational.js';
import type { Env } from './dim.js';

export type ConstraintOp = '%' | '>=' | '<=' | '>' | '<' | '==';

/**
 * One `where` comparison, as the checker converts it from the AST. For `%` it reads
 * `variable % modulus == value`; otherwise `variable op value`. Values may be fractional
 * (`H > 10.5` means `H >= 11`); a modulus must be a positive integer.
 */
export interface Constraint {
  readonly variable: string;
  readonly op: ConstraintOp;
  readonly modulus?: number;
  readonly value: number;
}

/** The allowed values of one variable, normalised: when not empty, `min` and `max` are allowed
 *  values themselves (`min ≡ max ≡ residue (mod modulus)`). */
export interface VariableRange {
  readonly variable: string;
  readonly empty: boolean;
  readonly min: bigint;
  /** Undefined: no upper bound. */
  readonly max: bigint | undefined;
  readonly modulus: bigint;
  readonly residue: bigint;
}

interface Congruence {
  readonly modulus: bigint;
  readonly residue: bigint;
}

/** x ≡ a.residue (mod a.modulus) and x ≡ b.residue (mod b.modulus), or undefined if impossible. */
function combine(a: Congruence, b: Congruence): Congruence | undefined {
  const g = gcd(a.modulus, b.modulus);
  if (mod(b.residue - a.residue, g) !== 0n) return undefined;
  // x = a.r + a.m·t with a.m·t ≡ b.r - a.r (mod b.m): divide by g, invert a.m/g mod b.m/g.
  const m1 = a.modulus / g;
  const m2 = b.modulus / g;
  const t = mod(((b.residue - a.residue) / g) * inverse(m1, m2), m2);
  const modulus = a.modulus * m2;
  return { modulus, residue: mod(a.residue + a.modulus * t, modulus) };
}

/** The inverse of a modulo m (gcd(a, m) = 1), by the extended Euclidean algorithm. */
function inverse(a: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

/** The mutable state of one variable while constraints are applied. */
interface Bounds {
  min: bigint;
  max: bigint | undefined;
  congruence: Congruence | undefined; // undefined: contradictory congruences
  impossible: boolean; // e.g. H == 6.5, H % 2 == 3
}

function normalise(variable: string, b: Bounds): VariableRange {
  const c = b.congruence ?? { modulus: 1n, residue: 0n };
  const min = b.min + mod(c.residue - b.min, c.modulus);
  const max = b.max === undefined ? undefined : b.max - mod(b.max - c.residue, c.modulus);
  const empty = b.impossible || b.congruence === undefined || (max !== undefined && min > max);
  return { variable, empty, min, max, modulus: c.modulus, residue: c.residue };
}

function applyConstraint(b: Bounds, c: Constraint): void {
  const value = c.value;
  if (!Number.isFinite(value)) throw new RangeError(`constraint value ${value} is not finite`);
  const isInt = Number.isInteger(value);
  const lowerBound = (x: bigint) => {
    if (x > b.min) b.min = x;
  };
  const upperBound = (x: bigint) => {
    if (b.max === undefined || x < b.max) b.max = x;
  };
  switch (c.op) {
    case '%': {
      const m = c.modulus;
      if (m === undefined || !Number.isSafeInteger(m) || m <= 0) {
        throw new RangeError(`constraint ${c.variable} % ${m}: the modulus must be a positive integer`);
      }
      // H % m == v never holds for v outside [0, m) or fractional v.
      if (!isInt || value < 0 || value >= m) {
        b.impossible = true;
        return;
      }
      if (b.congruence) b.congruence = combine(b.congruence, { modulus: BigInt(m), residue: BigInt(value) });
      return;
    }
    case '>=':
      lowerBound(BigInt(Math.ceil(value)));
      return;
    case '>':
      lowerBound(BigInt(Math.floor(value)) + 1n);
      return;
    case '<=':
      upperBound(BigInt(Math.floor(value)));
      return;
    case '<':
      upperBound(BigInt(Math.ceil(value)) - 1n);
      return;
    case '==':
      if (!isInt) {
        b.impossible = true;
        return;
      }
      lowerBound(BigInt(value));
      upperBound(BigInt(value));
      return;
  }
}

const describeConstraint = (c: Constraint): string =>
  c.op === '%' ? `${c.variable} % ${c.modulus} == ${c.value}` : `${c.variable} ${c.op} ${c.value}`;

export class Domain {
  private constructor(
    private readonly constraints: readonly Constraint[],
    private readonly ranges: ReadonlyMap<string, VariableRange>,
  ) {}

  /** Every variable may take any value >= 1. */
  static unconstrained(): Domain {
    return new Domain([], new Map());
  }

  static fromConstraints(constraints: readonly Constraint[]): Domain {
    const bounds = new Map<string, Bounds>();
    for (const c of constraints) {
      let b = bounds.get(c.variable);
      if (!b) {
        b = { min: 1n, max: undefined, congruence: { modulus: 1n, residue: 0n }, impossible: false };
        bounds.set(c.variable, b);
      }
      applyConstraint(b, c);
    }
    const ranges = new Map<string, VariableRange>();
    for (const [v, b] of bounds) ranges.set(v, normalise(v, b));
    return new Domain([...constraints], ranges);
  }

  /** This domain with one more constraint. */
  with(...more: Constraint[]): Domain {
    return Domain.fromConstraints([...this.constraints, ...more]);
  }

  /** This domain cut to `min <= variable <= max` (e.g. an inferred lower bound). */
  restrict(variable: string, bounds: { min?: number; max?: number }): Domain {
    const more: Constraint[] = [];
    if (bounds.min !== undefined) more.push({ variable, op: '>=', value: bounds.min });
    if (bounds.max !== undefined) more.push({ variable, op: '<=', value: bounds.max });
    return this.with(...more);
  }

  /** The variables that carry a constraint. */
  variables(): readonly string[] {
    return [...this.ranges.keys()].sort();
  }

  /** The allowed values of a variable (any variable not mentioned: every value >= 1). */
  range(variable: string): VariableRange {
    return this.ranges.get(variable)
      ?? { variable, empty: false, min: 1n, max: undefined, modulus: 1n, residue: 0n };
  }

  /** True when some variable has no allowed value (then every proof holds vacuously, so the
   *  checker should report this first). */
  isEmpty(): boolean {
    for (const r of this.ranges.values()) if (r.empty) return true;
    return false;
  }

  /** The variables with no allowed value. */
  emptyVariables(): readonly string[] {
    return [...this.ranges.values()].filter((r) => r.empty).map((r) => r.variable).sort();
  }

  /** True when the value is allowed for the variable. */
  allows(variable: string, value: number | bigint): boolean {
    const r = this.range(variable);
    const v = toBigInt(value);
    return !r.empty && v >= r.min && (r.max === undefined || v <= r.max) && mod(v - r.residue, r.modulus) === 0n;
  }

  /** True when every variable given in env has an allowed value. */
  contains(env: Env): boolean {
    return Object.entries(env).every(([v, x]) => Number.isInteger(x) && this.allows(v, x));
  }

  /** The constraints (as given, plus restrictions) that env violates, for messages. */
  violations(env: Env): readonly string[] {
    const out: string[] = [];
    for (const [v, x] of Object.entries(env)) {
      if (x < 1) out.push(`${v} >= 1`);
      for (const c of this.constraints) {
        if (c.variable !== v) continue;
        const single = Domain.fromConstraints([c]);
        if (!single.allows(v, x)) out.push(describeConstraint(c));
      }
    }
    return out;
  }

  /** The `count` smallest allowed values of a variable (fewer if the set is smaller). */
  smallestValues(variable: string, count: number): number[] {
    const r = this.range(variable);
    const out: number[] = [];
    if (r.empty) return out;
    for (let v = r.min; out.length < count && (r.max === undefined || v <= r.max); v += r.modulus) {
      out.push(toSafeNumber(v));
    }
    return out;
  }

  /** The smallest allowed value >= x, or undefined. */
  firstAtLeast(variable: string, x: bigint): bigint | undefined {
    const r = this.range(variable);
    if (r.empty) return undefined;
    const from = x > r.min ? x : r.min;
    const v = from + mod(r.residue - from, r.modulus);
    return r.max !== undefined && v > r.max ? undefined : v;
  }

  /** The number of allowed values <= bound (to decide whether enumeration is exhaustive). */
  countUpTo(variable: string, bound: bigint): bigint {
    const r = this.range(variable);
    if (r.empty) return 0n;
    const hi = r.max !== undefined && r.max < bound ? r.max : bound;
    if (hi < r.min) return 0n;
    return floorDiv(hi - r.min, r.modulus) + 1n;
  }

  /**
   * A readable description: `H % 32 == 0, 64 <= H <= 4096`, `H >= 1`, `H == 224`. Without a
   * variable, all constrained variables joined by `, `. An empty set is described by the
   * constraints that contradict each other.
   */
  describe(variable?: string): string {
    if (variable === undefined) {
      const vars = this.variables();
      return vars.length === 0 ? 'no constraints' : vars.map((v) => this.describe(v)).join(', ');
    }
    const r = this.range(variable);
    if (r.empty) {
      const given = this.constraints.filter((c) => c.variable === variable).map(describeConstraint);
      return `no value of ${variable} satisfies ${given.join(', ')}`;
    }
    if (r.max !== undefined && r.max === r.min) return `${variable} == ${r.min}`;
    const parts: string[] = [];
    if (r.modulus > 1n) parts.push(`${variable} % ${r.modulus} == ${r.residue}`);
    // The smallest positive member of the congruence class: a lower bound at or below it says nothing.
    const firstPositive = 1n + mod(r.residue - 1n, r.modulus);
    const lower = r.min > firstPositive ? r.min : undefined;
    if (lower !== undefined && r.max !== undefined) parts.push(`${lower} <= ${variable} <= ${r.max}`);
    else if (lower !== undefined) parts.push(`${variable} >= ${lower}`);
    else if (r.max !== undefined) parts.push(`${variable} <= ${r.max}`);
    if (parts.length === 0) parts.push(`${variable} >= 1`);
    return parts.join(', ');
  }

  toString(): string {
    return this.describe();
  }
}
