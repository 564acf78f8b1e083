/** `lrn(size: 5, alpha: 1e-4, beta: 0.75, k: 1)` (Caffe's meaning): unchanged shape; `size` must be odd. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

test('lrn: unchanged shape and map, no parameters; Caffe defaults (paper-architectures.md §4.1: local_size 5, α 1e-4, β 0.75, k 1)', () => {
  const run = runOp('lrn', '[27, 27, 96]');
  assert.equal(facts(run), { shape: [27, 27, 96], map: [[1, 1, 0], [1, 1, 0]], params: 0, macs: 0 });
  assert.equal(['size', 'alpha', 'beta', 'k'].map((a) => (run.node!.node.args[a] as { value: number }).value), [5, 1e-4, 0.75, 1]);
});

test('lrn: the window is centred on each channel, so its size is odd', () => {
  for (const size of [1, 3, 5, 7]) assert.ok(runOp(`lrn(size: ${size})`, '[4, 4, 16]').ok, String(size));
  const run = runOp('lrn(size: 4)', '[4, 4, 16]');
  assert.equal(run.headlines, ['error[argument]: the window `size` must be odd (it is centred on each channel), found 4']);
  assert.is(run.diagnostics[0]!.help, 'use 3 or 5');
  assert.equal(runOp('lrn(size: 0)', '[4, 4, 16]').headlines, ['error[type]: `size` of `lrn`: must be at least 1, found 0']);
});

test.run();
