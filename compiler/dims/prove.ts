/**
 * Proofs about dimensions over a domain, with the smallest counterexample when they fail.
 *
 * For a quasi-affine difference the answer is exact: on each residue class allowed by both the
 * function's period and the domain's congruence, the function is linear along the progression
 * `H = h0 + L·t`, so "is it ever < n" or "is it ever != 0" is solved in closed form, and the
 * smallest failing `H` over all classes is the smallest counterexample.
 *
 * Opaque dimensions (several variables, or outside the quasi-affine class) are evaluated at every
 * allowed value up to a bound (default 4096; a grid in order of increasing largest index when
 * there are several variables). The result then says `checked-up-to` so the caller's message can
 * say so, unless the domain itself is bounded and was covered completely (then it is a proof).
 *
 * An empty domain makes every statement hold vacuously; the checker reports empty domains first.
 */
import { ceilDiv, floorDiv, lcm, toSafeNumber } from '../rational.js';
import { Dim, type Env } from './dim.js';
import type { Domain } from './domain.js';
import type { QuasiAffine } from './quasi-affine.js';

export type Proof =
  | { readonly kind: 'proved' }
  /** The smallest allowed values where the statement fails, and the two sides there. */
  | { readonly kind: 'counterexample'; readonly env: Env; readonly left: number; readonly right: number }
  /** Not proved, but true for every allowed value (of every variable) up to `bound`. */
  | { readonly kind: 'checked-up-to'; readonly bound: number };

export interface ProofOptions {
  /** Largest value of a variable tried for opaque dimensions (default 4096). */
  readonly bound?: number;
  /** Most evaluations of an opaque dimension (default 65536); with several variables the grid
   *  is cut so that it fits, and the reported bound is what was covered. */
  readonly maxEvaluations?: number;
}

export const DEFAULT_BOUND = 4096;
export const DEFAULT_MAX_EVALUATIONS = 1 << 16;

const PROVED: Proof = { kind: 'proved' };

/** The smallest t in [0, tmax] at which `A·t + B` fails, or undefined. */
type FirstFailure = (A: bigint, B: bigint, tmax: bigint | undefined) => bigint | undefined;

/** Fails where `A·t + B < n`. */
const belowFailure = (n: bigint): FirstFailure => (A, B, tmax) => {
  if (B < n) return 0n;
  if (A >= 0n) return undefined;
  // Decreasing: first t with A·t + B < n, i.e. t > (B - n)/(-A).
  const t = floorDiv(B - n, -A) + 1n;
  return tmax === undefined || t <= tmax ? t : undefined;
};

/** Fails where `A·t + B != n`. */
const notEqualFailure = (n: bigint): FirstFailure => (A, B, tmax) => {
  if (B !== n) return 0n;
  if (A === 0n) return undefined;
  return tmax === undefined || tmax >= 1n ? 1n : undefined;
};

/** One residue class of a quasi-affine function inside a domain: `H = h0 + step·t`,
 *  `0 <= t <= tmax`, on which the function equals `A·t + B`. */
interface ClassProgression {
  readonly h0: bigint;
  readonly step: bigint;
  readonly tmax: bigint | undefined;
  readonly A: bigint;
  readonly B: bigint;
}

function* progressions(qa: QuasiAffine, domain: Domain): Generator<ClassProgression> {
  const variable = qa.variable!;
  const r = domain.range(variable);
  if (r.empty) return;
  const step = lcm(BigInt(qa.period), r.modulus);
  for (let c = r.residue % step; c < step; c += r.modulus) {
    // The first allowed value in the class c (mod step): r.min is allowed, so c ≡ r.min (mod r.modulus).
    const h0 = r.min + (((c - r.min) % step) + step) % step;
    if (r.max !== undefined && h0 > r.max) continue;
    const tmax = r.max === undefined ? undefined : (r.max - h0) / step;
    const piece = qa.pieceAt(h0);
    yield { h0, step, tmax, A: piece.slope.mul(step).toBigInt(), B: qa.valueAt(h0) };
  }
}

/** The smallest allowed value at which the function fails, or undefined. */
function smallestFailing(qa: QuasiAffine, domain: Domain, fail: FirstFailure): bigint | undefined {
  let best: bigint | undefined;
  for (const p of progressions(qa, domain)) {
    const t = fail(p.A, p.B, p.tmax);
    if (t === undefined) continue;
    const h = p.h0 + p.step * t;
    if (best === undefined || h < best) best = h;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Enumeration for opaque dimensions.

interface Enumeration {
  /** The first failing assignment found (smallest largest-index first), if any. */
  readonly failing: Env | undefined;
  /** True when every allowed assignment was tried. */
  readonly exhaustive: boolean;
  /** Every assignment whose values are all <= bound was tried. */
  readonly bound: number;
}

function enumerate(vars: readonly string[], domain: Domain, options: ProofOptions, fails: (env: Env) => boolean): Enumeration {
  const bound = options.bound ?? DEFAULT_BOUND;
  const budget = options.maxEvaluations ?? DEFAULT_MAX_EVALUATIONS;
  const lists = vars.map((v) => domain.smallestValues(v, toSafeNumber(domain.countUpTo(v, BigInt(bound)))));
  const complete = vars.map((v) => {
    const r = domain.range(v);
    return r.empty || (r.max !== undefined && r.max <= BigInt(bound));
  });
  if (lists.some((l) => l.length === 0)) return { failing: undefined, exhaustive: true, bound };
  // The largest shell count S whose box fits the budget.
  const longest = Math.max(...lists.map((l) => l.length));
  const boxSize = (s: number) => lists.reduce((acc, l) => acc * Math.min(s, l.length), 1);
  let shells = 1;
  while (shells < longest && boxSize(shells + 1) <= budget) shells++;
  const caps = lists.map((l) => Math.min(shells, l.length));

  const index = new Array<number>(vars.length).fill(0);
  const envOf = (): Env => Object.fromEntries(vars.map((v, i) => [v, lists[i]![index[i]!]!]));
  // Visit every index tuple whose largest index is s: position j is the first at s, earlier
  // positions are < s, later ones <= s.
  const visitShell = (s: number): Env | undefined => {
    for (let j = 0; j < vars.length; j++) {
      if (s >= caps[j]!) continue;
      const rec = (i: number): Env | undefined => {
        if (i === vars.length) {
          const env = envOf();
          return fails(env) ? env : undefined;
        }
        if (i === j) {
          index[i] = s;
          return rec(i + 1);
        }
        const limit = Math.min(i < j ? s : s + 1, caps[i]!);
        for (let x = 0; x < limit; x++) {
          index[i] = x;
          const found = rec(i + 1);
          if (found) return found;
        }
        return undefined;
      };
      const found = rec(0);
      if (found) return found;
    }
    return undefined;
  };
  for (let s = 0; s < shells; s++) {
    const found = visitShell(s);
    if (found) return { failing: found, exhaustive: false, bound };
  }
  let covered = Infinity;
  let exhaustive = true;
  vars.forEach((_, i) => {
    if (caps[i]! < lists[i]!.length || !complete[i]) {
      exhaustive = false;
      covered = Math.min(covered, caps[i]! < lists[i]!.length ? lists[i]![caps[i]! - 1]! : bound);
    }
  });
  return { failing: undefined, exhaustive, bound: covered === Infinity ? bound : covered };
}

// ---------------------------------------------------------------------------------------------

/**
 * Decides `fails(diff) never happens on the domain`, where `failure` is the closed form of
 * `fails` on a linear progression. `report` turns a failing assignment into a counterexample.
 */
function decide(diff: Dim, sides: readonly Dim[], failure: FirstFailure, fails: (value: bigint) => boolean, domain: Domain,
  options: ProofOptions, report: (env: Env) => Proof): Proof {
  const qa = diff.quasiAffine;
  if (qa) {
    if (qa.variable === undefined) {
      if (!fails(qa.constantValue()!)) return PROVED;
      // The difference is constant (H vs H + 1): it fails at the smallest allowed values.
      const env: Record<string, number> = {};
      for (const v of new Set(sides.flatMap((d) => d.variables()))) {
        const [x] = domain.smallestValues(v, 1);
        if (x === undefined) return PROVED; // empty domain
        env[v] = x;
      }
      return report(env);
    }
    const h = smallestFailing(qa, domain, failure);
    return h === undefined ? PROVED : report({ [qa.variable]: toSafeNumber(h) });
  }
  const result = enumerate(diff.variables(), domain, options, (env) => fails(diff.evaluateBig(env)));
  if (result.failing) return report(result.failing);
  return result.exhaustive ? PROVED : { kind: 'checked-up-to', bound: result.bound };
}

/** a == b for every allowed value; else the smallest counterexample (`for H = 1: 1 vs 0`). */
export function proveEqual(a: Dim | number, b: Dim | number, domain: Domain, options: ProofOptions = {}): Proof {
  const left = Dim.from(a);
  const right = Dim.from(b);
  if (left.equals(right)) return PROVED;
  return decide(left.sub(right), [left, right], notEqualFailure(0n), (v) => v !== 0n, domain, options,
    (env) => ({ kind: 'counterexample', env, left: left.evaluate(env), right: right.evaluate(env) }));
}

/** a >= n for every allowed value (a kernel fits, a size is >= 1). */
export function proveAtLeast(a: Dim | number, n: number, domain: Domain, options: ProofOptions = {}): Proof {
  const left = Dim.from(a);
  const bound = BigInt(n);
  return decide(left, [left], belowFailure(bound), (v) => v < bound, domain, options,
    (env) => ({ kind: 'counterexample', env, left: left.evaluate(env), right: n }));
}

/** a <= b for every allowed value (a crop fits). */
export function proveLessOrEqual(a: Dim | number, b: Dim | number, domain: Domain, options: ProofOptions = {}): Proof {
  const left = Dim.from(a);
  const right = Dim.from(b);
  if (left.equals(right)) return PROVED;
  return decide(right.sub(left), [left, right], belowFailure(0n), (v) => v < 0n, domain, options,
    (env) => ({ kind: 'counterexample', env, left: left.evaluate(env), right: right.evaluate(env) }));
}

export type SmallestValid =
  /** Every allowed value >= value makes every dim >= 1, and value is the least such allowed value. */
  | { readonly kind: 'proved'; readonly value: number }
  /** Same, but some dims are opaque and were only evaluated up to `bound`. */
  | { readonly kind: 'checked-up-to'; readonly value: number; readonly bound: number }
  /** No allowed value has all larger allowed values valid (e.g. a size that is < 1 on a whole
   *  residue class, or every allowed value fails); for opaque dims: the largest value checked
   *  fails. */
  | { readonly kind: 'none' };

/**
 * The least allowed value v of `variable` such that every dim is >= 1 for every allowed value
 * >= v. This is the lower bound the checker adds to the domain. It does not assume the dims are
 * monotone: a size that is < 1 on a whole residue class without end gives `none`.
 *
 * Dims that depend on other variables are skipped (the checker proves them >= 1 separately
 * once every variable's bound is known); constant dims < 1 give `none`.
 */
export function smallestValid(dims: readonly Dim[], variable: string, domain: Domain, options: ProofOptions = {}): SmallestValid {
  const range = domain.range(variable);
  if (range.empty) return { kind: 'none' };
  let lastFailing: bigint | undefined;
  const noteFailing = (h: bigint) => {
    if (lastFailing === undefined || h > lastFailing) lastFailing = h;
  };
  let opaque = false;
  for (const dim of dims) {
    const vars = dim.variables();
    if (vars.length === 0) {
      if (dim.evaluateBig({}) < 1n) return { kind: 'none' };
      continue;
    }
    if (vars.length > 1 || vars[0] !== variable) continue;
    const qa = dim.quasiAffine;
    if (qa) {
      for (const p of progressions(qa, domain)) {
        // Largest t in [0, tmax] with A·t + B < 1 (the failing t form a prefix or a suffix).
        if (p.A > 0n) {
          if (p.B >= 1n) continue;
          let t = ceilDiv(1n - p.B, p.A) - 1n;
          if (p.tmax !== undefined && t > p.tmax) t = p.tmax;
          noteFailing(p.h0 + p.step * t);
        } else {
          if (p.tmax === undefined) {
            if (p.B < 1n || p.A < 0n) return { kind: 'none' };
            continue;
          }
          if (p.A * p.tmax + p.B < 1n) noteFailing(p.h0 + p.step * p.tmax);
        }
      }
    } else {
      opaque = true;
      const bound = BigInt(options.bound ?? DEFAULT_BOUND);
      const values = domain.smallestValues(variable, toSafeNumber(domain.countUpTo(variable, bound)));
      for (const h of values) {
        if (dim.evaluateBig({ [variable]: h }) < 1n) noteFailing(BigInt(h));
      }
      // Failing at the largest value checked: no valid tail is in sight.
      const last = values[values.length - 1];
      const covered = range.max !== undefined && range.max <= bound;
      if (last !== undefined && !covered && lastFailing === BigInt(last)) return { kind: 'none' };
    }
  }
  const value = lastFailing === undefined ? range.min : domain.firstAtLeast(variable, lastFailing + 1n);
  if (value === undefined) return { kind: 'none' };
  const bound = options.bound ?? DEFAULT_BOUND;
  const exhaustive = range.max !== undefined && range.max <= BigInt(bound);
  return opaque && !exhaustive
    ? { kind: 'checked-up-to', value: toSafeNumber(value), bound }
    : { kind: 'proved', value: toSafeNumber(value) };
}

/**
 * The value of `a mod k` when it is the same for every allowed value (TF-style `pad: same` with
 * stride > 1 needs `n mod s`), else undefined.
 */
export function residue(a: Dim | number, k: number, domain: Domain, options: ProofOptions = {}): number | undefined {
  const m = Dim.from(a).mod(k);
  const c = m.constantValue();
  if (c !== undefined) return c;
  const vars = m.variables();
  const first: Record<string, number> = {};
  for (const v of vars) {
    const [x] = domain.smallestValues(v, 1);
    if (x === undefined) return undefined;
    first[v] = x;
  }
  const value = m.evaluate(first);
  return proveEqual(m, value, domain, options).kind === 'proved' ? value : undefined;
}
