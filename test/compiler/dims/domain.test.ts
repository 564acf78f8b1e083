import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Domain, type Constraint } from '../../../compiler/dims/index.js';

const c = (variable: string, op: Constraint['op'], value: number, modulus?: number): Constraint =>
  modulus === undefined ? { variable, op, value } : { variable, op, value, modulus };

test('an unconstrained variable takes every value >= 1', () => {
  const d = Domain.unconstrained();
  assert.equal(d.smallestValues('H', 3), [1, 2, 3]);
  assert.is(d.describe('H'), 'H >= 1');
  assert.is(d.describe(), 'no constraints');
  assert.not.ok(d.isEmpty());
  assert.not.ok(d.allows('H', 0));
});

test('congruences and bounds combine into one progression per variable', () => {
  const d = Domain.fromConstraints([c('H', '%', 0, 32), c('H', '>=', 64), c('H', '<=', 4100)]);
  const r = d.range('H');
  assert.is(r.min, 64n);
  assert.is(r.max, 4096n); // the largest multiple of 32 <= 4100
  assert.is(d.describe('H'), 'H % 32 == 0, 64 <= H <= 4096');
  assert.equal(d.smallestValues('H', 3), [64, 96, 128]);
  assert.ok(d.contains({ H: 96 }));
  assert.not.ok(d.contains({ H: 100 }));
  assert.equal(d.violations({ H: 100 }), ['H % 32 == 0']);
  assert.equal(d.violations({ H: 32 }), ['H >= 64']);
  // Strict bounds: H > 10, H < 500 → 11..499.
  const s = Domain.fromConstraints([c('H', '>', 10), c('H', '<', 500)]);
  assert.is(s.describe('H'), '11 <= H <= 499');
  // A modulus alone: the first positive multiple is the minimum, which is not repeated.
  assert.is(Domain.fromConstraints([c('W', '%', 0, 16)]).describe('W'), 'W % 16 == 0');
  assert.equal(Domain.fromConstraints([c('W', '%', 0, 16)]).smallestValues('W', 2), [16, 32]);
});

test('several congruences combine by the Chinese remainder theorem', () => {
  // H ≡ 1 (mod 4) and H ≡ 3 (mod 6) ⇔ H ≡ 9 (mod 12): 9, 21, 33.
  const d = Domain.fromConstraints([c('H', '%', 1, 4), c('H', '%', 3, 6)]);
  assert.is(d.range('H').modulus, 12n);
  assert.is(d.range('H').residue, 9n);
  assert.equal(d.smallestValues('H', 3), [9, 21, 33]);
  // H % 32 == 0 and H % 16 == 0: the finer one wins.
  assert.is(Domain.fromConstraints([c('H', '%', 0, 32), c('H', '%', 0, 16)]).describe('H'), 'H % 32 == 0');
});

test('contradictions give an empty set, described by the constraints given', () => {
  const d = Domain.fromConstraints([c('H', '%', 0, 2), c('H', '%', 1, 4)]);
  assert.ok(d.isEmpty());
  assert.equal(d.emptyVariables(), ['H']);
  assert.is(d.describe('H'), 'no value of H satisfies H % 2 == 0, H % 4 == 1');
  assert.equal(d.smallestValues('H', 3), []);
  assert.ok(Domain.fromConstraints([c('H', '>=', 10), c('H', '<=', 9)]).isEmpty());
  assert.ok(Domain.fromConstraints([c('H', '%', 3, 2)]).isEmpty()); // H % 2 is never 3
  assert.ok(Domain.fromConstraints([c('H', '==', 6.5)]).isEmpty());
  // 10 <= H <= 15 with H % 8 == 0 has no member.
  assert.ok(Domain.fromConstraints([c('H', '>=', 10), c('H', '<=', 15), c('H', '%', 0, 8)]).isEmpty());
  assert.throws(() => Domain.fromConstraints([c('H', '%', 0, 0)]), /positive integer/);
});

test('equality, --size and fractional bounds', () => {
  const d = Domain.fromConstraints([c('H', '==', 224), c('W', '>=', 6.5), c('W', '<', 9.5)]);
  assert.is(d.describe('H'), 'H == 224');
  assert.equal(d.smallestValues('W', 5), [7, 8, 9]);
  // --size H=360 added to `where H % 16 == 0` (SegNet-Basic, language.md §1): 360 = 16·22.5 fails.
  const segnet = Domain.fromConstraints([c('H', '%', 0, 16)]).with(c('H', '==', 360));
  assert.ok(segnet.isEmpty());
  assert.equal(Domain.fromConstraints([c('H', '%', 0, 16)]).violations({ H: 360 }), ['H % 16 == 0']);
});

test('restrict adds an inferred lower bound', () => {
  const d = Domain.fromConstraints([c('H', '%', 0, 32)]).restrict('H', { min: 193 });
  assert.is(d.range('H').min, 224n); // the first multiple of 32 >= 193
  assert.is(d.describe(), 'H % 32 == 0, H >= 224');
  assert.is(d.firstAtLeast('H', 225n), 256n);
  assert.is(d.countUpTo('H', 300n), 3n); // 224, 256, 288
  assert.is(d.restrict('H', { max: 200 }).isEmpty(), true);
});

test.run();
