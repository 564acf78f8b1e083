/**
 * Symbolic dimensions: the size of one axis of a tensor as an integer function of the network's
 * dimension variables (`H`, `W`).
 *
 * A dimension that depends on at most one variable is kept in the exact quasi-affine normal form
 * (quasi-affine.ts), which makes every question the checker asks decidable. Anything outside
 * that class (two variables in one dimension such as `H·W` after `flatten`, a `min` of functions
 * with different slopes, a period too long to tabulate) is kept as an opaque expression tree:
 * it still evaluates exactly, and proofs about it fall back to checking values up to a bound.
 *
 * Every Dim also remembers how it was built (its node), which is used to print it when no
 * short normal form exists. Dims are immutable.
 */
import { ceilDiv, floorDiv, mod, toBigInt, toSafeNumber } from '../rational.js';
import type { Domain } from './domain.js';
import { formatDim } from './format.js';
import { QuasiAffine } from './quasi-affine.js';

/** Values of dimension variables, e.g. `{ H: 360, W: 480 }`. */
export type Env = Readonly<Record<string, number>>;

export type DimNode =
  | { readonly op: 'leaf' }
  | { readonly op: 'add' | 'sub' | 'mul' | 'min' | 'max'; readonly args: readonly [Dim, Dim] }
  | { readonly op: 'scale' | 'floorDiv' | 'ceilDiv' | 'mod'; readonly args: readonly [Dim]; readonly k: bigint };

type DimLike = Dim | number | bigint;

export class Dim {
  private cachedKey: string | undefined;

  private constructor(
    /** How this dimension was built (for evaluation of opaque dims and for printing). */
    readonly node: DimNode,
    /** The exact normal form, when the dimension has one. */
    readonly quasiAffine: QuasiAffine | undefined,
    private readonly vars: readonly string[],
  ) {}

  static constant(n: number | bigint): Dim {
    return new Dim({ op: 'leaf' }, QuasiAffine.constant(toBigInt(n)), []);
  }

  static variable(name: string): Dim {
    return new Dim({ op: 'leaf' }, QuasiAffine.variable(name), [name]);
  }

  static from(x: DimLike): Dim {
    return x instanceof Dim ? x : Dim.constant(x);
  }

  private static make(node: DimNode, quasiAffine: QuasiAffine | undefined, parts: readonly Dim[]): Dim {
    if (quasiAffine?.isConstant()) return new Dim({ op: 'leaf' }, quasiAffine, []);
    const vars = [...new Set(parts.flatMap((p) => p.vars))].sort();
    return new Dim(node, quasiAffine, vars);
  }

  add(o: DimLike): Dim {
    const b = Dim.from(o);
    if (b.isZero()) return this;
    if (this.isZero()) return b;
    const qa = this.quasiAffine && b.quasiAffine ? this.quasiAffine.add(b.quasiAffine) : undefined;
    return Dim.make({ op: 'add', args: [this, b] }, qa, [this, b]);
  }

  sub(o: DimLike): Dim {
    const b = Dim.from(o);
    if (b.isZero()) return this;
    const bc = b.quasiAffine?.constantValue();
    if (bc !== undefined) return this.add(Dim.constant(-bc)); // prints `x + 3`, not `x - (-3)`
    if (this.key() === b.key()) return Dim.constant(0);
    const qa = this.quasiAffine && b.quasiAffine ? this.quasiAffine.add(b.quasiAffine.scale(-1n)) : undefined;
    return Dim.make({ op: 'sub', args: [this, b] }, qa, [this, b]);
  }

  /** Product by a constant, or by another dimension (then usually opaque: `H·W`). */
  mul(o: DimLike): Dim {
    const b = Dim.from(o);
    const bc = b.quasiAffine?.constantValue();
    const ac = this.quasiAffine?.constantValue();
    if (bc !== undefined) return this.scale(bc);
    if (ac !== undefined) return b.scale(ac);
    return Dim.make({ op: 'mul', args: [this, b] }, undefined, [this, b]);
  }

  neg(): Dim {
    return this.scale(-1n);
  }

  private scale(k: bigint): Dim {
    if (k === 1n) return this;
    if (k === 0n) return Dim.constant(0);
    return Dim.make({ op: 'scale', args: [this], k }, this.quasiAffine?.scale(k), [this]);
  }

  /** floor(this / k) for a positive integer k. */
  floorDiv(k: number | bigint): Dim {
    return this.divide('floorDiv', k);
  }

  /** ceil(this / k) for a positive integer k. */
  ceilDiv(k: number | bigint): Dim {
    return this.divide('ceilDiv', k);
  }

  /** this mod k in [0, k) for a positive integer k. */
  mod(k: number | bigint): Dim {
    return this.divide('mod', k);
  }

  private divide(op: 'floorDiv' | 'ceilDiv' | 'mod', k: number | bigint): Dim {
    const kk = toBigInt(k);
    if (kk <= 0n) throw new RangeError(`${op} by ${kk}: the divisor must be a positive integer`);
    if (kk === 1n) return op === 'mod' ? Dim.constant(0) : this;
    const qa = this.quasiAffine
      ? op === 'floorDiv' ? this.quasiAffine.floorDiv(kk) : op === 'ceilDiv' ? this.quasiAffine.ceilDiv(kk) : this.quasiAffine.mod(kk)
      : undefined;
    return Dim.make({ op, args: [this], k: kk }, qa, [this]);
  }

  static min(a: DimLike, b: DimLike): Dim {
    return Dim.extremum('min', Dim.from(a), Dim.from(b));
  }

  static max(a: DimLike, b: DimLike): Dim {
    return Dim.extremum('max', Dim.from(a), Dim.from(b));
  }

  private static extremum(op: 'min' | 'max', a: Dim, b: Dim): Dim {
    if (a.key() === b.key()) return a;
    const qa = a.quasiAffine && b.quasiAffine
      ? op === 'min' ? a.quasiAffine.min(b.quasiAffine) : a.quasiAffine.max(b.quasiAffine)
      : undefined;
    return Dim.make({ op, args: [a, b] }, qa, [a, b]);
  }

  /** The value for the given variables (every variable of this dim must be given). */
  evaluate(env: Env): number {
    return toSafeNumber(this.evaluateBig(env));
  }

  evaluateBig(env: Env): bigint {
    const qa = this.quasiAffine;
    if (qa) {
      if (qa.variable === undefined) return qa.pieces[0]!.offset.toBigInt();
      return qa.valueAt(lookup(env, qa.variable));
    }
    const node = this.node;
    switch (node.op) {
      case 'leaf':
        throw new Error('unreachable: leaves are quasi-affine');
      case 'add':
        return node.args[0].evaluateBig(env) + node.args[1].evaluateBig(env);
      case 'sub':
        return node.args[0].evaluateBig(env) - node.args[1].evaluateBig(env);
      case 'mul':
        return node.args[0].evaluateBig(env) * node.args[1].evaluateBig(env);
      case 'min': {
        const x = node.args[0].evaluateBig(env);
        const y = node.args[1].evaluateBig(env);
        return x < y ? x : y;
      }
      case 'max': {
        const x = node.args[0].evaluateBig(env);
        const y = node.args[1].evaluateBig(env);
        return x > y ? x : y;
      }
      case 'scale':
        return node.args[0].evaluateBig(env) * node.k;
      case 'floorDiv':
        return floorDiv(node.args[0].evaluateBig(env), node.k);
      case 'ceilDiv':
        return ceilDiv(node.args[0].evaluateBig(env), node.k);
      case 'mod':
        return mod(node.args[0].evaluateBig(env), node.k);
    }
  }

  /** The variables this dimension depends on, sorted. */
  variables(): readonly string[] {
    return this.vars;
  }

  isConstant(): boolean {
    return this.vars.length === 0;
  }

  /** The value of a constant dimension, else undefined. */
  constantValue(): number | undefined {
    const c = this.quasiAffine?.constantValue();
    return c === undefined ? undefined : toSafeNumber(c);
  }

  /** True when the exact quasi-affine form is known (at most one variable). */
  isQuasiAffine(): boolean {
    return this.quasiAffine !== undefined;
  }

  private isZero(): boolean {
    return this.quasiAffine?.constantValue() === 0n;
  }

  /**
   * A canonical key: equal keys mean equal functions. Quasi-affine dims compare by their normal
   * form, so `floor(H/2)*2 + H % 2` and `H` have the same key; opaque dims compare structurally
   * (with commutative arguments sorted), so equal keys prove equality but different keys do not
   * prove a difference.
   */
  key(): string {
    if (this.cachedKey !== undefined) return this.cachedKey;
    let key: string;
    if (this.quasiAffine) key = `q(${this.quasiAffine.key()})`;
    else {
      const node = this.node as Exclude<DimNode, { op: 'leaf' }>;
      const args = node.args.map((a) => a.key());
      if (node.op === 'add' || node.op === 'mul' || node.op === 'min' || node.op === 'max') args.sort();
      key = `${node.op}${'k' in node ? node.k : ''}(${args.join(',')})`;
    }
    this.cachedKey = key;
    return key;
  }

  /** Same function (exact for quasi-affine dims; structural for opaque ones). */
  equals(o: DimLike): boolean {
    return this.key() === Dim.from(o).key();
  }

  /**
   * Readable text restricted to the domain: `H/32 + 6` when `H % 32 == 0`,
   * `floor((H + 198)/32)`, `ceil(H/2)`, `2*H - 1`, `224` (see format.ts).
   */
  format(domain?: Domain): string {
    return formatDim(this, domain);
  }

  /** The JSON form of reports (cli.md): an integer when constant on the domain, else the text. */
  toJSONValue(domain?: Domain): number | string {
    const c = this.constantValue();
    if (c !== undefined) return c;
    const text = this.format(domain);
    return /^-?\d+$/.test(text) ? Number(text) : text;
  }

  toString(): string {
    return this.format();
  }

  toJSON(): number | string {
    return this.toJSONValue();
  }
}

function lookup(env: Env, name: string): bigint {
  const v = env[name];
  if (v === undefined) throw new RangeError(`no value given for dimension variable ${name}`);
  return toBigInt(v);
}
