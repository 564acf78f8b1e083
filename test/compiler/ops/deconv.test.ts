/**
 * `deconv` contract: Caffe's size rule `(n - 1)s + k - 2p` (language.md §7), the inverse
 * coordinate map (`j /= s`, `c -= ((k-1)/2 - p)·j_out`), exact per-unit rf, parameters in tfjs
 * layout `[kh, kw, cout, cin]`, and FCN's bilinear rule (filters = input channels).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

type Row = [call: string, input: string, shape: [number, number, number], map: [number, number, number], params: number, source: string];

const table: Row[] = [
  // FCN-16s upscore2: 16 → 34, 7,056 fixed params (paper-architectures.md §2.2; §5.4: tfjs 'valid' = Caffe for p = 0, k >= s).
  // rf 2: each output reads ceil(4/2) = 2 inputs (netharn's k - s + 1 = 3 overestimates, receptive-field-tools.md §3.7).
  // Centre -(4 - 1)/2 · 1/2 = -0.75.
  ['deconv(21, 4, stride: 2, bias: false)', '[16, 16, 21]', [34, 34, 21], [2, 0.5, -0.75], 7056, 'FCN upscore2'],
  // FCN-32s upscore: 16 → 544, 1,806,336 fixed params (§2.2); centre -31.5/32.
  ['deconv(21, 64, stride: 32, bias: false)', '[16, 16, 21]', [544, 544, 21], [2, 1 / 32, -31.5 / 32], 1806336, 'FCN-32s upscore'],
  // FCN-AlexNet upscore k 63: 16 → 543, 1,750,329 params (§2.3 row 14).
  ['deconv(21, 63, stride: 32, bias: false)', '[16, 16, 21]', [543, 543, 21], [2, 1 / 32, -31 / 32], 1750329, 'FCN-AlexNet upscore'],
  // FCN-8s upscore8: k 16, s 8: 70 → 568, 112,896 params (§2.2).
  ['deconv(21, 16, stride: 8, bias: false)', '[70, 70, 21]', [568, 568, 21], [2, 1 / 8, -7.5 / 8], 112896, 'FCN-8s upscore8'],
  // k 3, s 2: outputs alternate between reading 2 and 1 inputs (§3.7): rf 2; centre -1·1/2.
  ['deconv(21, 3, stride: 2, bias: false)', '[16, 16, 21]', [33, 33, 21], [2, 0.5, -0.5], 3969, 'k 3, s 2'],
  // k < s: some outputs read nothing, the others one input.
  ['deconv(21, 1, stride: 2, bias: false)', '[16, 16, 21]', [31, 31, 21], [1, 0.5, 0], 441, 'k 1, s 2'],
  // Padding crops the output: 2·15 + 4 - 2 = 32 (= 2n); centre -((3/2) - 1)/2 = -0.25; bias adds 21.
  ['deconv(21, 4, stride: 2, pad: 1)', '[16, 16, 21]', [32, 32, 21], [2, 0.5, -0.25], 7077, 'pad 1 (2x upsampling)'],
  // Stride 1 transposed conv grows by k - 1.
  ['deconv(8, 3, init: he)', '[10, 10, 4]', [12, 12, 8], [3, 1, -1], 296, 'stride 1, he init, 4 → 8 channels'],
];

for (const [call, input, shape, map, params, source] of table) {
  test(`deconv: ${source}: ${call} on ${input}`, () => {
    const f = facts(runOp(call, input));
    assert.equal(f.shape, shape);
    assert.is(f.map[0][0], map[0], 'rf');
    assert.ok(Math.abs(f.map[0][1] - map[1]) < 1e-12 && Math.abs(f.map[0][2] - map[2]) < 1e-12, `stride/centre ${f.map[0]}`);
    assert.is(f.params, params);
  });
}

test('deconv symbolic size: FCN-32s upscore is 32·ceil((H + 6)/32) + 32 on score_fr ceil((H + 6)/32)', () => {
  const run = runOp('deconv(21, 64, stride: 32, bias: false)', '[H, H, 21]');
  assert.equal([1, 16, 17].map((n) => run.node!.type.shape[0].evaluate({ H: n })), [64, 544, 576]);
});

test('deconv cost: every input unit times every kernel tap, in·kh·kw·cin·cout', () => {
  assert.is(facts(runOp('deconv(21, 4, stride: 2, bias: false)', '[16, 16, 21]')).macs, 16 * 16 * 4 * 4 * 21 * 21);
});

test('deconv parameters: tfjs conv2dTranspose layout [kh, kw, cout, cin]; trainable: false makes them fixed (FCN lr_mult 0)', () => {
  const fixed = runOp('deconv(21, 4, stride: 2, trainable: false)', '[16, 16, 21]').node!.params;
  assert.equal(fixed.map((p) => [p.local, p.shape, p.role]), [['kernel', [4, 4, 21, 21], 'fixed'], ['bias', [21], 'fixed']]);
  assert.equal(fixed[0]!.init, { kind: 'enum', name: 'bilinear' });
  const learned = runOp('deconv(8, (3, 5), init: zeros)', '[10, 10, 4]').node!.params;
  assert.equal(learned.map((p) => [p.local, p.shape, p.role]), [['kernel', [3, 5, 8, 4], 'learned'], ['bias', [8], 'learned']]);
});

test('deconv contract errors: bilinear needs filters = input channels; no `same`/`valid`', () => {
  assert.equal(runOp('deconv(21, 4, stride: 2)', '[16, 16, 512]').headlines, ['error[channels]: `init: bilinear` upsamples each channel separately, so `filters` (21) must equal the input channels (512)']);
  assert.ok(runOp('deconv(21, 4, stride: 2, init: he)', '[16, 16, 512]').ok, 'another init lifts the rule');
  assert.equal(runOp('deconv(21, 4, stride: 2, pad: same)', '[16, 16, 21]').headlines, ['error[argument]: `deconv` takes explicit padding (an int or `(h, w)`), not `same`/`valid`']);
});

test.run();
