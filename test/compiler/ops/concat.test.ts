/** `concat(a, b, ...)`: channels add up; spatial shapes and coordinate maps must match (aligned-merge rule). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

test('concat: any number of tensors, channels summed, the larger rf', () => {
  const run = runOp('relu', '[8, 8, 3]', { pre: 'let c = concat(x |> conv(4, 1), x |> conv(5, 3, pad: 1), x)' });
  const c = [...run.typed!.nodes.values()].find((t) => t.node.name === 'c')!;
  assert.equal([c.type.shape[2], c.type.map[0].rf(), c.node.inputs.length], [12, 3, 3]);
  // Piped: the left side is the first tensor.
  assert.equal(facts(runOp('concat(x |> relu)', '[8, 8, 3]')).shape, [8, 8, 6]);
});

test('concat: U-Net skip needs its crop; the message names the offset (receptive-field-tools.md §4.4: 4)', () => {
  // Level 4 of U-Net: 64 → 56 (two valid 3x3 convs), a 2x2 up-conv after pooling and two more
  // convs; here reduced to one level: 572 → conv, conv (568) → pool (284) → conv, conv (280) → up (560).
  const pre = 'let skip = x |> conv(64, 3) |> conv(64, 3)\n  let up = skip |> maxpool(2) |> conv(128, 3) |> conv(128, 3) |> deconv(64, 2, stride: 2, init: he)';
  const bad = runOp('relu', '[572, 572, 1]', { pre: `${pre}\n  let m = concat(up, skip)` });
  // The up-conv output is centred 4 pixels after the skip (centres 6 and 2), so the first
  // problem is alignment, and the help gives the crop.
  assert.equal(bad.headlines, ['error[shape]: cannot concatenate tensors that are not aligned']);
  assert.is(bad.diagnostics[0]!.help, 'write `concat(up, crop(skip, to: up))` (offset 4)');
  const good = runOp('relu', '[572, 572, 1]', { pre: `${pre}\n  let m = concat(up, crop(skip, to: up))` });
  assert.ok(good.ok, good.headlines.join('\n'));
  const crop = [...good.typed!.nodes.values()].find((t) => t.node.op === 'crop')!;
  assert.equal(crop.info['offset'], [4, 4]);
});

test('concat needs at least two tensors', () => {
  assert.equal(runOp('relu', '[8, 8, 3]', { pre: 'let c = concat(x)' }).headlines, ['error[argument]: `concat` needs a tensor for `b`']);
});

test.run();
