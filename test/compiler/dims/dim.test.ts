import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dim, Domain, MAX_PERIOD } from '../../../compiler/dims/index.js';

const H = Dim.variable('H');
const W = Dim.variable('W');
const mod = (variable: string, modulus: number, value: number) => ({ variable, op: '%' as const, modulus, value });

test('constants fold to constants', () => {
  const d = Dim.constant(5).add(3).mul(2).sub(1).floorDiv(2).add(Dim.constant(7).mod(4));
  // ((5 + 3)·2 - 1) = 15, floor(15/2) = 7, 7 mod 4 = 3 → 10
  assert.is(d.constantValue(), 10);
  assert.ok(d.isConstant());
  assert.equal(d.variables(), []);
  assert.is(Dim.constant(-7).ceilDiv(2).constantValue(), -3);
  assert.is(Dim.constant(-7).mod(3).constantValue(), 2);
});

test('quasi-affine normal form identifies equal functions built differently', () => {
  // H = 2·floor(H/2) + H mod 2 for every integer H.
  assert.ok(H.floorDiv(2).mul(2).add(H.mod(2)).equals(H));
  // ceil(H/k) = floor((H + k - 1)/k).
  assert.ok(H.ceilDiv(5).equals(H.add(4).floorDiv(5)));
  // floor(floor(H/2)/3) = floor(H/6) (nested floors of positive divisors compose).
  assert.ok(H.floorDiv(2).floorDiv(3).equals(H.floorDiv(6)));
  // ceil(ceil(x/2)/2) = ceil(x/4): five ceil-mode 2x2 pools = one ceil division by 32.
  let n = H.add(198);
  for (let i = 0; i < 5; i++) n = n.ceilDiv(2);
  assert.ok(n.equals(H.add(198).ceilDiv(32)));
  // H - H is the constant 0; (H mod 4) mod 2 = H mod 2.
  assert.is(H.sub(H).constantValue(), 0);
  assert.ok(H.mod(4).mod(2).equals(H.mod(2)));
  assert.not.ok(H.floorDiv(2).equals(H.ceilDiv(2)));
});

test('period tables grow only as far as needed and are reduced', () => {
  assert.is(H.floorDiv(32).quasiAffine!.period, 32);
  // floor((H + 198)/32): still period 32.
  assert.is(H.add(198).floorDiv(32).quasiAffine!.period, 32);
  // 2·floor(H/2) + H mod 2 = H: period 1 again.
  assert.is(H.floorDiv(2).mul(2).add(H.mod(2)).quasiAffine!.period, 1);
  // floor(3H/2) has period 2; dividing by 3 again: floor(floor(3H/2)/3) = floor(H/2), period 2.
  assert.is(H.mul(3).floorDiv(2).floorDiv(3).quasiAffine!.period, 2);
  // Beyond MAX_PERIOD the dimension stays exact but opaque.
  let big = H;
  for (const k of [7, 11, 13, 17]) big = big.floorDiv(k); // period 7·11·13·17 = 17017 > 4096
  assert.ok(MAX_PERIOD < 17017);
  assert.not.ok(big.isQuasiAffine());
  assert.is(big.evaluate({ H: 100000 }), Math.floor(100000 / 17017));
});

test('evaluation', () => {
  // FCN conv1_1 (pad 100) then five ceil pools: ceil((500 + 198)/32) = ceil(21.8125) = 22 (table §2.1).
  assert.is(H.add(198).ceilDiv(32).evaluate({ H: 500 }), 22);
  assert.is(H.add(198).floorDiv(32).evaluate({ H: 500 }), 21);
  assert.is(H.mod(32).evaluate({ H: 500 }), 500 % 32);
  assert.is(H.sub(10).floorDiv(3).evaluate({ H: 2 }), -3); // floor(-8/3)
  assert.is(H.mul(W).mul(64).evaluate({ H: 7, W: 5 }), 7 * 5 * 64);
  assert.is(Dim.min(H, 5).evaluate({ H: 3 }), 3);
  assert.is(Dim.max(H, 5).evaluate({ H: 3 }), 5);
  assert.throws(() => H.evaluate({ W: 3 }), /no value given for dimension variable H/);
  assert.throws(() => H.floorDiv(0), /positive integer/);
  assert.throws(() => H.mod(-2), /positive integer/);
});

test('variables and opaque dimensions', () => {
  const flat = H.floorDiv(32).mul(W.floorDiv(32)).mul(512);
  assert.equal(flat.variables(), ['H', 'W']);
  assert.not.ok(flat.isQuasiAffine());
  assert.not.ok(flat.isConstant());
  assert.is(flat.constantValue(), undefined);
  // min of equal slopes stays exact: min(ceil(H/2), floor(H/2)) = floor(H/2).
  assert.ok(Dim.min(H.ceilDiv(2), H.floorDiv(2)).equals(H.floorDiv(2)));
  assert.ok(Dim.max(H.ceilDiv(2), H.floorDiv(2)).equals(H.ceilDiv(2)));
  // min of different slopes is opaque.
  assert.not.ok(Dim.min(H, H.mul(2).sub(3)).isQuasiAffine());
  // Structural equality of opaque dims, commutative arguments sorted.
  assert.ok(H.mul(W).equals(W.mul(H)));
  assert.is(H.mul(W).sub(W.mul(H)).constantValue(), 0);
});

test('printing: affine, rounded, remainder, constants', () => {
  const cases: [Dim, string][] = [
    [H, 'H'],
    [Dim.constant(224), '224'],
    [Dim.constant(-3), '-3'],
    [H.mul(2).sub(1), '2*H - 1'],
    [H.neg().add(5), '-H + 5'],
    [H.floorDiv(2), 'floor(H/2)'],
    [H.ceilDiv(2), 'ceil(H/2)'],
    [H.add(198).floorDiv(32), 'floor((H + 198)/32)'],
    [H.add(198).ceilDiv(32), 'ceil((H + 198)/32)'],
    // FCN fc6 = pool5 - 6 in ceil mode: ceil((H + 198)/32) - 6 = ceil((H + 6)/32).
    [H.add(198).ceilDiv(32).sub(6), 'ceil((H + 6)/32)'],
    // Five floor-mode pools then the OverFeat-style offsets(3, …) crop: 3·floor((H - 14)/3).
    [H.sub(14).floorDiv(3).mul(3), '3*floor((H - 14)/3)'],
    [H.mul(3).floorDiv(4), 'floor(3*H/4)'],
    [H.mod(32), 'H % 32'],
    [H.add(1).mod(2).add(1), '2 - H % 2'],
    [H.mul(W).mul(64), '64*H*W'],
    [Dim.min(H, 5), 'min(H, 5)'],
    [H.mul(2).mod(2).add(H.mul(W)), 'H*W'],
  ];
  for (const [d, text] of cases) assert.is(d.format(), text);
  assert.is(`${H.ceilDiv(2)}`, 'ceil(H/2)');
});

test('printing restricted to the domain', () => {
  const d32 = Domain.fromConstraints([mod('H', 32, 0)]);
  // cli.md's example: with H % 32 == 0, floor((H + 198)/32) is the affine H/32 + 6.
  assert.is(H.add(198).floorDiv(32).format(d32), 'H/32 + 6');
  assert.is(H.add(198).ceilDiv(32).format(d32), 'H/32 + 7');
  // With H % 16 == 0 it is not affine but the offset 198 can move out: floor(H/32) + 6.
  assert.is(H.add(198).floorDiv(32).format(Domain.fromConstraints([mod('H', 16, 0)])), 'floor(H/32) + 6');
  // With H % 2 == 0, floor(H/4) cannot be simplified further.
  assert.is(H.floorDiv(4).format(Domain.fromConstraints([mod('H', 2, 0)])), 'floor(H/4)');
  // Fractional offsets are written over a common denominator: (H - 1)/4 when H % 4 == 1.
  assert.is(H.floorDiv(4).format(Domain.fromConstraints([mod('H', 4, 1)])), '(H - 1)/4');
  // A fixed size prints the number.
  assert.is(H.add(198).floorDiv(32).format(Domain.fromConstraints([{ variable: 'H', op: '==', value: 500 }])), '21');
  // Opaque expressions print their parts restricted too.
  assert.is(H.floorDiv(32).mul(W.floorDiv(32)).format(Domain.fromConstraints([mod('H', 32, 0), mod('W', 32, 0)])), 'H/32*W/32');
});

test('printing falls back to a piecewise table, then to the construction', () => {
  // H + 5·(H mod 2): slope 1 on both classes, offsets 0 and 5; not a multiple of a rounding of
  // an affine function, and only 2 classes → a table.
  assert.is(H.add(H.mod(2).mul(5)).format(), '{H % 2 == 0: H; H % 2 == 1: H + 5}');
  // The same with period 9 has too many classes for a table: printed as built.
  assert.is(H.add(H.mod(9).mul(5)).format(), 'H + 5*(H % 9)');
  // floor(floor(H/7)/11)/13 collapses to floor(H/1001) (period 1001 <= MAX_PERIOD); the last
  // division makes the period 17017, so the dimension is opaque and printed by construction.
  let big = H;
  for (const k of [7, 11, 13, 17]) big = big.floorDiv(k);
  assert.is(big.format(), 'floor(floor(H/1001)/17)');
});

test('JSON: constants are numbers, other dimensions their text', () => {
  const d32 = Domain.fromConstraints([mod('H', 32, 0)]);
  assert.is(JSON.stringify({ a: H.add(198).floorDiv(32), b: Dim.constant(5) }), '{"a":"floor((H + 198)/32)","b":5}');
  assert.is(H.add(198).floorDiv(32).toJSONValue(d32), 'H/32 + 6');
  assert.is(H.toJSONValue(Domain.fromConstraints([{ variable: 'H', op: '==', value: 360 }])), 360);
});

test.run();
