/** `dense(units)`: only on 1×1 maps (language.md §7); kernel [cin, units] + bias. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

test('dense after flatten: VGG16 fc6 on 7×7×512 has 102,764,544 parameters, as FCN\'s 7×7 conv fc6 (paper-architectures.md §2.1)', () => {
  const f = facts(runOp('flatten |> dense(4096)', '[7, 7, 512]'));
  assert.equal(f.shape, [1, 1, 4096]);
  assert.is(f.params, 25088 * 4096 + 4096);
  assert.is(f.params, facts(runOp('conv(4096, 7)', '[7, 7, 512]')).params);
  assert.is(f.macs, 25088 * 4096);
  // The whole 7x7 map is seen: rf 7 after flatten.
  assert.equal(f.map[0].slice(0, 2), [7, 1]);
});

test('dense after global pooling; without bias; CaffeNet fc7/fc8 counts (§4.1: 16,781,312 and 4,097,000)', () => {
  assert.is(facts(runOp('dense(4096)', '[1, 1, 4096]')).params, 16781312);
  assert.is(facts(runOp('dense(1000)', '[1, 1, 4096]')).params, 4097000);
  assert.is(facts(runOp('global_avgpool |> dense(10, bias: false)', '[H, W, 64]')).params, 640);
  const run = runOp('dense(10)', '[1, 1, 64]');
  assert.equal(run.node!.params.map((p) => [p.local, p.shape, p.fanIn]), [['kernel', [64, 10], 64], ['bias', [10], undefined]]);
});

test('dense on a map that is not 1×1 is an error with the fix (dense-input rule)', () => {
  const run = runOp('dense(4096)', '[7, 7, 512]');
  assert.equal(run.headlines, ['error[shape]: `dense` needs a 1×1 map, but its input is 7×7×512']);
  assert.is(run.diagnostics[0]!.help, 'use `flatten` first (25088 features), `global_avgpool`, or `conv(units, 7)` as fully convolutional nets do');
  assert.equal(runOp('dense(4)', '[H, W, 8]').headlines, ['error[shape]: `dense` needs a 1×1 map, but its input is H×W×8']);
  assert.equal(runOp('dense(4, init: bilinear)', '[1, 1, 8]').headlines, ['error[argument]: `init: bilinear` is for `deconv`']);
});

test.run();
