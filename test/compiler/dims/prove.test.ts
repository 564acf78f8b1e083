import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Dim, Domain, proveAtLeast, proveEqual, proveLessOrEqual, residue, smallestValid, type Constraint,
} from '../../../compiler/dims/index.js';

const H = Dim.variable('H');
const W = Dim.variable('W');
const c = (variable: string, op: Constraint['op'], value: number, modulus?: number): Constraint =>
  modulus === undefined ? { variable, op, value } : { variable, op, value, modulus };
const any = Domain.unconstrained();
const even = Domain.fromConstraints([c('H', '%', 0, 2)]);

test('equality: the smallest counterexample, or a proof', () => {
  // The brief's example: ceil(H/2) vs floor(H/2) differ first at H = 1 (1 vs 0) ...
  assert.equal(proveEqual(H.ceilDiv(2), H.floorDiv(2), any), { kind: 'counterexample', env: { H: 1 }, left: 1, right: 0 });
  // ... and are equal when H % 2 == 0.
  assert.equal(proveEqual(H.ceilDiv(2), H.floorDiv(2), even), { kind: 'proved' });
  // language.md §5's message shape: for H = 33: 17 vs 16 (first odd H allowed by H >= 32).
  const from32 = Domain.fromConstraints([c('H', '>=', 32)]);
  assert.equal(proveEqual(H.ceilDiv(2), H.floorDiv(2), from32), { kind: 'counterexample', env: { H: 33 }, left: 17, right: 16 });
  // Different slopes: H = 2H - 5 only at H = 5, so the smallest counterexample is 1 (1 vs -3);
  // from H >= 5 it is 6 (6 vs 7), and H == 5 is a proof.
  assert.equal(proveEqual(H, H.mul(2).sub(5), any), { kind: 'counterexample', env: { H: 1 }, left: 1, right: -3 });
  assert.equal(proveEqual(H, H.mul(2).sub(5), Domain.fromConstraints([c('H', '>=', 5)])),
    { kind: 'counterexample', env: { H: 6 }, left: 6, right: 7 });
  assert.equal(proveEqual(H, H.mul(2).sub(5), Domain.fromConstraints([c('H', '==', 5)])), { kind: 'proved' });
  // A constant difference fails at the smallest allowed value.
  assert.equal(proveEqual(H, H.add(1), Domain.fromConstraints([c('H', '>=', 8)])), { kind: 'counterexample', env: { H: 8 }, left: 8, right: 9 });
  // Constants.
  assert.equal(proveEqual(3, 3, any), { kind: 'proved' });
  assert.equal(proveEqual(3, 4, any), { kind: 'counterexample', env: {}, left: 3, right: 4 });
});

test('equality across residue classes: the smallest class wins', () => {
  // floor(H/4)·4 = H only when H % 4 == 0; with H % 2 == 0 the first failure is H = 2 (0 vs 2).
  assert.equal(proveEqual(H.floorDiv(4).mul(4), H, even), { kind: 'counterexample', env: { H: 2 }, left: 0, right: 2 });
  assert.equal(proveEqual(H.floorDiv(4).mul(4), H, Domain.fromConstraints([c('H', '%', 0, 4)])), { kind: 'proved' });
  // Two 2x2 floor pools then two 2x upsamplings restore H exactly when H % 4 == 0; with H >= 64
  // and H % 2 == 0 the smallest failure is H = 66 (64 vs 66).
  const roundTrip = H.floorDiv(2).floorDiv(2).mul(4);
  const dom = Domain.fromConstraints([c('H', '%', 0, 2), c('H', '>=', 64)]);
  assert.equal(proveEqual(roundTrip, H, dom), { kind: 'counterexample', env: { H: 66 }, left: 64, right: 66 });
});

test('at least: kernels fit, sizes are positive', () => {
  // conv(7) valid on floor((H - 7)/2) + 1 ... the simplest: H - 6 >= 1 fails first at H = 1 (-5).
  assert.equal(proveAtLeast(H.sub(6), 1, any), { kind: 'counterexample', env: { H: 1 }, left: -5, right: 1 });
  assert.equal(proveAtLeast(H.sub(6), 1, Domain.fromConstraints([c('H', '>=', 7)])), { kind: 'proved' });
  // A decreasing size (unusual, but handled): 100 - H >= 1 fails first at H = 100.
  assert.equal(proveAtLeast(H.neg().add(100), 1, any), { kind: 'counterexample', env: { H: 100 }, left: 0, right: 1 });
  assert.equal(proveAtLeast(H.neg().add(100), 1, Domain.fromConstraints([c('H', '<=', 99)])), { kind: 'proved' });
  // Upper bound cuts the progression: floor(H/32) - 6 >= 1 holds for H % 32 == 0, H >= 224.
  assert.equal(proveAtLeast(H.floorDiv(32).sub(6), 1, Domain.fromConstraints([c('H', '%', 0, 32), c('H', '>=', 224)])), { kind: 'proved' });
});

test('less or equal: crops fit', () => {
  // crop(a, to: b) with offset 19 fits when 19 + H <= 32·ceil((H + 38)/32), which holds for all H
  // (32·ceil(x/32) >= x, and H + 38 >= H + 19).
  const upscore = H.add(38).ceilDiv(32).mul(32);
  assert.equal(proveLessOrEqual(H.add(19), upscore, any), { kind: 'proved' });
  // In floor mode 32·floor((H + 38)/32) is too small first at H = 14: 33 vs 32.
  assert.equal(proveLessOrEqual(H.add(19), H.add(38).floorDiv(32).mul(32), any),
    { kind: 'counterexample', env: { H: 14 }, left: 33, right: 32 });
});

test('several variables and opaque dimensions are checked up to a bound', () => {
  // H vs W: the first differing pair in order of increasing largest index is H = 2, W = 1.
  assert.equal(proveEqual(H, W, any), { kind: 'counterexample', env: { H: 2, W: 1 }, left: 2, right: 1 });
  // H·W >= 1 cannot be proved exactly: the grid up to 256 x 256 (65536 evaluations) is checked.
  assert.equal(proveAtLeast(H.mul(W), 1, any), { kind: 'checked-up-to', bound: 256 });
  assert.equal(proveAtLeast(H.mul(W), 1, any, { maxEvaluations: 100 }), { kind: 'checked-up-to', bound: 10 });
  // A single opaque variable goes to the full bound.
  assert.equal(proveAtLeast(Dim.min(H, H.mul(2).sub(1)), 1, any), { kind: 'checked-up-to', bound: 4096 });
  assert.equal(proveAtLeast(Dim.min(H, H.mul(2).sub(1)), 1, any, { bound: 100 }), { kind: 'checked-up-to', bound: 100 });
  // ... and its counterexample is the smallest: min(H, 2H - 3) at H = 1 is -1.
  assert.equal(proveAtLeast(Dim.min(H, H.mul(2).sub(3)), 1, any), { kind: 'counterexample', env: { H: 1 }, left: -1, right: 1 });
  // A bounded domain covered completely is a proof.
  assert.equal(proveAtLeast(Dim.min(H, H.mul(2).sub(1)), 1, Domain.fromConstraints([c('H', '<=', 1000)])), { kind: 'proved' });
  // Structurally equal opaque dimensions are equal without evaluation.
  assert.equal(proveEqual(H.mul(W).add(1), W.mul(H).add(1), any), { kind: 'proved' });
  // Counterexamples respect each variable's domain: H % 32 == 0, W >= 5.
  const dom = Domain.fromConstraints([c('H', '%', 0, 32), c('W', '>=', 5)]);
  assert.equal(proveEqual(H.floorDiv(32).mul(W), W, dom), { kind: 'counterexample', env: { H: 64, W: 5 }, left: 10, right: 5 });
});

test('smallest valid value: the lower bound the checker infers', () => {
  // VGG16 floor mode: five 2x2 pools give floor(H/32), fc6 (7x7 valid) gives floor(H/32) - 6 >= 1:
  // H >= 224, ImageNet's crop size.
  const pool5 = H.floorDiv(32);
  assert.equal(smallestValid([pool5, pool5.sub(6)], 'H', any), { kind: 'proved', value: 224 });
  // Caffe ceil mode: ceil(H/32) - 6 >= 1 ⇔ H > 192: 193.
  assert.equal(smallestValid([H.ceilDiv(32).sub(6)], 'H', any), { kind: 'proved', value: 193 });
  // With H % 32 == 0 the next allowed value is 224.
  assert.equal(smallestValid([H.ceilDiv(32).sub(6)], 'H', Domain.fromConstraints([c('H', '%', 0, 32)])), { kind: 'proved', value: 224 });
  // Not monotone: H mod 2 >= 1 fails on every even H → no tail is valid ...
  assert.equal(smallestValid([H.mod(2)], 'H', any), { kind: 'none' });
  // ... unless the domain has only odd values.
  assert.equal(smallestValid([H.mod(2)], 'H', Domain.fromConstraints([c('H', '%', 1, 2)])), { kind: 'proved', value: 1 });
  // A decreasing size fails for every large H.
  assert.equal(smallestValid([H.neg().add(100)], 'H', any), { kind: 'none' });
  // ... but not if the domain stops before: 100 - H >= 1 for H <= 99.
  assert.equal(smallestValid([H.neg().add(100)], 'H', Domain.fromConstraints([c('H', '<=', 99)])), { kind: 'proved', value: 1 });
  // Dims of other variables are skipped; constants < 1 make it impossible.
  assert.equal(smallestValid([W.sub(100), H.sub(3)], 'H', any), { kind: 'proved', value: 4 });
  assert.equal(smallestValid([Dim.constant(0)], 'H', any), { kind: 'none' });
  // Opaque single-variable dims are scanned up to the bound.
  assert.equal(smallestValid([Dim.min(H.sub(9), H.mul(2).sub(30))], 'H', any), { kind: 'checked-up-to', value: 16, bound: 4096 });
});

test('residue: n mod s when the domain determines it (TF `pad: same`, stride > 1)', () => {
  assert.is(residue(H, 2, Domain.fromConstraints([c('H', '%', 0, 32)])), 0);
  // floor(H/2) with H % 4 == 2: H = 4q + 2 → 2q + 1, odd.
  assert.is(residue(H.floorDiv(2), 2, Domain.fromConstraints([c('H', '%', 2, 4)])), 1);
  assert.is(residue(H, 2, any), undefined);
  assert.is(residue(Dim.constant(7), 3, any), 1);
  assert.is(residue(H, 3, Domain.fromConstraints([c('H', '==', 224)])), 224 % 3);
});

test('an empty domain proves everything vacuously (the checker reports it first)', () => {
  const empty = Domain.fromConstraints([c('H', '%', 0, 2), c('H', '%', 1, 2)]);
  assert.equal(proveEqual(H, H.add(1), empty), { kind: 'proved' });
  assert.equal(smallestValid([H], 'H', empty), { kind: 'none' });
});

test.run();
