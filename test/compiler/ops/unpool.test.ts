/**
 * `unpool(p)` (SegNet's pooling-index link, language.md §6): the output has `p`'s input shape and
 * `p`'s input coordinate map; the input must have exactly `p`'s output shape and channels; `p`
 * must be a `maxpool`. The rf is exact: an output unit depends on the pooling windows that hold it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

test('unpool restores the pre-pool size, including Caffe ceil-mode sizes (SegNet 45 → 23 → 45)', () => {
  // paper-architectures.md §1.1: "Each unpool output must be exactly the pre-pool size", 45 → 23 at pool4.
  const run = runOp('unpool(p)', '[45, 60, 64]', { pre: 'let code = x |> maxpool(2, ceil: true) as p' });
  // `out = x |> unpool(p)` is wrong-shaped (45 vs 23); feed the pooled tensor instead.
  assert.not.ok(run.ok);
  const ok = runOp('maxpool(2, ceil: true) as p |> conv(64, 3, pad: 1) |> unpool(p)', '[45, 60, 64]');
  assert.equal(facts(ok).shape, [45, 60, 64]);
});

test('unpool map: the pooling input\'s grid; rf from the windows that hold each unit', () => {
  // 2x2/2: unit u is in window floor(u/2), which reads 2 pixels: rf 2, stride 1, centre 0.
  assert.equal(facts(runOp('maxpool(2) as p |> unpool(p)', '[8, 8, 3]')).map, [[2, 1, 0], [2, 1, 0]]);
  // 3x3/2 (overlapping): an even unit 2m lies in windows m-1 and m, which read [2m-2, 2m+2]: rf 5 [derived].
  assert.equal(facts(runOp('maxpool(3, stride: 2) as p |> unpool(p)', '[9, 9, 3]')).map[0], [5, 1, 0]);
  // A 3x3 conv between pool and unpool widens what each pooled unit sees by 2 units of stride 2.
  assert.equal(facts(runOp('maxpool(2) as p |> conv(3, 3, pad: 1) |> unpool(p)', '[8, 8, 3]')).map[0], [6, 1, 0]);
});

test('SegNet-Basic context: the deepest encoder unit (pool4) sees 106×106 (paper-architectures.md §1.3 [P])', () => {
  const stage = 'conv(64, 7, pad: 3) |> batchnorm |> relu |> maxpool(2, ceil: true)';
  const f = facts(runOp(`${stage} |> ${stage} |> ${stage} |> ${stage}`, '[360, 480, 3]'));
  assert.equal([f.shape, f.map[0]], [[23, 30, 64], [106, 16, 7.5]]);
});

test('unpool link errors: not a maxpool, an input, different channels, different shape', () => {
  assert.equal(runOp('unpool(p)', '[8, 8, 3]', { pre: 'let q = x |> avgpool(2) as p' }).headlines, ['error[link]: `unpool` needs the indices of a `maxpool`, but `p` is an `avgpool`']);
  assert.equal(runOp('unpool(x)', '[8, 8, 3]').headlines, ['error[link]: `unpool` needs the indices of a `maxpool`, but `x` is an input']);
  assert.equal(runOp('maxpool(2) as p |> conv(16, 1) |> unpool(p)', '[8, 8, 3]').headlines, ['error[link]: `unpool(p)` gets 16 channels, but `p` pooled 3']);
  assert.equal(runOp('maxpool(2) as p |> conv(3, 3) |> unpool(p)', '[8, 8, 3]').headlines, ['error[link]: `unpool(p)` gets a 2×2×3 map, but `p` produced 4×4×3']);
  // Symbolic: the smallest counterexample (H/2 - 2 vs H/2 at the smallest H where both exist).
  const sym = runOp('maxpool(2) as p |> conv(3, 3) |> unpool(p)', '[H, W, 3]', { where: 'H % 2 == 0, W % 2 == 0' });
  assert.equal(sym.diagnostics[0]!.label, 'heights differ: for H = 6: 1 vs 3');
});

test('unpool takes only a pooling name', () => {
  assert.equal(runOp('unpool', '[8, 8, 3]').headlines, ['error[argument]: missing argument `p` of `unpool`']);
});

test.run();
