/** `a + b` (`add`): equal shapes and coordinate maps (aligned-merge rule); the union of what both see. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runOp } from './_op.js';

test('add: aligned operands; the sum sees the larger rf (Distill: r is the maximum over paths)', () => {
  const run = runOp('relu', '[8, 8, 3]', { pre: 'let s = (x |> conv(3, 5, pad: 2)) + (x |> conv(3, 1))' });
  const s = [...run.typed!.nodes.values()].find((t) => t.node.name === 's')!;
  assert.equal([s.type.shape[0].evaluate({}), s.type.shape[2], s.type.map[0].rf(), s.type.map[0].center.toNumber()], [8, 3, 5, 0]);
});

test('add errors: misaligned (with the crop that fixes it), different sizes, different channels', () => {
  // conv 5x5 valid: centre 2, two rows shorter each side → crop(x, to: a) at offset 2.
  const misaligned = runOp('relu', '[H, W, 3]', { pre: 'let a = x |> conv(3, 5)\n  let s = a + x' });
  assert.equal(misaligned.headlines, ['error[shape]: cannot add tensors that are not aligned']);
  assert.is(misaligned.diagnostics[0]!.label, 'both stride 1, but centres differ by 2 units');
  assert.is(misaligned.diagnostics[0]!.help, 'write `a + crop(x, to: a)` (offset 2)');
  const sizes = runOp('relu', '[8, 8, 3]', { pre: 'let s = (x |> conv(3, 3, pad: 1)) + (x |> pad(bottom: 1, right: 1))' });
  assert.equal(sizes.headlines, ['error[shape]: cannot add tensors of different heights']);
  assert.is(sizes.diagnostics[0]!.label, '8 vs 9');
  const channels = runOp('relu', '[8, 8, 3]', { pre: 'let s = (x |> conv(4, 1)) + x' });
  assert.equal(channels.headlines, ['error[channels]: cannot add 4 channels to 3 channels']);
});

test.run();
