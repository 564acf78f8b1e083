import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rational, ceilDiv, floorDiv, gcd, lcm, mod, toBigInt } from '../../compiler/rational.js';

const r = (n: number, d = 1) => Rational.of(n, d);

test('integer helpers floor toward -infinity and keep remainders non-negative', () => {
  // JavaScript's / and % truncate toward zero (-7n / 2n === -3n); the shape rules need floor.
  assert.is(floorDiv(7n, 2n), 3n);
  assert.is(floorDiv(-7n, 2n), -4n);
  assert.is(floorDiv(7n, -2n), -4n);
  assert.is(floorDiv(-8n, 2n), -4n);
  assert.is(ceilDiv(7n, 2n), 4n);
  assert.is(ceilDiv(-7n, 2n), -3n);
  assert.is(mod(-7n, 3n), 2n);
  assert.is(mod(7n, 3n), 1n);
  assert.is(gcd(-12n, 18n), 6n);
  assert.is(lcm(4n, 6n), 12n);
  assert.throws(() => floorDiv(1n, 0n), /division by zero/);
  assert.throws(() => toBigInt(0.5), /integer/);
});

test('rationals are normalised: gcd 1, positive denominator', () => {
  const x = Rational.of(6, -4);
  assert.is(x.num, -3n);
  assert.is(x.den, 2n);
  assert.ok(Rational.of(2, 4).equals(r(1, 2)));
  assert.ok(Rational.of(0, -5).equals(Rational.ZERO));
  assert.throws(() => Rational.of(1, 0), /denominator 0/);
});

test('arithmetic is exact', () => {
  assert.ok(r(1, 3).add(r(1, 6)).equals(r(1, 2)));
  assert.ok(r(1, 3).sub(r(1, 2)).equals(r(-1, 6)));
  assert.ok(r(2, 3).mul(r(9, 4)).equals(r(3, 2)));
  assert.ok(r(2, 3).div(r(4, 9)).equals(r(3, 2)));
  assert.ok(r(5).add(3).equals(r(8)));
  assert.ok(r(3, 4).neg().equals(r(-3, 4)));
  assert.ok(r(-3, 4).abs().equals(r(3, 4)));
  assert.throws(() => r(1).div(0), /division by zero/);
  // FCN-32s centre of pool5 (paper-architectures.md §2.5): -99 + 0.5·(1 + 2 + 4 + 8 + 16) = -83.5.
  let c = r(-99);
  for (const j of [1, 2, 4, 8, 16]) c = c.add(r(1, 2).mul(j));
  assert.is(c.toString(), '-83.5');
});

test('floor, ceil, compare, isInteger', () => {
  assert.is(r(-37, 2).floor(), -19n);
  assert.is(r(-37, 2).ceil(), -18n);
  assert.is(r(25, 2).floor(), 12n);
  assert.is(r(4).ceil(), 4n);
  assert.is(r(1, 3).compare(r(1, 2)), -1);
  assert.is(r(1, 2).compare(r(2, 4)), 0);
  assert.is(r(-1, 2).compare(r(-2, 3)), 1);
  assert.ok(r(1, 2).lt(1) && r(1, 2).le(r(1, 2)) && r(1, 2).gt(0) && r(1, 2).ge(r(1, 2)));
  assert.ok(r(6, 3).isInteger());
  assert.not.ok(r(7, 2).isInteger());
  assert.is(r(-5, 7).sign(), -1);
  assert.ok(Rational.min(r(1, 3), r(1, 4)).equals(r(1, 4)));
  assert.ok(Rational.max(r(1, 3), r(1, 4)).equals(r(1, 3)));
});

test('text: terminating decimals as decimals, others as fractions', () => {
  assert.is(r(25, 2).toString(), '12.5');
  assert.is(r(-37, 2).toString(), '-18.5');
  assert.is(r(1, 4).toString(), '0.25');
  assert.is(r(-1, 80).toString(), '-0.0125');
  assert.is(r(1, 3).toString(), '1/3');
  assert.is(r(-7, 6).toString(), '-7/6');
  assert.is(r(12).toString(), '12');
  assert.is(r(0).toString(), '0');
});

test('numbers and JSON', () => {
  assert.is(Rational.fromNumber(-99).toNumber(), -99);
  assert.throws(() => Rational.fromNumber(0.1), /integer/);
  assert.is(r(-167, 2).toNumber(), -83.5);
  assert.is(JSON.stringify({ center: r(25, 2), stride: r(32) }), '{"center":12.5,"stride":32}');
  // Parts beyond the double range still convert (a stride of 2^-1100 after 1100 upsamplings).
  assert.is(Rational.of(1n, 1n << 80n).toNumber(), 2 ** -80);
  assert.is(Rational.of(3n << 1100n, 1n << 1101n).toNumber(), 1.5);
});

test.run();
