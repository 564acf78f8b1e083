/**
 * Readable forms of dimensions for reports and messages, restricted to a domain.
 *
 * A quasi-affine dimension is printed, in order of preference, as
 *   1. an affine function on the domain:      `H/32 + 6` (when H % 32 == 0), `2*H - 1`, `224`;
 *   2. a multiple of a rounded affine function: `floor((H + 198)/32)`, `ceil(H/2)`,
 *      `3*floor((H - 14)/3)`, `32*ceil((H + 38)/32)`;
 *   3. a remainder: `H % 32`, `(H + 1) % 2 + 1`;
 *   4. a piecewise table over residue classes (few classes only);
 * and otherwise by its construction (the expression it was built from, each part printed by the
 * same rules). Opaque dimensions print as expressions: `H*W*64`, `min(H, 5)`.
 *
 * Every printed form is exactly equal to the dimension on the domain; the tests check this by
 * evaluation. The rounding mode a dimension was built with (floor or ceil) picks between the two
 * equivalent spellings `floor((H + 1)/2)` and `ceil(H/2)`.
 */
import { Rational, gcd, lcm, mod } from '../rational.js';
import type { Dim } from './dim.js';
import type { Domain, VariableRange } from './domain.js';
import type { Piece, QuasiAffine } from './quasi-affine.js';

/**
 * Binding strength of a printed form. `%` binds like `*` and `/` and associates to the left, so
 * a remainder is safe on the left of `*` but needs parentheses on its right (`2*(H % 2)`).
 */
const enum Prec {
  Sum = 0,
  Remainder = 1,
  Product = 2,
  Atom = 3,
}

interface Printed {
  readonly text: string;
  readonly prec: Prec;
}

const MAX_PIECEWISE_CLASSES = 8;
const MAX_MOD_SEARCH_PERIOD = 64;
const MAX_DEPTH = 64;

/** The text of a dimension, restricted to the domain when one is given. */
export function formatDim(dim: Dim, domain?: Domain): string {
  return printDim(dim, domain, 0).text;
}

function printDim(dim: Dim, domain: Domain | undefined, depth: number): Printed {
  const qa = dim.quasiAffine;
  if (qa) {
    const short = printQuasiAffine(qa, domain, depth >= MAX_DEPTH);
    if (short) return short;
  }
  return printNode(dim, domain, depth);
}

function paren(p: Printed, min: Prec): string {
  return p.prec < min ? `(${p.text})` : p.text;
}

function printNode(dim: Dim, domain: Domain | undefined, depth: number): Printed {
  const node = dim.node;
  const sub = (d: Dim) => printDim(d, domain, depth + 1);
  switch (node.op) {
    case 'leaf':
      // Leaves are constants or variables, which always have a short form.
      throw new Error('unreachable: leaf without a short form');
    case 'add': {
      const b = sub(node.args[1]);
      return b.text.startsWith('-')
        ? { text: `${sub(node.args[0]).text} - ${b.text.slice(1)}`, prec: Prec.Sum }
        : { text: `${sub(node.args[0]).text} + ${b.text}`, prec: Prec.Sum };
    }
    case 'sub':
      return { text: `${sub(node.args[0]).text} - ${paren(sub(node.args[1]), Prec.Remainder)}`, prec: Prec.Sum };
    case 'mul':
      return { text: `${paren(sub(node.args[0]), Prec.Remainder)}*${paren(sub(node.args[1]), Prec.Product)}`, prec: Prec.Product };
    case 'scale':
      return node.k === -1n
        ? { text: `-${paren(sub(node.args[0]), Prec.Product)}`, prec: Prec.Product }
        : { text: `${node.k}*${paren(sub(node.args[0]), Prec.Product)}`, prec: Prec.Product };
    case 'floorDiv':
    case 'ceilDiv': {
      const fn = node.op === 'floorDiv' ? 'floor' : 'ceil';
      return { text: `${fn}(${paren(sub(node.args[0]), Prec.Product)}/${node.k})`, prec: Prec.Atom };
    }
    case 'mod':
      return { text: `${paren(sub(node.args[0]), Prec.Remainder)} % ${node.k}`, prec: Prec.Remainder };
    case 'min':
    case 'max':
      return { text: `${node.op}(${sub(node.args[0]).text}, ${sub(node.args[1]).text})`, prec: Prec.Atom };
  }
}

// ---------------------------------------------------------------------------------------------
// Linear text helpers.

/** `c·v` for an integer c: `H`, `-H`, `3*H`. */
function term(c: bigint, v: string): string {
  return c === 1n ? v : c === -1n ? `-${v}` : `${c}*${v}`;
}

/** `p·v + b` for integers: `H + 198`, `3*H - 1`, `-H + 5`, `7`. */
function linear(p: bigint, b: bigint, v: string): Printed {
  if (p === 0n) return { text: b.toString(), prec: b < 0n ? Prec.Sum : Prec.Atom };
  const t = term(p, v);
  if (b === 0n) return { text: t, prec: p === 1n ? Prec.Atom : Prec.Product };
  return { text: `${t} ${b < 0n ? '-' : '+'} ${b < 0n ? -b : b}`, prec: Prec.Sum };
}

/** An affine function `slope·v + offset` with rational coefficients. */
function affine(slope: Rational, offset: Rational, v: string): Printed {
  if (slope.isZero()) return { text: offset.toString(), prec: offset.sign() < 0 ? Prec.Sum : Prec.Atom };
  if (offset.isInteger()) {
    let s: Printed;
    if (slope.isInteger()) s = linear(slope.num, 0n, v);
    else s = { text: `${term(slope.num, v)}/${slope.den}`, prec: Prec.Product };
    if (offset.isZero()) return s;
    const o = offset.num;
    return { text: `${s.text} ${o < 0n ? '-' : '+'} ${o < 0n ? -o : o}`, prec: Prec.Sum };
  }
  // (p·v + b)/q with a common denominator: `(H + 1)/2`, `(3*H - 1)/4`.
  const q = lcm(slope.den, offset.den);
  const inner = linear(slope.mul(q).toBigInt(), offset.mul(q).toBigInt(), v);
  return { text: `${paren(inner, Prec.Product)}/${q}`, prec: Prec.Product };
}

// ---------------------------------------------------------------------------------------------

interface AllowedClass {
  /** A representative value in the class (mod `period`). */
  readonly c: bigint;
  readonly piece: Piece;
  /** f(c), an integer. */
  readonly value: bigint;
}

function allowedClasses(qa: QuasiAffine, range: VariableRange | undefined): { classes: AllowedClass[]; period: bigint } {
  const modulus = range && !range.empty ? range.modulus : 1n;
  const residue = range && !range.empty ? range.residue : 0n;
  const period = lcm(BigInt(qa.period), modulus);
  const classes: AllowedClass[] = [];
  for (let c = residue; c < period; c += modulus) {
    const piece = qa.pieceAt(c);
    classes.push({ c, piece, value: piece.slope.mul(c).add(piece.offset).toBigInt() });
  }
  return { classes, period };
}

function printQuasiAffine(qa: QuasiAffine, domain: Domain | undefined, forcePiecewise: boolean): Printed | undefined {
  const v = qa.variable;
  if (v === undefined) return affine(Rational.ZERO, qa.pieces[0]!.offset, '');
  const range = domain?.range(v);
  const restricted = range && !range.empty ? range : undefined;
  if (restricted && restricted.max !== undefined && restricted.max === restricted.min) {
    return affine(Rational.ZERO, Rational.of(qa.valueAt(restricted.min)), v);
  }
  const { classes, period } = allowedClasses(qa, restricted);
  const first = classes[0]!.piece;
  if (classes.every((k) => k.piece.slope.equals(first.slope) && k.piece.offset.equals(first.offset))) {
    return affine(first.slope, first.offset, v);
  }
  if (classes.every((k) => k.piece.slope.equals(first.slope))) {
    const printed = first.slope.isZero()
      ? printRemainder(classes, period, v)
      : printRounded(classes, period, first.slope, qa.rounding, v);
    if (printed) return printed;
  }
  if (classes.length <= MAX_PIECEWISE_CLASSES || forcePiecewise) {
    const parts = classes.map((k) => `${v} % ${period} == ${k.c}: ${affine(k.piece.slope, k.piece.offset, v).text}`);
    return { text: `{${parts.join('; ')}}`, prec: Prec.Atom };
  }
  return undefined;
}

/**
 * `m·round((p·H + β)/q) + base` where every allowed class has the slope `s = m·p/q`.
 *
 * m is the gcd of all differences of values (so the rounded part takes consecutive integers);
 * then `g = (f - base)/m` has slope p/q and, on class c, offset o_c. `floor((p·H + β)/q)` equals
 * g on class c exactly when `q·o_c <= β < q·o_c + q`; the admissible β form an interval, and
 * ceil((p·H + β')/q) = floor((p·H + β' + q - 1)/q) shifts it by q - 1.
 */
function printRounded(classes: readonly AllowedClass[], period: bigint, slope: Rational,
  rounding: 'floor' | 'ceil' | undefined, v: string): Printed | undefined {
  let m = slope.mul(period).toBigInt();
  for (const k of classes) m = gcd(m, k.value - classes[0]!.value);
  if (m === 0n) return undefined;
  const base = mod(classes[0]!.value, m);
  const gSlope = slope.div(m);
  if (gSlope.isInteger()) return undefined;
  const p = gSlope.num;
  const q = gSlope.den;
  let lo: bigint | undefined;
  let hi: bigint | undefined;
  for (const k of classes) {
    const gOffset = k.piece.offset.sub(base).div(m);
    const start = gOffset.mul(q).ceil();
    if (lo === undefined || start > lo) lo = start;
    if (hi === undefined || start + q - 1n < hi) hi = start + q - 1n;
  }
  if (lo === undefined || hi === undefined || lo > hi) return undefined;

  interface Choice { fn: 'floor' | 'ceil'; beta: bigint; whole: boolean; cost: bigint }
  const choose = (fn: 'floor' | 'ceil', from: bigint, to: bigint): Choice => {
    // Prefer a multiple of q (then the integer part is pulled out: `floor(H/32) + 6`), else the
    // admissible β nearest to zero.
    const nearestZero = (a: bigint, b: bigint) => (a > 0n ? a : b < 0n ? b : 0n);
    const firstMultiple = from + mod(-from, q);
    const lastMultiple = to - mod(to, q);
    if (firstMultiple <= to) {
      const j = nearestZero(firstMultiple / q, lastMultiple / q);
      return { fn, beta: j * q, whole: true, cost: 0n };
    }
    const beta = nearestZero(from, to);
    return { fn, beta, whole: false, cost: beta < 0n ? -beta : beta };
  };
  const floorChoice = choose('floor', lo, hi);
  const ceilChoice = choose('ceil', lo - q + 1n, hi - q + 1n);
  const pick = rounding === 'floor' ? floorChoice
    : rounding === 'ceil' ? ceilChoice
    : ceilChoice.cost < floorChoice.cost ? ceilChoice : floorChoice;

  const inner = pick.whole ? linear(p, 0n, v) : linear(p, pick.beta, v);
  let text = `${pick.fn}(${paren(inner, Prec.Product)}/${q})`;
  const constant = base + (pick.whole ? m * (pick.beta / q) : 0n);
  let prec = Prec.Atom;
  if (m !== 1n) {
    text = `${m}*${text}`;
    prec = Prec.Product;
  }
  if (constant !== 0n) {
    text = `${text} ${constant < 0n ? '-' : '+'} ${constant < 0n ? -constant : constant}`;
    prec = Prec.Sum;
  }
  return { text, prec };
}

/** `±((H + β) % q) + base` for a periodic function (slope 0 on every class). */
function printRemainder(classes: readonly AllowedClass[], period: bigint, v: string): Printed | undefined {
  if (period > BigInt(MAX_MOD_SEARCH_PERIOD)) return undefined;
  for (let q = 2n; q <= period; q++) {
    if (period % q !== 0n) continue;
    for (let beta = 0n; beta < q; beta++) {
      for (const sign of [1n, -1n]) {
        const base = classes[0]!.value - sign * mod(classes[0]!.c + beta, q);
        if (!classes.every((k) => k.value === base + sign * mod(k.c + beta, q))) continue;
        const inner = linear(1n, beta, v);
        let text = `${paren(inner, Prec.Remainder)} % ${q}`;
        let prec = Prec.Remainder;
        if (sign < 0n) {
          text = base === 0n ? `-(${text})` : `${base} - ${text}`;
          prec = Prec.Sum;
        } else if (base !== 0n) {
          text = `${text} ${base < 0n ? '-' : '+'} ${base < 0n ? -base : base}`;
          prec = Prec.Sum;
        }
        return { text, prec };
      }
    }
  }
  return undefined;
}
